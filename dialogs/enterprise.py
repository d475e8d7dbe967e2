"""One related enterprise under the EU SME definition: its stake, the relation that makes, its figures.

A stake of 25 % up to 50 % makes a partner enterprise (its figures are added in proportion to the stake),
more than 50 % or control by other means a linked enterprise (added in full). ``dialogs.group`` adds a
company's related enterprises up; this module names and describes one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from dialogs.text import Arg, Money, Number, Percent, Text, msg

PARTNER_FROM = Fraction(25)  # a stake of at least this makes a partner enterprise
LINKED_ABOVE = Fraction(50)  # a stake above this makes a linked enterprise
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

    The stake is exact (a Fraction): one third of €6 million adds €2,000,000, not €1,999,800.
    Enterprises typed in one line carry only the stake and figures (``typed``); the guided questions add
    the rest. Figures are None for an enterprise that is not added (an exempt investor, a public body,
    under 25 %).
    """

    stake: Fraction
    staff: Decimal | None
    turnover: Decimal | None
    balance_sheet: Decimal | None
    label: str | None = None  # the user's name for it: shown back to the user, never stored in results
    control: bool = False  # control by other means (board, contract, agreement with other shareholders)
    investor: str = ORDINARY
    links: str = LINKS_NONE
    consolidated: bool = False  # its figures are consolidated accounts that already include the company
    stake_band: str | None = None  # "lt25" or "over50" when chosen by button: the stake is a stand-in
    typed: bool = False  # typed in one line: control, investor type and own links were not asked

    def __post_init__(self) -> None:
        # Typed percentages arrive as Decimal; kept as a Fraction, every share of a figure is exact.
        object.__setattr__(self, "stake", Fraction(self.stake))

    @cached_property
    def relation(self) -> str:
        # worked out once (it is immutable): adding up a group asks each enterprise many times
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
    def factor(self) -> Fraction:
        """The part of its figures that is added: the stake for a partner, all for a linked enterprise."""
        if self.relation == LINKED:
            return Fraction(1)
        if self.relation == PARTNER:
            return self.stake / 100
        return Fraction(0)

    def share_of(self, value: Decimal) -> Decimal:
        """The part of ``value`` that is added, to the cent (exact before rounding)."""
        factor = self.factor
        exact = value * factor.numerator / factor.denominator
        return exact.quantize(Decimal("0.01")).normalize()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "stake": stake_key(self.stake),
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
        if self.typed:
            data["typed"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RelatedEnterprise:
        enterprise = cls(
            Fraction(str(data["stake"])),
            _decimal(data.get("staff")),
            _decimal(data.get("turnover")),
            _decimal(data.get("balance_sheet")),
            label=None if data.get("label") is None else str(data["label"]),
            control=bool(data.get("control")),
            investor=str(data.get("investor") or ORDINARY),
            links=str(data.get("links") or LINKS_NONE),
            consolidated=bool(data.get("consolidated")),
            stake_band=None if data.get("stake_band") is None else str(data["stake_band"]),
            typed=bool(data.get("typed")),
        )
        if enterprise.relation in RELATED_KEYS and (enterprise.staff is None or enterprise.turnover is None):
            raise ValueError("an added enterprise needs its staff and turnover")
        return enterprise


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def stake_key(stake: Fraction) -> str:
    """A stake as stored: "35", "12.5", or "100/3" where no decimal is exact."""
    if stake.denominator == 1:
        return str(stake.numerator)
    places = Decimal(stake.numerator) / Decimal(stake.denominator)
    return format(places, "f") if Fraction(places) == stake else str(stake)


def stake_arg(stake: Fraction) -> Arg:
    """A stake as the reader sees it: "35 %", or "1/3 (33.3 %)" for a simple fraction that the percent
    only approximates, so that the arithmetic can be checked."""
    points = Decimal(stake.numerator) / Decimal(stake.denominator)
    share = stake / 100
    if share.denominator > 12 or Fraction(points.quantize(Decimal("0.1"))) == stake:
        return Percent(points)
    fraction = str(share)  # "1/3"
    return msg("{fraction} ({points})", fraction=fraction, points=Percent(points))


def relation_for_stake(stake: Fraction | Decimal) -> str:
    """The relation a stake makes: none, under 25 %, partner (25–50 %) or linked (over 50 %)."""
    if stake > LINKED_ABOVE:
        return LINKED
    if stake >= PARTNER_FROM:
        return PARTNER
    return UNDER_25 if stake > 0 else NONE


STAKE_BANDS: dict[str, Text] = {"lt25": msg("under 25%"), "over50": msg("over 50%")}


def enterprise_name(r: RelatedEnterprise, number: int, direction: str = UP) -> Arg:
    """The user's label, or "investor 2" / "holding 2" (numbered per direction) for one without a name."""
    return r.label if r.label else default_name(number, direction)


def default_name(number: int, direction: str) -> Text:
    if direction == UP:
        return msg("Investor {number}", number=number)
    return msg("Holding {number}", number=number)


def stake_text(r: RelatedEnterprise) -> Arg:
    return STAKE_BANDS[r.stake_band] if r.stake_band in STAKE_BANDS else stake_arg(r.stake)


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
