"""Related enterprises asked one by one: the table of cases, the whole dialogue in both channels, the
declaration worksheet, and what statistics and exports keep of them."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.export import COLUMNS, anonymous_rows, snapshot
from bot.i18n import Translator
from bot.report.declaration import build_declaration
from bot.storage import Storage
from bot.telegram import callback_data as data
from dialogs.brief import View
from dialogs.ceilings import SizeClass
from dialogs.classification import classify_sme
from dialogs.declaration import enterprise_type, statistics_answers, worksheet
from dialogs.engine import evaluate
from dialogs.group import Group, RelatedEnterprise, parse_related
from dialogs.group_text import enterprise_line
from dialogs.questions import MOST_ASKED
from dialogs.relation_fields import parse_stake
from dialogs.text import InvalidAnswer, Text
from tests.support.console import console
from tests.support.harness import GERMAN_ANSWERS, USER, Harness, consent

D = Decimal


def render(text: Text, language: str = "en") -> str:
    return Translator(language)(text).replace("\xa0", " ")


def firm(
    stake: str, staff: str | None, turnover: str | None, balance: str | None = None, **kw: object
) -> RelatedEnterprise:
    return RelatedEnterprise(
        D(stake),
        None if staff is None else D(staff),
        None if turnover is None else D(turnover),
        None if balance is None else D(balance),
        **kw,  # type: ignore[arg-type]
    )


# (group, expected class, is SME, provisional, staff total, turnover total, type of enterprise)
CASES = {
    "30 % partner with its figures": (
        Group(owned_by="p25_50", upstream=(firm("30", "20", "3000000", "2000000", label="Holding"),)),
        SizeClass.MICRO,
        True,
        False,
        D(8),
        D(2_400_000),
        "partner",
    ),  # 2 + 30 % of 20 = 8 staff; 1.5 m + 0.9 m turnover, but 1 m + 0.6 m balance sheet keeps it micro
    "40 % partner changes the class": (
        Group(owned_by="p25_50", upstream=(firm("40", "30", "3000000", "2000000"),)),
        SizeClass.SMALL,
        True,
        False,
        D(14),
        D(2_700_000),
        "partner",
    ),
    "45 % business angel stays autonomous": (
        Group(owned_by="p25_50", upstream=(firm("45", None, None, investor="angel", label="Angel"),)),
        SizeClass.MICRO,
        True,
        False,
        None,
        None,
        "autonomous",
    ),
    "60 % parent, consolidated figures include the firm": (
        Group(
            owned_by="over50",
            upstream=(firm("60", "40", "8000000", "6000000", consolidated=True, label="Mutter AG"),),
        ),
        SizeClass.SMALL,
        True,
        False,
        D(40),
        D(8_000_000),
        "linked",
    ),  # 40 staff, not 42: the firm's own 2 are in the parent's consolidated accounts already
    "control by contract at 20 % makes it linked": (
        Group(owned_by="over50", upstream=(firm("20", "30", "3000000", "2000000", control=True),)),
        SizeClass.SMALL,
        True,
        False,
        D(32),
        D(4_500_000),
        "linked",
    ),
    "own stakes of 35 % and 70 %": (
        Group(
            owns="over50",
            downstream=(firm("35", "20", "1000000", "1000000"), firm("70", "10", "2000000", "1000000")),
        ),
        SizeClass.SMALL,
        True,
        False,
        D(19),
        D(3_850_000),
        "linked",
    ),  # 2 + 7 + 10 staff; 1.5 m + 0.35 m + 2 m
    "two partners and one linked together": (
        Group(
            owned_by="p25_50",
            owns="over50",
            upstream=(firm("25", "40", "4000000", "4000000"), firm("50", "20", "2000000", "2000000")),
            downstream=(firm("100", "30", "10000000", "5000000"),),
        ),
        SizeClass.MEDIUM,
        True,
        False,
        D(52),
        D(13_500_000),
        "linked",
    ),  # 2 + 10 + 10 + 30 = 52 staff
    "a public body with 25 % or more": (
        Group(owned_by="p25_50", upstream=(firm("30", None, None, investor="public_body"),)),
        SizeClass.MICRO,
        False,
        False,
        None,
        None,
        "not_sme",
    ),
    "own links of a partner unknown": (
        Group(
            owned_by="p25_50", upstream=(firm("30", "20", "3000000", "2000000", links="unknown", label="X"),)
        ),
        SizeClass.MICRO,
        True,
        True,
        D(8),
        D(2_400_000),
        "partner",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_table_of_related_enterprises(name: str) -> None:
    group, category, sme, provisional, staff, turnover, kind = CASES[name]
    result = classify_sme(D(2), D(1_500_000), D(1_000_000), group=group)
    assert result.category is category, render(result.reasons[-1])
    assert result.is_sme is sme
    assert result.provisional is provisional
    assert ("provisional" in render(result.headline)) is provisional
    assert enterprise_type(group) == kind
    if staff is None:
        assert result.aggregation is None
    else:
        assert result.aggregation is not None
        assert result.aggregation.staff.total == staff and result.aggregation.turnover.total == turnover
        # the worksheet adds up to the same totals as the classification
        sheet = worksheet(group, D(2), D(1_500_000), D(1_000_000))
        assert (sheet.total.staff, sheet.total.turnover) == (staff, turnover)
    # every enterprise is listed in the reasons, with its label where it has one
    reasons = "\n".join(render(r) for r in result.reasons)
    for n in group.named:
        assert render(n.name) in reasons if not isinstance(n.name, str) else n.name in reasons


def test_unknown_own_links_say_what_is_missing_in_the_headline() -> None:
    group, *_ = CASES["own links of a partner unknown"]
    result = classify_sme(D(2), D(1_500_000), D(1_000_000), group=group)
    assert render(result.headline) == (
        "Your company: micro enterprise (provisional: the own partner and linked enterprises of X are not known)"
    )
    assert "vorläufig" in render(result.headline, "de")


def test_public_body_headline_says_not_an_sme() -> None:
    group, *_ = CASES["a public body with 25 % or more"]
    result = classify_sme(D(2), D(1_500_000), D(1_000_000), group=group)
    assert result.public_control and "not an SME" in render(result.headline)


@pytest.mark.parametrize(
    ("text", "language", "stake"),
    [
        ("35 %", "de", "35"),
        ("35", "de", "35"),
        ("ein Drittel", "de", "100/3"),
        ("one third", "en", "100/3"),
        ("zwei Drittel", "de", "200/3"),
        ("1/4", "en", "25"),
        ("die Hälfte", "de", "50"),
        ("12,5 %", "de", "12.5"),
    ],
)
def test_stakes_are_read_as_typed(text: str, language: str, stake: str) -> None:
    assert parse_stake(text, language) == Fraction(stake)


@pytest.mark.parametrize("text", ["0", "120 %", "viele", "5/3"])
def test_impossible_stakes_are_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer):
        parse_stake(text, "de")


def test_one_third_is_exact_in_the_sums_and_on_the_worksheet() -> None:
    third = RelatedEnterprise(parse_stake("ein Drittel", "de"), D(30), D(6_000_000), D(3_000_000), label="H")
    group = Group(owned_by="p25_50", upstream=(third,))
    result = classify_sme(D(8), D(1_500_000), D(1_000_000), group=group)
    reasons = [render(r, "de") for r in result.reasons]
    assert (
        "Umsatz: 1,5 Mio. € (Ihr Unternehmen) + H: 1/3 (33,3 %) von 6 Mio. € = 2 Mio. € (Partnerunternehmen)"
        in ("\n".join(reasons))
    )
    sheet = worksheet(group, D(8), D(1_500_000), D(1_000_000))
    assert sheet.partners[0].added.turnover == D(2_000_000)
    assert sheet.partners[0].added.staff == D(10)
    assert sheet.total.turnover == D(3_500_000)


@pytest.mark.parametrize(
    ("stored", "stake"),
    [("100/3", Fraction(100, 3)), ("33.33", Fraction(3333, 100)), ("12.5", Fraction(25, 2))],
)
def test_stored_stakes_are_read_back_exactly(stored: str, stake: Fraction) -> None:
    enterprise = RelatedEnterprise.from_dict({"stake": stored, "staff": "3", "turnover": "300000"})
    assert enterprise.stake == stake
    assert enterprise.to_dict()["stake"] == stored


def test_a_typed_enterprise_says_what_was_assumed_of_it() -> None:
    (typed,) = parse_related("40 %; 30; 6 Mio. €; 4 Mio. €", "de")
    line = render(enterprise_line(Group(upstream=(typed,)).named[0]), "de")
    assert line.endswith(
        "In einer Zeile eingegeben, daher gewertet als gewöhnliches Unternehmen ohne Beherrschung auf andere"
        " Weise, das keine eigenen Partner- oder verbundenen Unternehmen hat oder sie in seinen Zahlen bereits"
        " enthält."
    )
    asked = RelatedEnterprise(typed.stake, typed.staff, typed.turnover, typed.balance_sheet)
    assert "In einer Zeile" not in render(enterprise_line(Group(upstream=(asked,)).named[0]), "de")


# --- the whole dialogue in both channels ------------------------------------------------------------

OWN = ["8", "1,5 Mio. €", "1 Mio. €"]


def _check_result(text: str) -> None:
    text = text.replace("\xa0", " ")
    assert "Ihr Unternehmen: kleines Unternehmen" in text
    # the changed stake: 30 % of the holding's 30 staff, then the subsidiary in full
    assert "Holding GmbH: 30 % von 30 = 9 (Partnerunternehmen)" in text
    assert "Tochter: 12 (verbundenes Unternehmen, vollständig) = 29" in text
    assert "40 % von 30" not in text
    assert "In einer Zeile eingegeben" not in text  # asked one by one: nothing was assumed


def test_whole_console_dialogue_with_two_related_enterprises(tmp_path: Path) -> None:
    lines = [
        *OWN,
        "c",  # others hold 25 to 50 %
        "a",  # add up now
        "Holding GmbH",
        "40 %",
        "2",  # no control by other means
        "1",  # an ordinary enterprise
        "30",
        "6 Mio. €",
        "4 Mio. €",
        "1",  # no links of its own
        "b",  # no further enterprise
        "d",  # the company holds over 50 %
        "a",
        "Tochter",
        "70",
        "12",
        "800.000 €",
        "1 Mio. €",
        "1",
        "b",
        "1",
        "2",
        "1",
        "1",
        "3",
        "0 %",
        "1",
        "3",  # sector to referral
        "4",  # from the summary: change the others' stakes
        "c",  # still 25 to 50 %: the list of enterprises
        "c",  # the holding's card: buttons only, so numbered
        "2",  # its stake
        "30",
        "10",  # the card's tenth button, "Done": back to the list
        "b",  # that is all: back to the summary
        "ok",
    ]
    path = tmp_path / "erklaerung.pdf"
    run = console(lines, tmp_path, "console", "--lang", "de", "--json", "--declaration", str(path))
    assert run.returncode == 0, run.stderr + run.stdout[-3000:]
    assert "Traceback" not in run.stderr
    _check_result(run.stdout)
    assert "Frage 16" not in run.stdout  # the sub-dialogue adds no questions to the count
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["category"] == "small" and not result["provisional"]
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Holding GmbH" in text and "Tochter" in text


async def test_whole_telegram_dialogue_with_two_related_enterprises(bot: Harness) -> None:
    await consent(bot)
    steps = [
        *OWN,
        "c|linked|p25_50",
        "c|linked:list|add",
        "Holding GmbH",
        "40 %",
        "c|linked:control|no",
        "c|linked:investor|enterprise",
        "30",
        "6 Mio. €",
        "4 Mio. €",
        "c|linked:links|none",
        "c|linked:list|done",
        "c|owns|over50",
        "c|owns:list|add",
        "Tochter",
        "70",
        "12",
        "800.000 €",
        "1 Mio. €",
        "c|owns:links|none",
        "c|owns:list|done",
        *GERMAN_ANSWERS[5:],
        "e|linked",
        "c|linked|p25_50",
        "c|linked:list|e0",
        "c|linked:card|f_stake",
        "30",
        "c|linked:card|list",
        "c|linked:list|done",
    ]
    for step in steps:
        if step.startswith(("c|", "e|")):
            await bot.press(step)
        else:
            await bot.send(step)
        assert "Traceback" not in bot.last_text()
    assert "Ihre Antworten im Überblick" in bot.last_text()
    assert "Holding GmbH, 30 %" in bot.last_text().replace("\xa0", " ")
    assert "c|linked:card|f_stake" not in bot.buttons() and "decl|result" not in bot.buttons()
    await bot.press("ok|summary")
    assert "decl|result" in bot.buttons()
    await bot.press(data.view(View.SIZE_CLASS))  # the arithmetic is in the size-class view
    _check_result(bot.last_text())
    bot.request.clear()
    await bot.press("decl|result")
    documents = [p for name, p in bot.request.calls if name == "sendDocument"]
    assert len(documents) == 1
    # nothing of the related enterprises reaches the stored results
    with sqlite3.connect(bot.db_path) as db:
        rows = [row[0] for row in db.execute("select answers from results")]
    stored = " ".join(rows)
    assert "Holding" not in stored and "Tochter" not in stored and "6000000" not in stored
    assert any(json.loads(row).get("enterprise_type") == {"band": None, "value": "linked"} for row in rows)


async def test_the_sub_dialogue_goes_back_step_by_step_and_to_the_question(bot: Harness) -> None:
    await consent(bot)
    for step in OWN:
        await bot.send(step)
    await bot.press("c|linked|over50")
    await bot.press("c|linked:list|add")
    await bot.send("Mutter AG")
    assert "Mutter AG" in bot.last_text()
    await bot.send("viel")  # not a stake: asked again
    assert "Stimmrechten" in bot.last_text() and "c|linked:stake|third" in bot.buttons()
    await bot.press("b|linked")  # back to the label, which is kept
    assert "Mutter AG" in bot.last_text()
    await bot.press("b|linked")  # back to the list, then the ownership question itself
    await bot.press("b|linked")
    assert "Frage 4 von 15" in bot.last_text() and "c|linked|none" in bot.buttons()


def test_the_independent_firm_answers_the_same_number_of_screens() -> None:
    # one screen per question: the ownership answers "none" open no sub-screens
    assert len(GERMAN_ANSWERS) <= MOST_ASKED
    assert GERMAN_ANSWERS[3:5] == ["c|linked|none", "c|owns|none"]


# --- the worksheet ------------------------------------------------------------------------------------


def _answers_with_group() -> dict[str, dict[str, object]]:
    return {
        "staff": {"value": "8", "band": None},
        "turnover": {"value": "1500000", "band": None},
        "balance_sheet": {"value": "1000000", "band": None},
        "linked": {
            "value": "p25_50",
            "band": None,
            "related": [
                firm("40", "30", "6000000", "4000000", label="Müller Beteiligungs GmbH").to_dict(),
                firm("45", None, None, investor="angel", label="Frau Köhler").to_dict(),
            ],
        },
        "owns": {
            "value": "over50",
            "band": None,
            "related": [firm("70", "12", "800000", "1000000", label="Tochter Süd").to_dict()],
        },
        "sector": {"value": "craft", "band": None},
        "customers": {"value": "both", "band": None},
        "reach": {"value": "local", "band": None},
        "website": {"value": "current", "band": None},
        "social_presence": {"value": "none", "band": None},
        "online_share": {"value": "0", "band": "p0"},
        "results_check": {"value": "yes", "band": None},
        "referral": {"value": "none", "band": None},
    }


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_worksheet_holds_every_enterprise_share_and_total(language: str) -> None:
    result = evaluate(_answers_with_group())
    pdf = build_declaration(result, language, date(2026, 12, 3))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages).replace("\xa0", " ")
    for name in ("Müller Beteiligungs GmbH", "Frau Köhler", "Tochter Süd"):
        assert name in text
    if language == "de":
        assert "KMU-Erklärung — Arbeitsblatt" in text and "Berechnungsbogen für Partnerunternehmen" in text
        assert "2003/361/EG" in text and "nicht die Erklärung" in text
        assert "40 %" in text and "100 %" in text
        assert "[X] Verbundenes Unternehmen" in text
        # 8 + 12 + 12 staff; 1.5 m + 2.4 m + 0.8 m turnover; 1 m + 1.6 m + 1 m balance sheet
        assert "4.700.000 €" in text and "3.600.000 €" in text and " 32 " in text
        assert "Unterschrift" in text and "Name oder Firma" in text
    else:
        assert "SME declaration — worksheet" in text and "not the declaration itself" in text
        assert "40%" in text and "€4,700,000" in text and "€3,600,000" in text
        assert "[X] Linked enterprise" in text
    assert "4242" not in text and "Telegram" not in text  # nothing that identifies the user


# --- statistics and exports ----------------------------------------------------------------------------


def test_results_and_exports_keep_the_type_of_enterprise_only(tmp_path: Path) -> None:
    answers = _answers_with_group()
    result = evaluate(answers)
    kept = statistics_answers(answers, result.profile.group)
    assert kept["linked"] == {"value": "p25_50", "band": None}
    assert kept["enterprise_type"] == {"value": "linked", "band": None}
    flat = json.dumps(kept, ensure_ascii=False)
    assert "Müller" not in flat and "6000000" not in flat and "related" not in flat
    storage = Storage(tmp_path / "s.db")
    respondents = []
    for user in range(5):  # k = 5 respondents, so the rows are not suppressed
        rid = storage.respondents.respondent_for("telegram", USER + user, language_code="de")
        storage.respondents.set_consent(rid, True)
        storage.sessions.save_result(rid, category="small", score=50, answers=kept, step_ids=[])
        respondents.append(rid)
    assert "enterprise_type" in COLUMNS
    with snapshot(storage) as results:
        _, _, rows = anonymous_rows(results, k=5)
        exported = list(rows)
    assert exported and all(row["enterprise_type"] == "linked" for row in exported)
    assert "Müller" not in json.dumps(exported, default=str)
