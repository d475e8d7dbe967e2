"""Dated legal deadlines ahead of a company, for reminders: each with an id, its date, a title and its source.

The reminders only need this small interface; which duties apply, for whom and from when is decided in
``dialogs.duties``, and ``deadlines_for`` is the one function that hands them over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs.duties import DutyStatus, evaluate_duties
from dialogs.engine import Result
from dialogs.text import Text


@dataclass(frozen=True)
class Deadline:
    """A legal duty's date: ``id`` is stable (it travels in the reminders' ledger), ``title`` names the duty."""

    id: str
    on: date
    title: Text
    source: Text


def deadlines_for(result: Result, as_of: date) -> tuple[Deadline, ...]:
    """The duties that apply (or may apply, depending on a figure) from a day after ``as_of``."""
    return tuple(
        Deadline(verdict.duty_id, verdict.starts_on, verdict.title, verdict.source)
        for verdict in evaluate_duties(result.profile, result.classification, as_of=as_of)
        if verdict.status is not DutyStatus.DOES_NOT_APPLY
        and verdict.starts_on is not None
        and verdict.starts_on > as_of
    )
