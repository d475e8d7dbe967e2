"""A typed view of a finished questionnaire, the input of classification and advice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from dialogs.answers import (
    Customers,
    Reach,
    Referral,
    ResultsCheck,
    Sector,
    SocialPresence,
    Website,
)
from dialogs.group import NONE, Group, related_from_answer
from dialogs.questions import (
    NIS2_SECTOR_KEYS,
    ONLINE_CUSTOMER_KEYS,
    PLAN_CUSTOMERS,
    PLAN_SECTOR,
    QUESTIONS,
    Answer,
    Answers,
)

# The choice keys of the questions the plan's rules read (``dialogs.answers``): a rule that compares with a key
# that is not one of them (a typo such as "manufactoring") is a mypy error (strict equality).

# Each type's keys as a value, to read a stored answer into its type; a test holds them to the catalogue.
WEBSITES: tuple[Website, ...] = ("current", "outdated", "none")
SOCIAL_PRESENCES: tuple[SocialPresence, ...] = ("strategy", "occasional", "none")
RESULTS_CHECKS: tuple[ResultsCheck, ...] = ("yes", "partly", "no")
REFERRALS: tuple[Referral, ...] = ("active", "occasional", "none")
SECTORS: tuple[Sector, ...] = ("craft", "retail", "hospitality", "services", "manufacturing", "other")
CUSTOMERS: tuple[Customers, ...] = ("private", "business", "both")
REACHES: tuple[Reach, ...] = ("local", "national", "international")

_Key = TypeVar("_Key", bound=str)


def choice_key(value: object, keys: tuple[_Key, ...]) -> _Key:
    """``value`` as one of ``keys``; ``ValueError`` when it is none of them."""
    for key in keys:
        if value == key:
            return key
    raise ValueError(f"not one of {keys}: {value!r}")


@dataclass(frozen=True)
class CompanyProfile:
    """What the advisor knows about a company once every applicable question is answered.

    Shares are percent points of the whole marketing budget (15 means 15 %).
    """

    staff: Decimal
    turnover: Decimal
    balance_sheet: Decimal | None  # None: not known, or no balance sheet drawn up
    group: Group
    website: Website
    social_presence: SocialPresence
    online_share: Decimal
    social_share: Decimal
    controlling_share: Decimal
    results_check: ResultsCheck
    referral: Referral
    sector: Sector = "other"
    customers: Customers = "both"
    reach: Reach = "national"
    no_balance_sheet: bool = False  # cash-basis accounts (EÜR): there is no balance-sheet total
    banded: frozenset[str] = frozenset()  # ids of number questions answered with a band, not a number
    # Small-business rule of § 19 UStG: "yes" | "no" | "unknown", or "not_asked" (turnover above its limit)
    small_business: str = "not_asked"
    # Selling or booking online to consumers: "online" (the customers answer says so), "none", "not_asked"
    # (business customers only); sessions of the earlier questionnaire may carry "shop" | "booking" | "app"
    online_offer: str = "not_asked"
    nis2_sector: bool = False  # the sector answer names a sector of the NIS2 annexes
    # Figures just above a ceiling were above it in the previous year too: "yes" | "no" | "unknown" | "not_asked"
    previous_year: str = "not_asked"


def effective_answers(answers: Answers) -> dict[str, dict[str, str | None]]:
    """Answers with the defaults of questions that do not apply filled in."""
    result = {qid: dict(a) for qid, a in answers.items()}
    for question in QUESTIONS:
        if not question.applies(result):
            result[question.id] = dict(question.default_when_skipped)
    return result


def _read_only_effective(answers: Answers) -> dict[str, Answer]:
    """``effective_answers`` for reading only: the stored answers and defaults themselves, not copies."""
    result: dict[str, Answer] = {qid: a if type(a) is dict else dict(a) for qid, a in answers.items()}
    for question in _CONDITIONAL:
        if not question.applies(result):
            result[question.id] = question.default_when_skipped
    return result


# The number questions, whose answers may stand for a band; the questions asked only on some answers
_NUMBER_IDS = frozenset(q.id for q in QUESTIONS if q.is_number)
_CONDITIONAL = tuple(q for q in QUESTIONS if not q.asked_always)


def build_profile(answers: Answers) -> CompanyProfile:
    """Turn complete stored answers into a profile; raises KeyError if one is missing."""
    full = _read_only_effective(answers)

    def number(qid: str) -> Decimal | None:
        value = full[qid].get("value")
        return None if value is None else Decimal(value)

    def key(qid: str) -> str:
        return str(full[qid]["value"])

    def optional(qid: str) -> str:
        # answers stored before these questions existed, or built without them, read as "not asked"
        return str(full.get(qid, {}).get("value") or "not_asked")

    banded = frozenset(
        qid for qid, a in full.items() if a.get("band") and a.get("value") is not None and qid in _NUMBER_IDS
    )
    staff, turnover = number("staff"), number("turnover")
    assert staff is not None and turnover is not None
    return CompanyProfile(
        staff=staff,
        turnover=turnover,
        balance_sheet=number("balance_sheet"),
        group=Group(
            owned_by=key("linked"),
            owns=str(full.get("owns", {}).get("value") or NONE),
            upstream=related_from_answer(full.get("linked")),
            downstream=related_from_answer(full.get("owns")),
        ),
        website=choice_key(key("website"), WEBSITES),
        social_presence=choice_key(key("social_presence"), SOCIAL_PRESENCES),
        online_share=number("online_share") or Decimal(0),
        social_share=number("social_share") or Decimal(0),
        controlling_share=number("controlling_share") or Decimal(0),
        results_check=choice_key(key("results_check"), RESULTS_CHECKS),
        referral=choice_key(key("referral"), REFERRALS),
        sector=choice_key(PLAN_SECTOR.get(key("sector"), key("sector")), SECTORS),
        customers=choice_key(PLAN_CUSTOMERS.get(key("customers"), key("customers")), CUSTOMERS),
        reach=choice_key(key("reach"), REACHES),
        no_balance_sheet=full["balance_sheet"].get("band") == "no_balance_sheet",
        banded=banded,
        small_business=optional("small_business"),
        online_offer=_online_offer(key("customers"), optional("online_offer")),
        nis2_sector=key("sector") in NIS2_SECTOR_KEYS,
        previous_year=optional("previous_year"),
    )


def _online_offer(customers: str, stored: str) -> str:
    """Whether private customers buy or book online, from the customers answer (or an earlier separate one)."""
    if customers in ONLINE_CUSTOMER_KEYS:
        return "online"
    if stored != "not_asked":
        return stored
    return "not_asked" if customers == "business" else "none"
