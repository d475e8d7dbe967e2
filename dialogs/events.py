"""The events a channel hands the engine: an answer, a choice, a move, a restart, a language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Show:
    """Show the current screen again (e.g. on /start with a session in progress)."""


@dataclass(frozen=True)
class AnswerText:
    """A typed answer to the current question."""

    text: str


@dataclass(frozen=True)
class Choose:
    """A choice offered on the screen of ``question_id`` (from a button or a numbered list)."""

    question_id: str
    key: str


@dataclass(frozen=True)
class Back:
    """Go back one question (from the result: back to the summary)."""


@dataclass(frozen=True)
class Edit:
    """From the summary, change the answer to one question, then return to the summary."""

    question_id: str


@dataclass(frozen=True)
class Confirm:
    """From the summary, show the result."""


@dataclass(frozen=True)
class Restart:
    """Forget the answers and start again."""


@dataclass(frozen=True)
class SwitchLanguage:
    """Continue in another language."""

    language: str


Event = Show | AnswerText | Choose | Back | Edit | Confirm | Restart | SwitchLanguage
