"""A typed view of a finished questionnaire, the input of classification and advice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dialogs.group import NONE, Group, related_from_answer
from dialogs.questions import QUESTION_BY_ID, QUESTIONS, Answers


@dataclass(frozen=True)
class CompanyProfile:
    """What the advisor knows about a company once every applicable question is answered.

    Shares are percent points of the whole marketing budget (15 means 15 %).
    """

    staff: Decimal
    turnover: Decimal
    balance_sheet: Decimal | None  # None: not known, or no balance sheet drawn up
    group: Group
    website: str  # "current" | "outdated" | "none"
    social_presence: str  # "strategy" | "occasional" | "none"
    online_share: Decimal
    social_share: Decimal
    controlling_share: Decimal
    results_check: str  # "yes" | "partly" | "no"
    referral: str  # "active" | "occasional" | "none"
    sector: str = "other"  # "craft" | "retail" | "hospitality" | "services" | "manufacturing" | "other"
    customers: str = "both"  # "private" | "business" | "both"
    reach: str = "national"  # "local" | "national" | "international"
    no_balance_sheet: bool = False  # cash-basis accounts (EÜR): there is no balance-sheet total
    banded: frozenset[str] = frozenset()  # ids of number questions answered with a band, not a number
    # Small-business rule of § 19 UStG: "yes" | "no" | "unknown", or "not_asked" (turnover above its limit)
    small_business: str = "not_asked"
    # Selling or booking online to consumers: "shop" | "booking" | "app" | "none", or "not_asked"
    online_offer: str = "not_asked"
    nis2_sector: bool = False  # the sector answer names a sector of the NIS2 annexes


def effective_answers(answers: Answers) -> dict[str, dict[str, str | None]]:
    """Answers with the defaults of questions that do not apply filled in."""
    result = {qid: dict(a) for qid, a in answers.items()}
    for question in QUESTIONS:
        if not question.applies(result):
            result[question.id] = dict(question.default_when_skipped)
    return result


def build_profile(answers: Answers) -> CompanyProfile:
    """Turn complete stored answers into a profile; raises KeyError if one is missing."""
    full = effective_answers(answers)

    def number(qid: str) -> Decimal | None:
        value = full[qid].get("value")
        return None if value is None else Decimal(value)

    def key(qid: str) -> str:
        return str(full[qid]["value"])

    banded = frozenset(
        qid
        for qid, a in full.items()
        if a.get("band")
        and a.get("value") is not None
        and qid in QUESTION_BY_ID
        and QUESTION_BY_ID[qid].is_number
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
        website=key("website"),
        social_presence=key("social_presence"),
        online_share=number("online_share") or Decimal(0),
        social_share=number("social_share") or Decimal(0),
        controlling_share=number("controlling_share") or Decimal(0),
        results_check=key("results_check"),
        referral=key("referral"),
        sector=key("sector"),
        customers=key("customers"),
        reach=key("reach"),
        no_balance_sheet=full["balance_sheet"].get("band") == "no_balance_sheet",
        banded=banded,
    )
