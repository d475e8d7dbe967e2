"""A respondent's session as plain data (state name, answers, language), and the upgrade of older sessions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogs.questions import QUESTIONS
from dialogs.text import Text, language_for, msg

SUMMARY = "summary"
RESULT = "result"
STATES: tuple[str, ...] = (*(q.id for q in QUESTIONS), SUMMARY, RESULT)
FIRST = QUESTIONS[0].id


@dataclass
class Session:
    """Everything the advisor remembers of one respondent's questionnaire; JSON-serializable."""

    state: str = FIRST
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    language: str = "de"

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "answers": self.answers, "language": self.language}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        session = cls(
            state=str(data.get("state", FIRST)),
            answers={k: dict(v) for k, v in dict(data.get("answers") or {}).items()},
            language=language_for(str(data.get("language") or "de")),
        )
        _fold_online_offer(session)
        return session

    @property
    def finished(self) -> bool:
        return self.state == RESULT


def upgrade_legacy(session: Session) -> tuple[Text, ...]:
    """Carry a session stored by an earlier questionnaire over to this one; the notices say what changed."""
    old_linked = session.answers.get("linked", {}).get("value")
    if old_linked in _OLD_OWNERSHIP_ANSWERS:
        # The single yes/no question became two questions with shares; "no" carries over, "yes" needs the share.
        if old_linked == "no":
            session.answers["linked"] = {"value": "none", "band": None}
        else:
            del session.answers["linked"]
        return (_NEW_QUESTIONS,)
    if (
        session.answers
        and session.state in (SUMMARY, RESULT)
        and not session.answers.keys() >= _NEW_QUESTION_IDS
    ):
        return (_NEW_QUESTIONS,)
    return ()


_OLD_OWNERSHIP_ANSWERS = frozenset({"yes", "no"})
_NEW_QUESTION_IDS = frozenset({"owns", "sector", "customers", "reach"})
_NEW_QUESTIONS = msg(
    "The advisor now asks a few more questions (ownership in both directions, sector, customers and reach)."
    " Your earlier answers are kept."
)


_ONLINE_OFFERS = frozenset({"shop", "booking", "app"})


def _fold_online_offer(session: Session) -> None:
    """The online offer for private customers was a question of its own; it is now part of the customers
    answer. A stored "yes" carries over into it; a session waiting at that question asks the customers
    question again, so that nothing answered is lost and nothing unanswered is assumed."""
    offer = session.answers.pop("online_offer", None)
    customers = session.answers.get("customers") or {}
    if offer and offer.get("value") in _ONLINE_OFFERS and customers.get("value") in ("private", "both"):
        session.answers["customers"] = {**customers, "value": f"{customers['value']}_online"}
    if session.state == "online_offer":
        session.state = "customers"
