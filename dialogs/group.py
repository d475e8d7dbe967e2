"""Partner and linked enterprises under the EU SME definition: reading their figures and adding them up.

Others' stakes in the company and the company's own stakes in other enterprises count alike: a stake of
25 % up to 50 % makes a partner enterprise (its figures are added in proportion to the stake), more than
50 % or control by other means a linked enterprise (added in full). Public bodies holding 25 % or more take
the company out of the SME definition whatever its figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dialogs.parsing import parse_money, parse_percent, parse_staff
from dialogs.text import Arg, InvalidAnswer, Money, Number, Percent, Text, msg

PARTNER_FROM = Decimal(25)  # a stake of at least this makes a partner enterprise
LINKED_ABOVE = Decimal(50)  # a stake above this makes a linked enterprise
MAX_RELATED = 10

# The relation answers: the strongest relation in one direction.
NONE = "none"
UNDER_25 = "lt25"
PARTNER = "p25_50"
LINKED = "over50"
PUBLIC = "public"
UNKNOWN = "unknown"
EXEMPT = "exempt"  # an exempt investor holding 25 to 50 %: not added while it is not linked
RELATED_KEYS = frozenset({PARTNER, LINKED})

UP = "up"  # the enterprise holds a stake in the company
DOWN = "down"  # the company holds a stake in the enterprise

# Investors of Annex Art. 3(2)(a)-(d): holding 25 to 50 %, they keep the company autonomous.
ORDINARY = "enterprise"
PUBLIC_BODY = "public_body"
EXEMPT_INVESTORS = frozenset(
    {"public_investor", "venture", "angel", "university", "institutional", "local_authority"}
)
# Whether the related enterprise has partner or linked enterprises of its own, and whether the figures
# given include them; "unknown" leaves the category provisional.
LINKS_NONE = "none"
LINKS_INCLUDED = "included"
LINKS_UNKNOWN = "unknown"


@dataclass(frozen=True)
class RelatedEnterprise:
    """An enterprise holding a stake in the company, or held by it; ``stake`` in percent points.

    Enterprises typed in one line carry only the stake and figures; the guided questions add the rest.
    Figures are None for an enterprise that is not added (an exempt investor, a public body, under 25 %).
    """

    stake: Decimal
    staff: Decimal | None
    turnover: Decimal | None
    balance_sheet: Decimal | None
    label: str | None = None  # the user's name for it: shown back to the user, never stored in results
    control: bool = False  # control by other means (board, contract, agreement with other shareholders)
    investor: str = ORDINARY
    links: str = LINKS_NONE
    consolidated: bool = False  # its figures are consolidated accounts that already include the company
    stake_band: str | None = None  # "lt25" or "over50" when chosen by button: the stake is a stand-in

    @property
    def relation(self) -> str:
        if self.investor == PUBLIC_BODY and self.stake >= PARTNER_FROM:
            return PUBLIC
        if self.control:
            return LINKED
        relation = relation_for_stake(self.stake)
        if relation == PARTNER and self.investor in EXEMPT_INVESTORS:
            return EXEMPT
        return relation

    @property
    def replaces_own(self) -> bool:
        """Whether its figures already hold the company's own (consolidated accounts including it)."""
        return self.relation == LINKED and self.consolidated

    @property
    def factor(self) -> Decimal:
        """The part of its figures that is added: the stake for a partner, all for a linked enterprise."""
        if self.relation == LINKED:
            return Decimal(1)
        if self.relation == PARTNER:
            return self.stake / 100
        return Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "stake": str(self.stake),
            "staff": _text(self.staff),
            "turnover": _text(self.turnover),
            "balance_sheet": _text(self.balance_sheet),
        }
        if self.label is not None:
            data["label"] = self.label
        if self.control:
            data["control"] = True
        if self.investor != ORDINARY:
            data["investor"] = self.investor
        if self.links != LINKS_NONE:
            data["links"] = self.links
        if self.consolidated:
            data["consolidated"] = True
        if self.stake_band is not None:
            data["stake_band"] = self.stake_band
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RelatedEnterprise:
        enterprise = cls(
            Decimal(str(data["stake"])),
            _decimal(data.get("staff")),
            _decimal(data.get("turnover")),
            _decimal(data.get("balance_sheet")),
            label=None if data.get("label") is None else str(data["label"]),
            control=bool(data.get("control")),
            investor=str(data.get("investor") or ORDINARY),
            links=str(data.get("links") or LINKS_NONE),
            consolidated=bool(data.get("consolidated")),
            stake_band=None if data.get("stake_band") is None else str(data["stake_band"]),
        )
        if enterprise.relation in RELATED_KEYS and (enterprise.staff is None or enterprise.turnover is None):
            raise ValueError("an added enterprise needs its staff and turnover")
        return enterprise


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def relation_for_stake(stake: Decimal) -> str:
    """The relation a stake makes: none, under 25 %, partner (25–50 %) or linked (over 50 %)."""
    if stake > LINKED_ABOVE:
        return LINKED
    if stake >= PARTNER_FROM:
        return PARTNER
    return UNDER_25 if stake > 0 else NONE


_ENTERPRISES = re.compile(r"\s*(?:\n|/|\|)\s*")
_FIELDS = re.compile(r"\s*;\s*")


def _format_error() -> InvalidAnswer:
    return InvalidAnswer(
        msg(
            "Please write one enterprise as: stake; staff; turnover; balance-sheet total (optional), e.g."
            " “{example}”. Separate several enterprises with “/”. Or choose one of the answers below.",
            example=msg("40%; 30; €6m; €4m"),
        )
    )


def parse_related(text: str, language: str) -> tuple[RelatedEnterprise, ...]:
    """Read typed related enterprises: "stake; staff; turnover; balance sheet", several separated by "/".

    Each field is read by the parser of its question; any field it cannot read refuses the whole answer
    with the field's own reason.
    """
    parts = [p for p in _ENTERPRISES.split(text.strip()) if p]
    if not parts or len(parts) > MAX_RELATED:
        raise _format_error()
    related = []
    for part in parts:
        fields = [f for f in _FIELDS.split(part) if f]
        if len(fields) not in (3, 4):
            raise _format_error()
        stake = parse_percent(fields[0], language)
        staff = parse_staff(fields[1], language)
        turnover = parse_money(fields[2], language)
        balance = parse_money(fields[3], language) if len(fields) == 4 else None
        related.append(RelatedEnterprise(stake, staff, turnover, balance))
    return tuple(related)


def relation_answer(text: str, language: str) -> dict[str, Any]:
    """A typed answer to a relation question: the enterprises, and the strongest relation they make."""
    related = parse_related(text, language)
    order = [NONE, UNDER_25, PARTNER, LINKED]
    strongest = max((r.relation for r in related), key=order.index)
    return {"value": strongest, "band": None, "related": [r.to_dict() for r in related]}


def related_from_answer(answer: Mapping[str, Any] | None) -> tuple[RelatedEnterprise, ...]:
    """The enterprises typed into a stored relation answer (none when a button was chosen)."""
    if not answer:
        return ()
    return tuple(RelatedEnterprise.from_dict(r) for r in answer.get("related") or ())


STAKE_BANDS: dict[str, Text] = {"lt25": msg("under 25%"), "over50": msg("over 50%")}


def enterprise_name(r: RelatedEnterprise, number: int, direction: str = UP) -> Arg:
    """The user's label, or "investor 2" / "holding 2" (numbered per direction) for one without a name."""
    return r.label if r.label else default_name(number, direction)


def default_name(number: int, direction: str) -> Text:
    if direction == UP:
        return msg("Investor {number}", number=number)
    return msg("Holding {number}", number=number)


def stake_text(r: RelatedEnterprise) -> Arg:
    return STAKE_BANDS[r.stake_band] if r.stake_band in STAKE_BANDS else Percent(r.stake)


def describe_related(related: Sequence[RelatedEnterprise], direction: str = UP) -> Text:
    """The typed enterprises as they read back in the summary."""
    text: Text | None = None
    for number, r in enumerate(related, 1):
        one = describe_enterprise(r, number, direction)
        text = one if text is None else msg("{first}; {second}", first=text, second=one)
    assert text is not None
    return text


def describe_enterprise(r: RelatedEnterprise, number: int, direction: str = UP) -> Text:
    """One enterprise in a line: name, stake, and its figures when they are added."""
    one = msg("{name}, {stake}", name=enterprise_name(r, number, direction), stake=stake_text(r))
    if r.control:
        one = msg("{enterprise}, control by other means", enterprise=one)
    if r.relation == EXEMPT:
        one = msg("{enterprise}, exempt investor", enterprise=one)
    elif r.relation == PUBLIC:
        one = msg("{enterprise}, public body", enterprise=one)
    if r.relation in RELATED_KEYS and r.staff is not None and r.turnover is not None:
        one = msg(
            "{enterprise}: {staff} staff, {turnover} turnover",
            enterprise=one,
            staff=Number(r.staff),
            turnover=Money(r.turnover),
        )
        if r.balance_sheet is not None:
            one = msg("{enterprise}, {balance} balance sheet", enterprise=one, balance=Money(r.balance_sheet))
    return one


# --- aggregation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """A related enterprise with its number in the group and the direction of the stake."""

    number: int
    direction: str
    enterprise: RelatedEnterprise

    @property
    def name(self) -> Arg:
        return enterprise_name(self.enterprise, self.number, self.direction)


@dataclass(frozen=True)
class Group:
    """The company's relations: the strongest relation in each direction and the enterprises typed in."""

    owned_by: str = NONE  # others' stakes in the company
    owns: str = NONE  # the company's stakes in other enterprises
    upstream: tuple[RelatedEnterprise, ...] = ()
    downstream: tuple[RelatedEnterprise, ...] = ()

    @property
    def named(self) -> tuple[Named, ...]:
        """Every enterprise given, numbered in each direction as the ownership answers list them."""
        return tuple(Named(i, UP, r) for i, r in enumerate(self.upstream, 1)) + tuple(
            Named(i, DOWN, r) for i, r in enumerate(self.downstream, 1)
        )

    @property
    def public_control(self) -> bool:
        return self.owned_by == PUBLIC or any(r.relation == PUBLIC for r in self.upstream)

    @property
    def related(self) -> tuple[RelatedEnterprise, ...]:
        return tuple(r for r in (*self.upstream, *self.downstream) if r.relation in RELATED_KEYS)

    @property
    def unknown(self) -> bool:
        """Whether a relation is unknown ("don't know")."""
        return UNKNOWN in (self.owned_by, self.owns)

    @property
    def not_aggregated(self) -> bool:
        """Whether a partner or linked relation exists whose figures were not given."""
        return (self.owned_by in RELATED_KEYS and not self.upstream) or (
            self.owns in RELATED_KEYS and not self.downstream
        )

    @property
    def links_unknown(self) -> tuple[Named, ...]:
        """Added enterprises whose own partner or linked enterprises are not known."""
        return tuple(
            n
            for n in self.named
            if n.enterprise.relation in RELATED_KEYS and n.enterprise.links == LINKS_UNKNOWN
        )

    @property
    def provisional(self) -> bool:
        """Whether the category may change once the relations are known and added up."""
        return self.unknown or self.not_aggregated or bool(self.links_unknown)


@dataclass(frozen=True)
class AggregatedFigure:
    """One figure added up over the group, with the text of the sum."""

    own: Decimal
    total: Decimal
    arithmetic: Text


@dataclass(frozen=True)
class Aggregation:
    staff: AggregatedFigure
    turnover: AggregatedFigure
    balance_sheet: AggregatedFigure | None  # None when a balance-sheet total is missing


def share_taken(r: RelatedEnterprise) -> Decimal:
    """The part of its figures that is added, in percent points: the stake, 100 or 0."""
    return r.factor * 100


def _addend(n: Named, value: Decimal, wrap: type[Money] | type[Number]) -> Text:
    r = n.enterprise
    if r.relation == LINKED:
        return msg("{name}: {value} (linked enterprise, in full)", name=n.name, value=wrap(value))
    return msg(
        "{name}: {share} of {value} = {part} (partner enterprise)",
        name=n.name,
        share=Percent(r.stake),
        value=wrap(value),
        part=wrap(_round(value * r.factor)),
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01")).normalize()


def _figure(
    label: Text,
    own: Decimal,
    values: Sequence[tuple[Named, Decimal]],
    wrap: type[Money] | type[Number],
) -> AggregatedFigure:
    replacing = [(n, v) for n, v in values if n.enterprise.replaces_own]
    added = [(n, v) for n, v in values if not n.enterprise.replaces_own]
    if replacing:
        # Consolidated accounts that include the company hold its figures already: they take the place of
        # its own figures. Of several (a parent and its own parent) the largest holds the others.
        base_named, base = max(replacing, key=lambda nv: nv[1])
        sum_text: Arg = msg(
            "{value} ({name}: consolidated figures that include your company's {own})",
            value=wrap(base),
            name=base_named.name,
            own=wrap(own),
        )
    else:
        base = own
        sum_text = msg("{value} (your company)", value=wrap(own))
    total = base + sum((_round(v * n.enterprise.factor) for n, v in added), Decimal(0))
    for n, v in added:
        sum_text = msg("{left} + {right}", left=sum_text, right=_addend(n, v, wrap))
    text = msg("{figure}: {sum} = {total}", figure=label, sum=sum_text, total=wrap(_round(total)))
    return AggregatedFigure(own, _round(total), text)


def aggregate(
    group: Group, staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None
) -> Aggregation | None:
    """The group's figures (None when no partner or linked enterprise was given)."""
    related = [n for n in group.named if n.enterprise.relation in RELATED_KEYS]
    if not related:
        return None
    balance: AggregatedFigure | None = None
    balances = [(n, n.enterprise.balance_sheet) for n in related]
    if balance_sheet is not None and all(b is not None for _, b in balances):
        balance = _figure(
            msg("Balance-sheet total"), balance_sheet, [(n, b) for n, b in balances if b is not None], Money
        )
    return Aggregation(
        staff=_figure(msg("Staff"), staff, [(n, _given(n.enterprise.staff)) for n in related], Number),
        turnover=_figure(
            msg("Turnover"), turnover, [(n, _given(n.enterprise.turnover)) for n in related], Money
        ),
        balance_sheet=balance,
    )


def _given(value: Decimal | None) -> Decimal:
    assert value is not None  # from_dict refuses an added enterprise without staff or turnover
    return value
