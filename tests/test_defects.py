"""Regression tests for the defects a consultant found in the transcripts: each failed before its fix."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.i18n import Translator, format_money
from bot.tips.catalogue import Tip, load_catalogue, next_tip
from dialogs.advice import build_advice
from dialogs.classification import Classification, SizeClass, classify_sme
from dialogs.engine import AnswerText, Session, handle
from dialogs.group import LINKED, PUBLIC, UNKNOWN, Group, RelatedEnterprise
from dialogs.profile import CompanyProfile
from dialogs.questions import QUESTION_BY_ID
from dialogs.sections import Style, result_sections
from dialogs.text import Text

D = Decimal
EN = Translator("en")
DEC_1 = date(2026, 12, 1)
ROOT = Path(__file__).resolve().parent.parent

BASE = CompanyProfile(
    staff=D(30),
    turnover=D(5_000_000),
    balance_sheet=D(3_000_000),
    group=Group(),
    website="outdated",
    social_presence="none",
    online_share=D(0),
    social_share=D(0),
    controlling_share=D(0),
    results_check="no",
    referral="none",
    sector="manufacturing",
    customers="business",
    reach="national",
)


def classify(p: CompanyProfile) -> Classification:
    return classify_sme(
        p.staff,
        p.turnover,
        p.balance_sheet,
        banded=p.banded,
        group=p.group,
        no_balance_sheet=p.no_balance_sheet,
    )


def everything(p: CompanyProfile, language: str = "en") -> str:
    """Every line of the result as a reader sees it."""
    c = classify(p)
    t = Translator(language)
    sections = result_sections(p, c, build_advice(p, c, as_of=DEC_1))
    return "\n".join([t(s.title) for s in sections] + [t(line.text) for s in sections for line in s.lines])


def test_public_bodies_the_company_would_be_small_but_is_not_an_sme() -> None:
    p = replace(BASE, group=Group(owned_by=PUBLIC))
    c = classify(p)
    assert "not an SME" in EN(c.headline) and not c.is_sme
    reasons = " ".join(EN(r) for r in c.reasons)
    assert "would be a small enterprise" in reasons and "is a small enterprise" not in reasons
    plan = " ".join(EN(s.title) for s in build_advice(p, c, as_of=DEC_1).steps)
    assert "above the SME ceilings" not in plan and "outside the SME definition" in plan
    hint = QUESTION_BY_ID["linked"].hint
    assert hint is not None and "5,000 inhabitants" in EN(hint)


def test_the_json_calls_a_company_held_by_public_bodies_not_an_sme() -> None:
    tree = ast.parse((ROOT / "bot" / "console.py").read_text(encoding="utf-8"))
    source = ast.unparse(tree)
    assert "'not_sme' if c.public_control else c.category.value" in source


def test_an_unknown_balance_sheet_that_decides_makes_the_headline_provisional() -> None:
    c = classify(replace(BASE, turnover=D(20_000_000), balance_sheet=None))
    assert c.category is SizeClass.MEDIUM
    assert "(provisional)" in EN(c.headline) and c.provisional
    known = classify(replace(BASE, turnover=D(20_000_000), balance_sheet=D(15_000_000)))
    assert "(provisional)" not in EN(known.headline)


def test_bands_are_never_printed_as_figures() -> None:
    p = replace(
        BASE, staff=D(120), turnover=D(25_000_000), balance_sheet=None, banded=frozenset({"turnover"})
    )
    assert QUESTION_BY_ID["turnover"].choice("10_50m") is not None
    for language in ("en", "de"):
        text = everything(p, language).replace("\xa0", " ")
        for figure in (
            "25,000,000",
            "25.000.000",
            "10,000,001",
            "10.000.001",
            "10,000,000.01",
            "€25 million",
        ):
            assert figure not in text, (language, figure)


@pytest.mark.parametrize(
    ("staff", "turnover", "balance", "reason"),
    [
        (D(300), D(40_000_000), D(30_000_000), "up to 499 staff"),
        (D("9.5"), D(1_000_000), D(500_000), "up to 9 staff"),
        (D(30), D(12_000_000), D(8_000_000), "turnover alone"),
    ],
)
def test_the_ifm_difference_gives_the_reason_that_applies(
    staff: Decimal, turnover: Decimal, balance: Decimal, reason: str
) -> None:
    c = classify(replace(BASE, staff=staff, turnover=turnover, balance_sheet=balance))
    assert c.ifm_note is not None and reason in EN(c.ifm_note)


def test_no_online_share_is_lower_not_no_higher() -> None:
    text = everything(replace(BASE, online_share=D(0)))
    assert "no higher" not in text and "lower still" in text


def test_the_eurostat_index_is_not_presented_as_the_gap_to_close() -> None:
    text = everything(BASE)
    assert "gap to close" not in text and "12 digital technologies" in text


def test_the_chart_draws_the_2014_figure_once_for_social_media_and_controlling() -> None:
    from bot.chart import split_bars

    yours, survey = split_bars((D(15), D(3), D(1)))
    assert survey == [10.0, 1.0] and yours == [15.0, 4.0]


SUBSIDIARY = replace(
    BASE,
    staff=D(8),
    turnover=D(1_200_000),
    balance_sheet=D(900_000),
    group=Group(
        owned_by=LINKED, upstream=(RelatedEnterprise(D(100), D(5000), D(900_000_000), D(800_000_000)),)
    ),
)


@pytest.mark.parametrize("language", ["en", "de"])
def test_own_figures_and_group_figures_are_compared_apart_and_labelled(language: str) -> None:
    t = Translator(language)
    c = classify(SUBSIDIARY)
    score = result_sections(SUBSIDIARY, c, build_advice(SUBSIDIARY, c, as_of=DEC_1))[1]
    headings = [i for i, line in enumerate(score.lines) if line.style is Style.HEADING]
    assert len(headings) == 2, [t(score.lines[i].text) for i in headings]
    own, group = (t(score.lines[i].text) for i in headings)
    assert {"en": "own figures", "de": "eigenen Zahlen"}[language] in own
    assert {"en": "5,008 staff", "de": "5.008 Mitarbeitende"}[language] in group.replace("\xa0", " ")
    own_block = " ".join(t(line.text) for line in score.lines[headings[0] : headings[1]])
    group_block = " ".join(t(line.text) for line in score.lines[headings[1] :])
    assert "KfW" in own_block and "Eurostat" not in own_block  # the KfW bands read the firm's own 8 staff
    assert "Eurostat" in group_block and "KfW" not in group_block  # the size class is the group's
    # without relations there is one block, with no label to puzzle over
    alone = result_sections(BASE, classify(BASE), build_advice(BASE, classify(BASE), as_of=DEC_1))[1]
    assert sum(line.style is Style.HEADING for line in alone.lines) == 1


def test_a_large_firm_no_relation_could_make_smaller_is_not_provisional() -> None:
    c = classify(replace(BASE, staff=D(1000), turnover=D(500_000_000), group=Group(owned_by=UNKNOWN)))
    assert c.category is SizeClass.LARGE and "(provisional)" not in EN(c.headline) and not c.provisional


def test_the_unknown_relations_caveat_is_a_whole_sentence() -> None:
    c = classify(replace(BASE, group=Group(owned_by=UNKNOWN)))
    caveats = " ".join(EN(caveat) for caveat in c.caveats)
    assert "or it of them" not in caveats and "or whether your company holds that much of others" in caveats


@pytest.mark.parametrize("typed", ["weiß nicht", "Weiss nicht", "keine Ahnung", "don't know"])
def test_dont_know_at_a_number_question_points_to_the_ranges(typed: str) -> None:
    session, reply = handle(Session(language="de"), AnswerText(typed))
    assert reply.rejected and session.state == "staff"
    assert reply.notices[0].msgid.startswith("No exact figure needed: choose the range")


def test_english_amounts_read_as_prose() -> None:
    assert format_money(D(2_000_000), "en") == "€2 million"
    assert format_money(D(2_500_000), "en") == "€2.5 million"
    assert format_money(D(2_000_000), "de").replace("\xa0", " ") == "2 Mio. €"


def test_the_bot_description_and_the_welcome_give_the_same_duration() -> None:
    from bot.telegram.introduction import DESCRIPTION, SHORT_DESCRIPTION

    texts: list[Text] = [DESCRIPTION, SHORT_DESCRIPTION]
    assert all("about 4 minutes" in text.msgid for text in texts)
    for module in ("bot/telegram/consent.py", "bot/console.py", "bot/telegram/introduction.py"):
        source = (ROOT / module).read_text(encoding="utf-8")
        assert "about 3 minutes" not in source, module


def _mittelstand_digital_tips(language: str) -> list[Tip]:
    return [
        tip
        for tip in load_catalogue(language)
        if "Mittelstand-Digital" in " ".join((tip.title, tip.do, tip.why, tip.measure))
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_mittelstand_digital_tip_names_the_ministry_by_its_current_name(language: str) -> None:
    ministry = {"de": "Bundesministerium für Wirtschaft und Energie (BMWE)", "en": "(BMWE)"}[language]
    tips = _mittelstand_digital_tips(language)
    assert tips and all(ministry in tip.why for tip in tips if "ministry" in tip.why or "minister" in tip.why)
    assert any(ministry in tip.why for tip in tips)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_mittelstand_digital_tip_never_reaches_a_firm_that_is_not_an_sme(language: str) -> None:
    tips = _mittelstand_digital_tips(language)
    ids = {tip.id for tip in tips}
    for tip in tips:
        assert tip.sizes and set(tip.sizes) <= {"micro", "small", "medium"}, tip.id
        # A group chat has no size class and gets every tip: the text itself says whom the centres serve.
        assert {"de": "KMU", "en": "SME"}[language] in tip.do + tip.why, tip.id
    catalogue = load_catalogue(language)
    for size_class in ("small_midcap", "large", "micro"):
        seen: set[str] = set()
        while True:
            tip, new_round = next_tip(catalogue, seen, size_class)
            if new_round:
                break
            seen.add(tip.id)
        assert bool(seen & ids) is (size_class == "micro"), size_class
