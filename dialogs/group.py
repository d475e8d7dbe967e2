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
RELATED_KEYS = frozenset({PARTNER, LINKED})


@dataclass(frozen=True)
class RelatedEnterprise:
    """An enterprise holding a stake in the company, or held by it; ``stake`` in percent points."""

    stake: Decimal
    staff: Decimal
    turnover: Decimal
    balance_sheet: Decimal | None

    @property
    def relation(self) -> str:
        return relation_for_stake(self.stake)

    @property
    def factor(self) -> Decimal:
        """The part of its figures that is added: the stake for a partner, all for a linked enterprise."""
        if self.relation == LINKED:
            return Decimal(1)
        if self.relation == PARTNER:
            return self.stake / 100
        return Decimal(0)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "stake": str(self.stake),
            "staff": str(self.staff),
            "turnover": str(self.turnover),
            "balance_sheet": None if self.balance_sheet is None else str(self.balance_sheet),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RelatedEnterprise:
        balance = data.get("balance_sheet")
        return cls(
            Decimal(str(data["stake"])),
            Decimal(str(data["staff"])),
            Decimal(str(data["turnover"])),
            None if balance is None else Decimal(str(balance)),
        )


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


def describe_related(related: Sequence[RelatedEnterprise]) -> Text:
    """The typed enterprises as they read back in the summary."""
    text: Text | None = None
    for r in related:
        one = msg(
            "{stake}: {staff} staff, {turnover} turnover",
            stake=Percent(r.stake),
            staff=Number(r.staff),
            turnover=Money(r.turnover),
        )
        if r.balance_sheet is not None:
            one = msg("{enterprise}, {balance} balance sheet", enterprise=one, balance=Money(r.balance_sheet))
        text = one if text is None else msg("{first}; {second}", first=text, second=one)
    assert text is not None
    return text


# --- aggregation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The company's relations: the strongest relation in each direction and the enterprises typed in."""

    owned_by: str = NONE  # others' stakes in the company
    owns: str = NONE  # the company's stakes in other enterprises
    upstream: tuple[RelatedEnterprise, ...] = ()
    downstream: tuple[RelatedEnterprise, ...] = ()

    @property
    def public_control(self) -> bool:
        return self.owned_by == PUBLIC

    @property
    def related(self) -> tuple[RelatedEnterprise, ...]:
        return tuple(r for r in (*self.upstream, *self.downstream) if r.relation in RELATED_KEYS)

    def _open(self, relation: str, typed: tuple[RelatedEnterprise, ...]) -> bool:
        return relation == UNKNOWN or (relation in RELATED_KEYS and not typed)

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
    def provisional(self) -> bool:
        """Whether the category may change once the relations are known and added up."""
        return self.unknown or self.not_aggregated


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


def _addend(r: RelatedEnterprise, value: Decimal, wrap: type[Money] | type[Number]) -> Text:
    if r.relation == LINKED:
        return msg("{value} (linked enterprise, in full)", value=wrap(value))
    return msg(
        "{share} of {value} = {part} (partner enterprise)",
        share=Percent(r.stake),
        value=wrap(value),
        part=wrap(_round(value * r.factor)),
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01")).normalize()


def _figure(
    label: Text,
    own: Decimal,
    values: Sequence[tuple[RelatedEnterprise, Decimal]],
    wrap: type[Money] | type[Number],
) -> AggregatedFigure:
    total = own + sum((_round(v * r.factor) for r, v in values), Decimal(0))
    sum_text: Arg = msg("{value} (your company)", value=wrap(own))
    for r, v in values:
        sum_text = msg("{left} + {right}", left=sum_text, right=_addend(r, v, wrap))
    text = msg("{figure}: {sum} = {total}", figure=label, sum=sum_text, total=wrap(_round(total)))
    return AggregatedFigure(own, _round(total), text)


def aggregate(
    group: Group, staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None
) -> Aggregation | None:
    """The group's figures (None when no partner or linked enterprise was typed in)."""
    related = group.related
    if not related:
        return None
    balance: AggregatedFigure | None = None
    if balance_sheet is not None and all(r.balance_sheet is not None for r in related):
        balance = _figure(
            msg("Balance-sheet total"),
            balance_sheet,
            [(r, r.balance_sheet) for r in related if r.balance_sheet is not None],
            Money,
        )
    return Aggregation(
        staff=_figure(msg("Staff"), staff, [(r, r.staff) for r in related], Number),
        turnover=_figure(msg("Turnover"), turnover, [(r, r.turnover) for r in related], Money),
        balance_sheet=balance,
    )
