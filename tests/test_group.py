"""Partner and linked enterprises in both directions, public bodies, unknown relations and the sums."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from bot.i18n import Translator
from dialogs.ceilings import SizeClass
from dialogs.classification import classify_sme
from dialogs.engine import handle, restore
from dialogs.events import Choose, Confirm
from dialogs.group import Group, RelatedEnterprise, parse_related, relation_answer
from dialogs.screens import ResultScreen
from dialogs.session import Session
from dialogs.text import InvalidAnswer, Text

D = Decimal
M = D(1_000_000)


def related(stake: str, staff: str, turnover: str, balance: str | None = None) -> RelatedEnterprise:
    """An enterprise as the one-line answer types it."""
    balance_sheet = None if balance is None else D(balance)
    return RelatedEnterprise(Fraction(stake), D(staff), D(turnover), balance_sheet, typed=True)


def render(text: Text, language: str = "en") -> str:
    return Translator(language)(text).replace("\xa0", " ")


# (relations, own staff, own turnover, own balance sheet, expected class, provisional, is SME)
CASES = [
    # independent: own figures decide
    (Group(), "8", "1500000", "1000000", SizeClass.MICRO, False, True),
    (Group(owned_by="lt25", owns="lt25"), "8", "1500000", "1000000", SizeClass.MICRO, False, True),
    # a partner above (40 % of 30 staff = 12): 8 + 12 = 20 staff makes it small
    (
        Group(owned_by="p25_50", upstream=(related("40", "30", "3000000", "2000000"),)),
        "8",
        "1500000",
        "1000000",
        SizeClass.SMALL,
        False,
        True,
    ),
    # the same partner below (the company holds 40 % of it): the same sum, the other direction
    (
        Group(owns="p25_50", downstream=(related("40", "30", "3000000", "2000000"),)),
        "8",
        "1500000",
        "1000000",
        SizeClass.SMALL,
        False,
        True,
    ),
    # a linked parent (60 %) with 300 staff is added in full: 308 staff, no longer an SME
    (
        Group(owned_by="over50", upstream=(related("60", "300", "40000000", "30000000"),)),
        "8",
        "1500000",
        "1000000",
        SizeClass.SMALL_MIDCAP,
        False,
        False,
    ),
    # a linked subsidiary (80 %) with 45 staff: 53 staff, medium
    (
        Group(owns="over50", downstream=(related("80", "45", "5000000", "4000000"),)),
        "8",
        "1500000",
        "1000000",
        SizeClass.MEDIUM,
        False,
        True,
    ),
    # two related enterprises, one in each direction: 8 + 0.3 × 20 + 12 = 26 staff
    (
        Group(
            owned_by="p25_50",
            owns="over50",
            upstream=(related("30", "20", "1000000", "500000"),),
            downstream=(related("51", "12", "800000", "400000"),),
        ),
        "8",
        "1500000",
        "1000000",
        SizeClass.SMALL,
        False,
        True,
    ),
    # a stake under 25 % is not added
    (
        Group(owned_by="lt25", upstream=(related("20", "300", "90000000"),)),
        "8",
        "1500000",
        "1000000",
        SizeClass.MICRO,
        False,
        True,
    ),
    # relations without figures, or unknown: the class is provisional
    (Group(owned_by="p25_50"), "8", "1500000", "1000000", SizeClass.MICRO, True, True),
    (Group(owns="over50"), "8", "1500000", "1000000", SizeClass.MICRO, True, True),
    (Group(owned_by="unknown"), "8", "1500000", "1000000", SizeClass.MICRO, True, True),
    (Group(owns="unknown"), "8", "1500000", "1000000", SizeClass.MICRO, True, True),
    # public bodies holding 25 % or more: not an SME, whatever the figures
    (Group(owned_by="public"), "3", "200000", "100000", SizeClass.MICRO, False, False),
]


@pytest.mark.parametrize(("group", "staff", "turnover", "balance", "category", "provisional", "sme"), CASES)
def test_group_table(
    group: Group,
    staff: str,
    turnover: str,
    balance: str,
    category: SizeClass,
    provisional: bool,
    sme: bool,
) -> None:
    result = classify_sme(D(staff), D(turnover), D(balance), group=group)
    assert result.category is category
    assert result.provisional is provisional
    assert result.is_sme is sme
    headline = render(result.headline)
    assert ("(provisional)" in headline) is provisional
    assert ("(vorläufig)" in render(result.headline, "de")) is provisional


def test_aggregation_changes_the_category_and_shows_the_arithmetic() -> None:
    own = classify_sme(D(8), D(1_500_000), D(1_000_000))
    group = Group(owned_by="p25_50", upstream=(related("40", "30", "3000000", "2000000"),))
    added = classify_sme(D(8), D(1_500_000), D(1_000_000), group=group)
    assert own.category is SizeClass.MICRO and added.category is SizeClass.SMALL
    reasons = [render(r) for r in added.reasons]
    assert reasons[0] == "The EU definition adds the figures of partner and linked enterprises:"
    assert reasons[1] == (
        "Investor 1 holds 40% of your company: partner enterprise, 40% of its figures added"
        " (30 staff, €3 million turnover, €2 million balance sheet). Typed in one line, so taken as an ordinary enterprise"
        " without control by other means whose own partner and linked enterprises are none or included in its"
        " figures."
    )
    assert reasons[2] == "Staff: 8 (your company) + Investor 1: 40% of 30 = 12 (partner enterprise) = 20"
    assert (
        reasons[3]
        == "Turnover: €1.5 million (your company) + Investor 1: 40% of €3 million = €1.2 million (partner enterprise)"
        " = €2.7 million"
    )
    assert reasons[4] == (
        "Balance-sheet total: €1 million (your company) + Investor 1: 40% of €2 million = €800,000 (partner"
        " enterprise)"
        " = €1.8 million"
    )
    # the class is decided on the sums: 20 staff are not fewer than 10
    assert "20" in render(added.reasons[-1])
    german = [render(r, "de") for r in added.reasons]
    assert german[2] == (
        "Mitarbeitende: 8 (Ihr Unternehmen) + Anteilseigner 1: 40 % von 30 = 12 (Partnerunternehmen) = 20"
    )


def test_linked_enterprises_are_added_in_full() -> None:
    group = Group(owns="over50", downstream=(related("80", "45", "5000000"),))
    result = classify_sme(D(8), D(1_500_000), None, group=group)
    assert (
        render(result.reasons[2])
        == "Staff: 8 (your company) + Holding 1: 45 (linked enterprise, in full) = 53"
    )


def test_public_bodies_take_the_company_out_of_the_sme_definition() -> None:
    result = classify_sme(D(3), D(200_000), D(100_000), group=Group(owned_by="public"))
    assert not result.is_sme and result.public_control
    assert "not an SME" in render(result.headline)
    assert "kein KMU" in render(result.headline, "de")


def test_unknown_relations_say_so_in_a_caveat() -> None:
    result = classify_sme(D(8), D(1_500_000), D(1_000_000), group=Group(owns="unknown"))
    assert any("do not know" in c.msgid for c in result.caveats)


@pytest.mark.parametrize("language", ["de", "en"])
def test_typed_related_enterprises_are_read(language: str) -> None:
    text = (
        "40 %; 30; 6 Mio. €; 4 Mio. €/ 60 %; 5; 800000"
        if language == "de"
        else "40%; 30; €6m; €4m / 60%; 5; 800,000"
    )
    first, second = parse_related(text, language)
    assert first == related("40", "30", "6000000", "4000000")
    assert second == related("60", "5", "800000")
    answer = relation_answer(text, language)
    assert answer["value"] == "over50" and len(answer["related"]) == 2


@pytest.mark.parametrize("text", ["40 %", "40; 30", "viele", "40 %; 30; 6 Mio; 4 Mio; 2", "140 %; 3; 1 Mio"])
def test_badly_typed_related_enterprises_are_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer):
        parse_related(text, "de")


def _answer_up_to_ownership(session: Session) -> Session:
    from dialogs.events import AnswerText

    for event in [AnswerText("8"), AnswerText("1,5 Mio"), AnswerText("1 Mio")]:
        session, _ = handle(session, event)
    return session


def test_figures_typed_at_the_ownership_question_reach_the_result() -> None:
    from dialogs.events import AnswerText

    session = _answer_up_to_ownership(Session(language="de"))
    assert session.state == "linked"
    session, reply = handle(session, AnswerText("40 %; 30; 3 Mio. €; 2 Mio. €"))
    assert not reply.rejected and session.state == "owns"
    assert session.answers["linked"]["value"] == "p25_50"
    for event in [
        Choose("owns", "none"),
        Choose("sector", "craft"),
        Choose("customers", "private"),
        Choose("reach", "local"),
        Choose("website", "current"),
        Choose("social_presence", "none"),
        Choose("online_share", "p0"),
        Choose("results_check", "no"),
        Choose("referral", "none"),
        Confirm(),
    ]:
        session, reply = handle(session, event)
    assert isinstance(reply.screen, ResultScreen)
    classification = reply.screen.result.classification
    assert classification.category is SizeClass.SMALL and not classification.provisional


def test_choosing_a_relation_without_figures_gives_a_provisional_result() -> None:
    session = _answer_up_to_ownership(Session(language="en"))
    for event in [
        Choose("linked", "unknown"),
        Choose("owns", "none"),
        Choose("sector", "craft"),
        Choose("customers", "private"),
        Choose("reach", "local"),
        Choose("website", "current"),
        Choose("social_presence", "none"),
        Choose("online_share", "p0"),
        Choose("results_check", "no"),
        Choose("referral", "none"),
        Confirm(),
    ]:
        session, reply = handle(session, event)
    assert isinstance(reply.screen, ResultScreen)
    title = reply.screen.result.sections[0].title
    assert render(title).endswith("(provisional)")


def test_a_stored_session_of_the_old_yes_no_question_carries_over() -> None:
    old = {
        "state": "summary",
        "language": "de",
        "answers": {
            "staff": {"value": "12", "band": None},
            "turnover": {"value": "1500000", "band": None},
            "balance_sheet": {"value": None, "band": "unknown"},
            "linked": {"value": "no", "band": None},
            "website": {"value": "current", "band": None},
        },
    }
    session, notices = restore(old)
    assert session.answers["linked"] == {"value": "none", "band": None}
    assert session.answers["website"]["value"] == "current" and session.answers["staff"]["value"] == "12"
    assert session.state == "owns" and notices and "Your earlier answers are kept" in notices[0].msgid
    old["answers"]["linked"] = {"value": "yes", "band": None}  # type: ignore[index]
    session, notices = restore(old)
    assert session.state == "linked" and "linked" not in session.answers and notices


def test_stored_figures_that_no_longer_read_open_the_question_again() -> None:
    from dialogs.engine import needs_answer
    from dialogs.questions import QUESTION_BY_ID

    broken = {"value": "p25_50", "band": None, "related": [{"stake": "viel", "staff": "3", "turnover": "1"}]}
    assert needs_answer(QUESTION_BY_ID["linked"], {"linked": broken})[0]
    fine = relation_answer("40 %; 30; 3 Mio", "de")
    assert not needs_answer(QUESTION_BY_ID["linked"], {"linked": fine})[0]
