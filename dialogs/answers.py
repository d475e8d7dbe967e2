"""The stored answers, typed: which question ids exist, and which keys a choice answer may hold.

A session stores its answers as JSON, ``{question id: {"value": ..., "band": ...}}``. ``StoredAnswers`` names
every question id and, for a choice question, the ``Literal`` of its keys, so that reading ``"custmers"`` or
comparing with ``"buisness"`` in a rule is a mypy error (strict equality), not a rule that never fires.
``tests/test_answers.py`` holds these types to the catalogue in ``dialogs.questions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Literal, NotRequired, TypedDict, TypeVar, cast

# The keys of the choice questions (the plan's rules read them through ``CompanyProfile``).
Website = Literal["current", "outdated", "none"]
SocialPresence = Literal["strategy", "occasional", "none"]
ResultsCheck = Literal["yes", "partly", "no"]
Referral = Literal["active", "occasional", "none"]
Sector = Literal["craft", "retail", "hospitality", "services", "manufacturing", "other"]
Customers = Literal["private", "business", "both"]
Reach = Literal["local", "national", "international"]
# The sector as asked: two of its answers are read as a plan sector (``PLAN_SECTOR``) and name a NIS2 sector.
AskedSector = Literal[
    "craft",
    "retail",
    "hospitality",
    "services",
    "manufacturing_nis2",
    "manufacturing",
    "infrastructure",
    "other",
]
# The customers as asked: two of the answers also say that private customers buy or book online
# (``PLAN_CUSTOMERS`` maps them to ``Customers``).
AskedCustomers = Literal["private", "private_online", "business", "both", "both_online"]
Linked = Literal["none", "lt25", "p25_50", "over50", "public", "unknown"]
Owns = Literal["none", "lt25", "p25_50", "over50", "unknown"]
YesNoUnknown = Literal["yes", "no", "unknown"]

_Key = TypeVar("_Key", bound=str)


class ChoiceAnswer(TypedDict, Generic[_Key]):
    """A chosen key (``band`` is None: the choice is the answer)."""

    value: _Key
    band: NotRequired[None]


class RelationAnswer(ChoiceAnswer[_Key], Generic[_Key]):
    """A relation: the chosen key, or the strongest relation of the enterprises typed in (``related``)."""

    related: NotRequired[list[dict[str, Any]]]


class NumberAnswer(TypedDict):
    """A figure as a decimal string: the typed number, or the representative of the band in ``band``."""

    value: str | None
    band: NotRequired[str | None]


class StoredAnswers(TypedDict, total=False):
    """Every question's stored answer; a question not answered (yet) has no key."""

    staff: NumberAnswer
    turnover: NumberAnswer
    balance_sheet: NumberAnswer
    linked: RelationAnswer[Linked]
    owns: RelationAnswer[Owns]
    previous_year: ChoiceAnswer[YesNoUnknown]
    sector: ChoiceAnswer[AskedSector]
    customers: ChoiceAnswer[AskedCustomers]
    small_business: ChoiceAnswer[YesNoUnknown]
    reach: ChoiceAnswer[Reach]
    website: ChoiceAnswer[Website]
    social_presence: ChoiceAnswer[SocialPresence]
    online_share: NumberAnswer
    social_share: NumberAnswer
    controlling_share: NumberAnswer
    results_check: ChoiceAnswer[ResultsCheck]
    referral: ChoiceAnswer[Referral]


def typed(answers: Mapping[str, Mapping[str, Any]]) -> StoredAnswers:
    """The answers as stored, read through their types. The engine stores only question ids of the catalogue
    and, for a choice question, one of its keys (the fuzz holds every session to that), so this is a view."""
    return cast(StoredAnswers, answers)


def chosen(answer: ChoiceAnswer[_Key] | None) -> _Key | None:
    """The key of a choice answer, or None when the question is not answered."""
    return None if not answer else answer.get("value")
