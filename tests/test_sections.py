"""The result sections, and what the size class means for a German company (dated)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.i18n import Translator
from dialogs.advice import build_advice
from dialogs.classification import classify_sme
from dialogs.group import Group
from dialogs.profile import CompanyProfile
from dialogs.questions import QUESTION_BY_ID
from dialogs.sections import AS_OF, Style, result_sections, size_class_meaning

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


def meaning(p: CompanyProfile) -> list[str]:
    c = classify_sme(p.staff, p.turnover, p.balance_sheet, banded=p.banded, group=p.group)
    return [Translator("en")(point).replace("\xa0", " ") for point in size_class_meaning(p, c)]


def test_every_point_is_dated() -> None:
    for p in (BASE, replace(BASE, customers="business"), replace(BASE, staff=D(400), turnover=D(90_000_000))):
        points = meaning(p)
        assert len(points) == 4
        assert all(Translator("en")(AS_OF) in point for point in points)


@pytest.mark.parametrize(
    ("turnover", "banded", "expected"),
    [
        (D(1_200_000), False, "from 1 January 2027 if your 2026 turnover"),
        (D(500_000), False, "may still send paper or PDF invoices in 2027"),
        (D(1_000_000), True, "if your 2026 turnover is above €800,000"),  # the band up to €2 m straddles it
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
    assert "you are exempt for services" in meaning(BASE)[2]
    assert "exemption does not apply" in meaning(replace(BASE, staff=D(12)))[2]
    assert "exemption does not apply" in meaning(replace(BASE, turnover=D(3_000_000)))[2]
    assert "not covered" in meaning(replace(BASE, customers="business"))[2]


def test_funding_points_to_the_sme_declaration_or_says_plainly_it_is_not_an_sme() -> None:
    assert "SME declaration" in meaning(BASE)[3] and "foerderdatenbank.de" in meaning(BASE)[3]
    big = meaning(replace(BASE, staff=D(400), turnover=D(90_000_000)))[3]
    assert "not an SME" in big and "SME declaration" not in big
    assert "provisional" in meaning(replace(BASE, group=Group(owned_by="unknown")))[3]


def test_the_sections_come_in_order_with_at_most_two_steps_this_week() -> None:
    c = classify_sme(BASE.staff, BASE.turnover, BASE.balance_sheet, group=BASE.group)
    sections = result_sections(BASE, c, build_advice(BASE, c))
    assert [s.id for s in sections] == ["classification", "score", "plan", "size_class"]
    plan = sections[2].lines
    headings = [line.text.msgid for line in plan if line.style is Style.HEADING]
    assert headings == ["This week", "This quarter"]
    week = plan[1 : next(i for i, line in enumerate(plan) if line.text.msgid == "This quarter")]
    assert 1 <= sum(1 for line in week if line.style is Style.STEP) <= 2
    assert sum(1 for line in plan if line.style is Style.DETAIL) == sum(
        1 for line in plan if line.style is Style.STEP
    )
