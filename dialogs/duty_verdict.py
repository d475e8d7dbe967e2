"""A legal duty judged for one company on one day: the verdict type every duty module returns.

Kept apart from the duties themselves so that each duty's rules can live in a module of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from dialogs.text import Text

RULES_CHECKED = date(2026, 12, 1)

DUE_SOON_MONTHS = 3

DUTY_IDS = ("e_invoice_receive", "e_invoice_issue", "accessibility", "nis2")


class DutyStatus(StrEnum):
    """Whether a duty applies to the company: yes, no, or it depends on a figure the user did not give."""

    APPLIES = "applies"
    DOES_NOT_APPLY = "does_not_apply"
    DEPENDS = "depends"


@dataclass(frozen=True)
class DutyVerdict:
    """One legal duty judged for one company on one day."""

    duty_id: str
    status: DutyStatus
    title: Text
    starts_on: date | None
    depends_on: Text | None
    verdict: Text
    action: Text | None
    source: Text
    source_date: date
    as_of: date

    @property
    def days_left(self) -> int | None:
        """Days from ``as_of`` until the duty starts (0 once it has started); ``None`` without a date."""
        if self.starts_on is None:
            return None
        return max(0, (self.starts_on - self.as_of).days)

    @property
    def due_soon(self) -> bool:
        """It applies, or may apply, from a day still ahead and at most ``DUE_SOON_MONTHS`` months away."""
        return (
            self.status is not DutyStatus.DOES_NOT_APPLY
            and self.starts_on is not None
            and self.as_of < self.starts_on <= add_months(self.as_of, DUE_SOON_MONTHS)
        )

    @property
    def started(self) -> bool:
        return self.starts_on is not None and self.starts_on <= self.as_of


@lru_cache(maxsize=256)  # asked for every verdict of every result, for a handful of days
def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
