"""Dated legal deadlines that apply to a company, for reminders: each with an id, its date and a title.

The reminders only need this small interface; the duties themselves (which law, for whom, from when) are decided
in one place, and ``deadlines_for`` is the one function that hands them over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs.classification import figure_bounds
from dialogs.engine import Result
from dialogs.sections import E_INVOICE_TURNOVER_LIMIT
from dialogs.text import Money, Text, msg

E_INVOICE_ISSUING_2027 = date(2027, 1, 1)
E_INVOICE_ISSUING_2028 = date(2028, 1, 1)
E_INVOICE_SOURCE = msg("Source: § 14 and § 27 Abs. 38 UStG, as of December 2026.")


@dataclass(frozen=True)
class Deadline:
    """A legal duty's date: ``id`` is stable (it travels in the reminders' ledger), ``title`` names the duty."""

    id: str
    on: date
    title: Text
    source: Text = E_INVOICE_SOURCE


def deadlines_for(result: Result) -> tuple[Deadline, ...]:
    """The dated duties ahead of this company: issuing e-invoices to business customers (§ 14, § 27 Abs. 38
    UStG) from 1 January 2027 above €800,000 turnover in 2026, from 1 January 2028 for everyone."""
    profile = result.profile
    if profile.customers == "private":  # the duty covers invoices to businesses only
        return ()
    low, high = figure_bounds("turnover", profile.turnover, profile.banded)
    limit = Money(E_INVOICE_TURNOVER_LIMIT)
    if low is not None and low > E_INVOICE_TURNOVER_LIMIT:
        return (
            Deadline(
                "e_invoice_2027",
                E_INVOICE_ISSUING_2027,
                msg("Issuing e-invoices to business customers (turnover above {limit})", limit=limit),
            ),
        )
    deadlines = []
    if high is None or high > E_INVOICE_TURNOVER_LIMIT:  # a band reaching over the limit: say what decides
        deadlines.append(
            Deadline(
                "e_invoice_2027",
                E_INVOICE_ISSUING_2027,
                msg(
                    "Issuing e-invoices to business customers, if your 2026 turnover is above {limit}",
                    limit=limit,
                ),
            )
        )
    deadlines.append(
        Deadline("e_invoice_2028", E_INVOICE_ISSUING_2028, msg("Issuing e-invoices to business customers"))
    )
    return tuple(deadlines)
