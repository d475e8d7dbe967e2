"""The result sections, and what the size class means for a German company (dated)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.i18n import Translator
from dialogs.advice import build_advice
from dialogs.classification import classify_sme
from dialogs.duties import evaluate_duties
from dialogs.group import Group
from dialogs.profile import CompanyProfile
from dialogs.questions import QUESTION_BY_ID
from dialogs.sections import (
    AS_OF,
    COMPARE_HEADING,
    Changes,
    Line,
    Section,
    Style,
    duty_line,
    result_sections,
    since_last_check,
    size_class_meaning,
    with_history,
    with_peers,
)
from dialogs.text import msg

D = Decimal

BASE = CompanyProfile(
    staff=D(6),
    turnover=D(1_200_000),
    balance_sheet=None,
    group=Group(),
    website="current",
    social_presence="occasional",
    online_share=D(30),
    social_share=D(5),
    controlling_share=D(1),
    results_check="partly",
    referral="occasional",
    sector="retail",
    customers="private",
    reach="national",
)


DEC_1 = date(2026, 12, 1)


def meaning(p: CompanyProfile, as_of: date = DEC_1) -> list[str]:
    c = classify_sme(p.staff, p.turnover, p.balance_sheet, banded=p.banded, group=p.group)
    duties = evaluate_duties(p, c, as_of=as_of)
    return [Translator("en")(point).replace("\xa0", " ") for point in size_class_meaning(p, c, duties)]


def test_every_point_is_dated_and_names_its_source() -> None:
    for p in (BASE, replace(BASE, customers="business"), replace(BASE, staff=D(400), turnover=D(90_000_000))):
        points = meaning(p)
        assert len(points) == 5  # receiving and issuing e-invoices, accessibility, NIS2, funding
        assert all("(as of 1 December 2026)" in point and "Source:" in point for point in points[:4])
        assert Translator("en")(AS_OF) in points[4]


@pytest.mark.parametrize(
    ("turnover", "banded", "expected"),
    [
        (D(1_200_000), False, "applies from 1 January 2027"),
        (D(500_000), False, "may send paper or PDF invoices until the end of 2027"),
        (
            D(1_000_000),
            True,
            "depends on whether your total turnover of 2026 under VAT law is above €800,000",
        ),
    ],
)
def test_issuing_e_invoices_follows_the_turnover(turnover: Decimal, banded: bool, expected: str) -> None:
    p = replace(BASE, customers="both", turnover=turnover, banded=frozenset({"turnover"} if banded else ()))
    if banded:
        band = QUESTION_BY_ID["turnover"].choice("upto2m")
        assert band is not None and band.value == turnover
    issuing = meaning(p)[1]
    assert expected in issuing
    assert "roughly" in issuing or banded


def test_private_customers_only_are_told_consumer_invoices_are_not_covered() -> None:
    assert "invoices to consumers are not covered" in meaning(BASE)[1]


def test_accessibility_exemption_is_computed_from_the_answers() -> None:
    shop = replace(BASE, online_offer="shop")
    assert "you are exempt for the services" in meaning(shop)[2]
    assert "exemption does not apply" in meaning(replace(shop, staff=D(12)))[2]
    assert (
        "exemption does not apply"
        in meaning(replace(shop, turnover=D(3_000_000), balance_sheet=D(3_000_000)))[2]
    )
    assert "depends on whether your balance-sheet total" in meaning(replace(shop, turnover=D(3_000_000)))[2]
    assert "not covered" in meaning(replace(shop, customers="business"))[2]


def test_funding_points_to_the_sme_declaration_or_says_plainly_it_is_not_an_sme() -> None:
    assert "SME declaration" in meaning(BASE)[4] and "foerderdatenbank.de" in meaning(BASE)[4]
    big = meaning(replace(BASE, staff=D(400), turnover=D(90_000_000)))[4]
    assert "not an SME" in big and "SME declaration" not in big
    assert "provisional" in meaning(replace(BASE, group=Group(owned_by="unknown")))[4]


def test_the_size_class_section_shows_the_verdicts_the_plan_acts_on() -> None:
    p = replace(BASE, customers="business", staff=D(12))
    c = classify_sme(p.staff, p.turnover, p.balance_sheet, group=p.group)
    advice = build_advice(p, c, as_of=DEC_1)
    section = next(s for s in result_sections(p, c, advice) if s.id == "size_class")
    shown = [line.text for line in section.lines]
    assert shown[:4] == [duty_line(v) for v in advice.duties]
    issue = next(step for step in advice.steps if step.duty_id == "e_invoice_issue")
    assert issue.priority == 1 and issue.days_left == 31
    assert issue.why == advice.duties[1].verdict


def test_the_sections_come_in_order_with_at_most_two_steps_this_week() -> None:
    c = classify_sme(BASE.staff, BASE.turnover, BASE.balance_sheet, group=BASE.group)
    sections = result_sections(BASE, c, build_advice(BASE, c, as_of=DEC_1))
    assert [s.id for s in sections] == ["classification", "score", "plan", "size_class"]
    plan = sections[2].lines
    headings = [line.text.msgid for line in plan if line.style is Style.HEADING]
    assert headings == ["This week", "This quarter"]
    week = plan[1 : next(i for i, line in enumerate(plan) if line.text.msgid == "This quarter")]
    assert 1 <= sum(1 for line in week if line.style is Style.STEP) <= 2
    assert sum(1 for line in plan if line.style is Style.DETAIL) == sum(
        1 for line in plan if line.style is Style.STEP
    )


# --- what the bot's data adds: since the last check, and the peer benchmark ------------------------------


def _sections() -> tuple[Section, ...]:
    c = classify_sme(BASE.staff, BASE.turnover, BASE.balance_sheet, group=BASE.group)
    return result_sections(BASE, c, build_advice(BASE, c, as_of=DEC_1))


@pytest.mark.parametrize(
    ("delta", "said"),
    [
        (-7, "Your digital gap shrank by {points} points. Well done!"),
        (0, "Your digital gap is unchanged."),
        (3, "Your digital gap grew by {points} points."),
    ],
)
def test_since_the_last_check_says_each_change_under_its_heading(delta: int, said: str) -> None:
    changes = Changes(category=msg("small enterprise"), score_delta=delta, steps_done=2, steps_marked_done=1)
    lines = since_last_check(changes)
    assert lines[0] == Line(msg("Since your last check"), Style.HEADING)
    assert all(line.style is Style.BULLET for line in lines[1:])
    assert [line.text.msgid for line in lines[1:]] == [
        "Your size class changed to: {category}",
        said,
        "Steps you marked done: {count}",
        "Steps you no longer need: {count}",
    ]
    assert since_last_check(None) == ()
    quiet = since_last_check(Changes(category=None, score_delta=0, steps_done=0))
    assert [line.text.msgid for line in quiet[1:]] == ["Your digital gap is unchanged."]


def test_the_history_goes_under_the_size_class_and_the_peers_among_the_comparisons() -> None:
    sections = _sections()
    changes = Changes(category=None, score_delta=-4, steps_done=0)
    peer = msg("Companies of your size class in our data spend {share} of their marketing budget online")
    shown = with_history(sections, changes=changes, peer=peer)
    assert [s.id for s in shown] == [s.id for s in sections] and shown[2:] == sections[2:]
    assert shown[0].lines == sections[0].lines + since_last_check(changes)
    assert shown[1].lines[: len(sections[1].lines)] == sections[1].lines
    assert shown[1].lines[-1] == Line(peer, Style.BULLET)
    headings = [line for line in shown[1].lines if line == Line(COMPARE_HEADING, Style.HEADING)]
    assert len(headings) == 1  # the peer joins the comparisons, under their one heading
    assert with_history(sections, changes=None, peer=None) == sections
    alone = with_peers((Line(msg("0 means no gap, 100 the widest gap. How it adds up:")),), peer)
    assert alone[1:] == (Line(COMPARE_HEADING, Style.HEADING), Line(peer, Style.BULLET))
