"""No independent company is asked more than the welcome promises, whatever it answers.

The grid holds, for each answer that changes what is asked, values on both sides of every threshold a rule
reads: the micro/small/medium/large ceilings (just under, just over, far over), the small-business limit, the
balance sheet as number, band, "no balance sheet" and "don't know", every customer group, online budget or
none. Independent means no partner or linked enterprise (no stakes, or stakes under 25 %, both ways).
"""

from __future__ import annotations

import itertools
from typing import Any

from dialogs.engine import handle
from dialogs.events import AnswerText, Choose
from dialogs.questions import MOST_ASKED, QUESTION_BY_ID, QUESTIONS
from dialogs.session import RESULT, SUMMARY, Session

STAFF = ("1", "9.5", "10.5", "12", "49", "55", "120", "260", "800")
TURNOVER = ("60000", "90000", "900000", "2100000", "5000000", "10500000", "30000000", "52000000", "200000000")
BALANCE: tuple[dict[str, Any], ...] = (
    {"value": None, "band": "unknown"},
    {"value": None, "band": "no_balance_sheet"},
    {"value": "1000000", "band": None},
    {"value": "2100000", "band": None},
    {"value": "10500000", "band": None},
    {"value": "44000000", "band": None},
    {"value": "25000000", "band": "10_43m"},
)
INDEPENDENT = (("none", "none"), ("lt25", "none"), ("none", "lt25"))
CUSTOMERS = tuple(c.key for c in QUESTION_BY_ID["customers"].choices)
ONLINE = ("0", "20")


def asked(answers: dict[str, dict[str, Any]]) -> list[str]:
    return [q.id for q in QUESTIONS if q.applies(answers)]


def grid() -> list[dict[str, dict[str, Any]]]:
    cases = []
    for staff, turnover, balance, (linked, owns), customers, online in itertools.product(
        STAFF, TURNOVER, BALANCE, INDEPENDENT, CUSTOMERS, ONLINE
    ):
        cases.append(
            {
                "staff": {"value": staff, "band": None},
                "turnover": {"value": turnover, "band": None},
                "balance_sheet": balance,
                "linked": {"value": linked, "band": None},
                "owns": {"value": owns, "band": None},
                "customers": {"value": customers, "band": None},
                "social_presence": {"value": "strategy", "band": None},
                "online_share": {"value": online, "band": None},
            }
        )
    return cases


def test_every_independent_company_is_asked_at_most_the_promised_number() -> None:
    counts = {path: len(path) for path in {tuple(asked(a)) for a in grid()}}
    worst = max(counts.values())
    assert worst == MOST_ASKED, [path for path, n in counts.items() if n == worst][:3]


def test_the_worst_path_is_what_the_engine_really_asks() -> None:
    """The grid counts applicable questions; here the engine itself is walked along a longest path."""
    script = [
        Choose("staff", "lt10"),
        AnswerText("2100000"),
        Choose("balance_sheet", "unknown"),
        Choose("linked", "none"),
        Choose("owns", "none"),
    ]
    session = Session(language="en")
    shown = []
    for event in script:
        session, reply = handle(session, event)
    # staff 5 (band) and turnover just over €2 million: the two-year rule asks about the previous year
    replies = {"previous_year": Choose("previous_year", "yes"), "sector": Choose("sector", "retail")}
    replies |= {
        "customers": Choose("customers", "both_online"),
        "reach": Choose("reach", "national"),
        "website": Choose("website", "current"),
        "social_presence": Choose("social_presence", "strategy"),
        "online_share": AnswerText("20"),
        "social_share": AnswerText("5"),
        "controlling_share": AnswerText("2"),
        "results_check": Choose("results_check", "yes"),
        "referral": Choose("referral", "active"),
    }
    shown = ["staff", "turnover", "balance_sheet", "linked", "owns"]
    while session.state not in (SUMMARY, RESULT):
        shown.append(session.state)
        session, reply = handle(session, replies[session.state])
        assert not reply.rejected
    assert len(shown) == len(set(shown)) <= MOST_ASKED
    assert "previous_year" in shown and "controlling_share" in shown


def test_the_online_offer_is_part_of_the_customers_question() -> None:
    """The accessibility law needs to know whether consumers buy or book online; it costs no question."""
    keys = {c.key for c in QUESTION_BY_ID["customers"].choices}
    assert {"private_online", "both_online"} <= keys
    assert "online_offer" not in QUESTION_BY_ID


def test_a_session_stored_with_the_separate_online_offer_question_still_loads() -> None:
    from dialogs.engine import restore
    from dialogs.profile import build_profile

    answered = {
        "staff": {"value": "30", "band": None},
        "turnover": {"value": "3000000", "band": None},
        "balance_sheet": {"value": None, "band": "unknown"},
        "linked": {"value": "none", "band": None},
        "owns": {"value": "none", "band": None},
        "sector": {"value": "retail", "band": None},
        "customers": {"value": "private", "band": None},
        "online_offer": {"value": "shop", "band": None},
    }
    session, _ = restore({"state": "reach", "answers": answered, "language": "de"})
    assert session.state == "reach" and session.answers["customers"]["value"] == "private_online"
    assert "online_offer" not in session.answers
    rest = {
        "reach": {"value": "national"},
        "website": {"value": "current"},
        "social_presence": {"value": "none"},
        "online_share": {"value": "0", "band": "p0"},
        "results_check": {"value": "no"},
        "referral": {"value": "none"},
    }
    profile = build_profile({**session.answers, **rest})
    assert (profile.customers, profile.online_offer) == ("private", "online")
    # waiting at the old question: the customers question is asked again, its answer kept as the default
    waiting, _ = restore(
        {"state": "online_offer", "answers": answered | {"online_offer": {}}, "language": "de"}
    )
    assert waiting.state == "customers" and waiting.answers["customers"]["value"] == "private"
    said_no = answered | {"online_offer": {"value": "none", "band": None}}
    kept, _ = restore({"state": "reach", "answers": said_no, "language": "de"})
    assert build_profile({**kept.answers, **rest}).online_offer == "none"
