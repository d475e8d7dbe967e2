"""The shapes of the questionnaire: answers, offered choices and questions, and the range an answer stands for."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from dialogs.text import Text, msg

# A stored answer: {"value": str | None, "band": str | None}.  For number questions "value" is a decimal
# string (the typed number, or the representative of the chosen band); for choice questions it is the key.
Answer = Mapping[str, Any]
Answers = Mapping[str, Answer]


@dataclass(frozen=True)
class Choice:
    """An offered answer. For number questions a band: ``low``..``high`` with a representative ``value``."""

    key: str
    label: Text
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


def _always(answers: Answers) -> bool:
    return True


def _no_check(value: Decimal, answers: Answers) -> None:
    return None


@dataclass(frozen=True)
class Question:
    """One step of the questionnaire."""

    id: str
    prompt: Text
    summary_label: Text
    hint: Text | None = None
    choices: tuple[Choice, ...] = ()
    # (text, language) -> value; None means the question is answered by choosing only.
    parser: Callable[[str, str], Decimal] | None = None
    applies: Callable[[Answers], bool] = _always
    check: Callable[[Decimal, Answers], None] = _no_check
    # Value assumed when the question does not apply (e.g. no social-media share without online budget).
    default_when_skipped: Answer = field(default_factory=dict)
    # For a choice question that also takes typed details: (text, language) -> the whole stored answer.
    text_parser: Callable[[str, str], dict[str, Any]] | None = None

    @property
    def is_number(self) -> bool:
        return self.parser is not None

    @property
    def asked_always(self) -> bool:
        """Whether the question applies whatever the other answers are."""
        return self.applies is _always

    @property
    def accepts_text(self) -> bool:
        return self.parser is not None or self.text_parser is not None

    def choice(self, key: str) -> Choice | None:
        return self._choice_by_key.get(key)

    @cached_property
    def _choice_by_key(self) -> dict[str, Choice]:
        # Every stored answer is checked against its choices on each restore: a lookup, not a scan.
        by_key: dict[str, Choice] = {}
        for choice in self.choices:
            by_key.setdefault(choice.key, choice)  # the first of equal keys, as a scan would find
        return by_key


def band(key: str, label: Text, value: str, low: str | None, high: str | None) -> Choice:
    """A band of a number question: ``low``..``high`` (inclusive), ``value`` standing for it."""
    return Choice(
        key,
        label,
        Decimal(value),
        None if low is None else Decimal(low),
        None if high is None else Decimal(high),
    )


def answer_range(choices: Sequence[Choice], answer: Answer | None) -> tuple[Decimal, Decimal] | None:
    """The interval an answer stands for: its band's bounds (among ``choices``), or the exact number twice."""
    if not answer or answer.get("value") is None:
        return None
    key = answer.get("band")
    chosen = next((c for c in choices if c.key == key), None) if key else None
    if chosen is not None and chosen.low is not None and chosen.high is not None:
        return chosen.low, chosen.high
    try:
        value = Decimal(answer["value"])
    except (ArithmeticError, ValueError, TypeError):
        return None  # a stored figure that reads as no number is unknown here; its own question comes again
    return (value, value) if value.is_finite() else None


YES_NO_UNKNOWN = (Choice("yes", msg("Yes")), Choice("no", msg("No")), Choice("unknown", msg("Don't know")))
