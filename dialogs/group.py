"""A company's partner and linked enterprises under the EU SME definition: reading them and adding them up.

Others' stakes in the company and the company's own stakes in other enterprises count alike; what one
enterprise's stake makes of it lives in ``dialogs.enterprise``. Public bodies holding 25 % or more take the
company out of the SME definition whatever its figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from dialogs.enterprise import (
    DOWN,
    LINKED,
    LINKS_UNKNOWN,
    MAX_RELATED,
    NONE,
    PARTNER,
    PUBLIC,
    RELATED_KEYS,
    UNDER_25,
    UNKNOWN,
    UP,
    RelatedEnterprise,
    describe_enterprise,
    enterprise_name,
    relation_for_stake,
    stake_arg,
)
from dialogs.parsing import parse_money, parse_percent, parse_staff
from dialogs.text import Arg, InvalidAnswer, Money, Number, Text, msg

# The relation vocabulary is the group's too: the advisor reads it from here.
__all__ = [
    "DOWN",
    "LINKED",
    "NONE",
    "PARTNER",
    "UNDER_25",
    "UNKNOWN",
    "UP",
    "AggregatedFigure",
    "Aggregation",
    "Group",
    "Named",
    "RelatedEnterprise",
    "aggregate",
    "describe_related",
    "parse_related",
    "related_from_answer",
    "relation_answer",
    "relation_for_stake",
    "share_taken",
]


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
        related.append(RelatedEnterprise(Fraction(stake), staff, turnover, balance, typed=True))
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


def describe_related(related: Sequence[RelatedEnterprise], direction: str = UP) -> Text:
    """The typed enterprises as they read back in the summary."""
    text: Text | None = None
    for number, r in enumerate(related, 1):
        one = describe_enterprise(r, number, direction)
        text = one if text is None else msg("{first}; {second}", first=text, second=one)
    assert text is not None
    return text


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
    """The company's relations: the strongest relation in each direction and the enterprises typed in.

    Immutable, so the enterprises are numbered once: a classification reads them many times.
    """

    owned_by: str = NONE  # others' stakes in the company
    owns: str = NONE  # the company's stakes in other enterprises
    upstream: tuple[RelatedEnterprise, ...] = ()
    downstream: tuple[RelatedEnterprise, ...] = ()

    @cached_property
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

    @cached_property
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


def share_taken(r: RelatedEnterprise) -> Fraction:
    """The part of its figures that is added, in percent points: the stake, 100 or 0."""
    return r.factor * 100


def _addend(n: Named, value: Decimal, wrap: type[Money] | type[Number]) -> Text:
    r = n.enterprise
    if r.relation == LINKED:
        return msg("{name}: {value} (linked enterprise, in full)", name=n.name, value=wrap(value))
    return msg(
        "{name}: {share} of {value} = {part} (partner enterprise)",
        name=n.name,
        share=stake_arg(r.stake),
        value=wrap(value),
        part=wrap(r.share_of(value)),
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
    total = base + sum((n.enterprise.share_of(v) for n, v in added), Decimal(0))
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
