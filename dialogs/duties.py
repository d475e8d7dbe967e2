"""Legal duties that hang on size, sector and dates, as data, each judged against an "as of" date.

The plan, the section "What your size class means" and the PDF all read the verdicts from here, so they
never disagree. Public API (kept stable for other modules, e.g. deadline reminders)::

    evaluate_duties(profile, classification, *, as_of=None) -> tuple[DutyVerdict, ...]

One ``DutyVerdict`` per duty, always in the order of ``DUTY_IDS``:

- ``duty_id``: "e_invoice_receive", "e_invoice_issue", "accessibility" or "nis2" (never renamed);
- ``status``: ``DutyStatus.APPLIES``, ``DOES_NOT_APPLY`` or ``DEPENDS`` (on a figure the user did not give);
- ``title``: the duty in a few words ("Issue e-invoices to business customers");
- ``starts_on``: the day the duty starts or started; for ``DEPENDS`` the earliest day it may start;
  ``None`` when it does not apply;
- ``depends_on``: for ``DEPENDS``, the unknown figure and the value that decides it; else ``None``;
- ``verdict``: the verdict in full sentences; ``action``: what the firm must do (``None`` if nothing);
- ``source`` and ``source_date``: the law or guidance it rests on; ``as_of``: the day it was judged on;
- ``days_left`` (days from ``as_of`` to ``starts_on``, 0 once started) and ``due_soon`` (it starts within
  ``DUE_SOON_MONTHS`` months and applies or may apply).

The rules were checked against the law as of December 2026 (``RULES_CHECKED``); see the sources named in each
verdict. Pure: no I/O, no clock except the default of ``as_of``. Each duty's rules live in a module of its
own (``duty_e_invoicing``, ``duty_accessibility``, ``duty_nis2``); the verdict type in ``duty_verdict``.
"""

from __future__ import annotations

from datetime import date

from dialogs.classification import Classification
from dialogs.duty_accessibility import accessibility
from dialogs.duty_e_invoicing import issue, receive
from dialogs.duty_nis2 import nis2
from dialogs.duty_verdict import DUE_SOON_MONTHS, DUTY_IDS, RULES_CHECKED, DutyStatus, DutyVerdict, add_months
from dialogs.profile import CompanyProfile

__all__ = [
    "DUE_SOON_MONTHS",
    "DUTY_IDS",
    "RULES_CHECKED",
    "DutyStatus",
    "DutyVerdict",
    "add_months",
    "evaluate_duties",
]


def evaluate_duties(
    profile: CompanyProfile, classification: Classification, *, as_of: date | None = None
) -> tuple[DutyVerdict, ...]:
    """Judge each duty of ``DUTY_IDS`` for the company on ``as_of`` (today unless given)."""
    day = date.today() if as_of is None else as_of
    return (
        receive(day),
        issue(profile, day),
        accessibility(profile, classification, day),
        nis2(profile, classification, day),
    )
