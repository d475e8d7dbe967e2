"""The figures of the SME declaration worksheet, following the Commission's model declaration.

The model declaration (Annex to Commission Recommendation 2003/361/EC, in the User Guide to the SME
definition) has a sheet for the type of enterprise, the data used, a calculation sheet for partner
enterprises and one for linked enterprises, and the totals. This module computes their contents from a
result; ``bot.report.declaration`` lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dialogs.group import LINKED, PARTNER, RELATED_KEYS, UNKNOWN, Group, Named, share_taken

AUTONOMOUS = "autonomous"
NOT_SME = "not_sme"
ENTERPRISE_TYPES = (AUTONOMOUS, "partner", "linked", NOT_SME, UNKNOWN)


def enterprise_type(group: Group) -> str:
    """The type of enterprise as the declaration asks it: autonomous, partner, linked (or not an SME).

    Where enterprises were given in a direction their relations decide, else the answer chosen there.
    """
    if group.public_control:
        return NOT_SME
    relations: set[str] = set()
    for key, given in ((group.owned_by, group.upstream), (group.owns, group.downstream)):
        relations |= {r.relation for r in given} if given else {key}
    if LINKED in relations:
        return "linked"
    if PARTNER in relations:
        return "partner"
    if UNKNOWN in relations:
        return UNKNOWN
    return AUTONOMOUS


@dataclass(frozen=True)
class Figures:
    staff: Decimal
    turnover: Decimal
    balance_sheet: Decimal | None


@dataclass(frozen=True)
class SheetRow:
    """One enterprise on a calculation sheet: its figures, the share taken and what is added."""

    named: Named
    figures: Figures
    share: Decimal  # percent points taken: the stake for a partner, 100 for a linked enterprise
    added: Figures


@dataclass(frozen=True)
class Worksheet:
    enterprise_type: str
    own: Figures
    consolidated: SheetRow | None  # consolidated accounts that include the company stand for its own figures
    partners: tuple[SheetRow, ...]
    linked: tuple[SheetRow, ...]
    not_added: tuple[Named, ...]
    partner_sum: Figures
    linked_sum: Figures
    total: Figures


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01")).normalize()


def _row(named: Named) -> SheetRow:
    r = named.enterprise
    assert r.staff is not None and r.turnover is not None
    factor = r.factor

    def part(value: Decimal | None) -> Decimal | None:
        return None if value is None else _round(value * factor)

    staff, turnover = part(r.staff), part(r.turnover)
    assert staff is not None and turnover is not None
    return SheetRow(
        named,
        Figures(r.staff, r.turnover, r.balance_sheet),
        share_taken(r),
        Figures(staff, turnover, part(r.balance_sheet)),
    )


def _sum(rows: tuple[SheetRow, ...]) -> Figures:
    balances = [row.added.balance_sheet for row in rows]
    return Figures(
        sum((row.added.staff for row in rows), Decimal(0)),
        sum((row.added.turnover for row in rows), Decimal(0)),
        None if any(b is None for b in balances) else sum((b for b in balances if b is not None), Decimal(0)),
    )


def worksheet(group: Group, staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None) -> Worksheet:
    """The calculation sheets of the model declaration for the company's own figures and its group.

    The totals are those the classification uses (the same rounding and the same consolidation rule):
    consolidated accounts of a linked enterprise that include the company stand in for its own figures.
    """
    named = group.named
    rows = [_row(n) for n in named if n.enterprise.relation in RELATED_KEYS]
    replacing = [row for row in rows if row.named.enterprise.replaces_own]
    consolidated = max(replacing, key=lambda row: row.figures.turnover) if replacing else None
    partners = tuple(row for row in rows if row.named.enterprise.relation == PARTNER)
    linked = tuple(row for row in rows if row.named.enterprise.relation == LINKED and row not in replacing)
    own = Figures(staff, turnover, balance_sheet)
    base = consolidated.figures if consolidated is not None else own
    partner_sum, linked_sum = _sum(partners), _sum(linked)
    total_balance = (
        None
        if base.balance_sheet is None or partner_sum.balance_sheet is None or linked_sum.balance_sheet is None
        else base.balance_sheet + partner_sum.balance_sheet + linked_sum.balance_sheet
    )
    return Worksheet(
        enterprise_type=enterprise_type(group),
        own=own,
        consolidated=consolidated,
        partners=partners,
        linked=linked,
        not_added=tuple(n for n in named if n.enterprise.relation not in RELATED_KEYS),
        partner_sum=partner_sum,
        linked_sum=linked_sum,
        total=Figures(
            _round(base.staff + partner_sum.staff + linked_sum.staff),
            _round(base.turnover + partner_sum.turnover + linked_sum.turnover),
            None if total_balance is None else _round(total_balance),
        ),
    )


def statistics_answers(answers: Mapping[str, Mapping[str, Any]], group: Group) -> dict[str, dict[str, Any]]:
    """The answers as a stored result keeps them: the ownership answers as the relation chosen, the type of
    enterprise beside them; never the labels or figures of related enterprises (they stay in the session)."""
    kept = {
        qid: {k: v for k, v in answer.items() if k in ("value", "band")} for qid, answer in answers.items()
    }
    kept["enterprise_type"] = {"value": enterprise_type(group), "band": None}
    return kept
