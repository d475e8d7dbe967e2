"""The PDF report: readable text in both languages, every step and source, no identity in the bytes."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import zlib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.i18n import Translator
from bot.report import COMPARISON_SOURCES, SECTIONS, build_report, report_filename, report_sections
from dialogs.advice import build_advice
from dialogs.classification import classify_sme
from dialogs.group import UNKNOWN, Group
from dialogs.profile import CompanyProfile
from dialogs.screens import Result
from dialogs.sections import size_class_meaning
from dialogs.text import msg
from tests.support.console import console
from tests.support.once import built_once

ROOT = Path(__file__).resolve().parent.parent
D = Decimal
CHECKED_ON = date(2026, 12, 1)

SMALL_FIRM = CompanyProfile(
    staff=D(30),
    turnover=D(4_000_000),
    balance_sheet=None,
    group=Group(),
    website="outdated",
    social_presence="none",
    online_share=D(5),
    social_share=D(0),
    controlling_share=D(0),
    results_check="no",
    referral="occasional",
    customers="business",  # the marketing chart compares with a survey of B2B firms
)
PROFILES = {
    "small firm": SMALL_FIRM,
    "micro doing well": replace(
        SMALL_FIRM,
        staff=D(4),
        turnover=D(350_000),
        balance_sheet=D(200_000),
        website="current",
        social_presence="strategy",
        online_share=D(60),
        social_share=D(20),
        controlling_share=D(8),
        results_check="yes",
        referral="active",
    ),
    "large, no website": replace(
        SMALL_FIRM, staff=D(600), turnover=D(200_000_000), website="none", referral="none"
    ),
    "small, ownership unknown": replace(SMALL_FIRM, group=Group(owned_by=UNKNOWN), customers="private"),
}


def result_of(profile: CompanyProfile) -> Result:
    classification = classify_sme(
        profile.staff,
        profile.turnover,
        profile.balance_sheet,
        banded=profile.banded,
        group=profile.group,
        no_balance_sheet=profile.no_balance_sheet,
    )
    return Result(profile, classification, build_advice(profile, classification))


@lru_cache(maxsize=16)  # the session's reports are read by several tests each
def pdf_text(pdf: bytes) -> str:
    """The text pypdf extracts, with line breaks and runs of spaces folded into single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Result, bytes]]:
    """Every profile's report in both languages, built once per test session (a PDF takes seconds).

    Each worker starts at another place in the list, so that two workers build different reports at once.
    """
    wanted = [(name, language) for name in PROFILES for language in ("de", "en")]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    start = int(worker.removeprefix("gw") or 0) * len(wanted) // 2 % len(wanted)
    built = {}
    for name, language in wanted[start:] + wanted[:start]:
        result = result_of(PROFILES[name])
        number = list(PROFILES).index(name)
        pdf = built_once(
            tmp_path_factory,
            f"report-{number}-{language}.pdf",
            partial(build_report, result, language, CHECKED_ON),
        )
        built[(name, language)] = (result, pdf)
    return built


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", list(PROFILES))
def test_the_report_carries_headline_plan_size_class_comparisons_and_footer(
    reports: dict[tuple[str, str], tuple[Result, bytes]], name: str, language: str
) -> None:
    result, pdf = reports[(name, language)]
    t = Translator(language)
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert folded(t(result.classification.headline)) in text
    for reason in result.classification.reasons:
        assert folded(t(reason)) in text
    for caveat in result.classification.caveats:
        assert folded(t(caveat)) in text
    assert folded(t(msg("Your digital gap: {score} of 100", score=result.advice.score))) in text
    assert t(msg("This week")) in text
    for step in result.advice.steps:
        assert folded(f"{step.priority} {t(step.title)}") in text  # the number stands in its own column
        for part in (step.why, step.action, step.effort, step.cost, step.metric):
            assert folded(t(part)) in text
    if any(step.horizon == "quarter" for step in result.advice.steps):
        assert t(msg("This quarter")) in text
    assert t(msg("What your size class means for you")) in text
    for point in size_class_meaning(result.profile, result.classification):
        assert folded(t(point)) in text
    for comparison in result.advice.comparisons:
        assert folded(t(comparison.text)) in text
        assert folded(t(COMPARISON_SOURCES[comparison.id])) in text
    assert "KMU-Erklärung" in text  # the footer: the SME declaration is the authoritative document
    assert ("1. Dezember 2026" if language == "de" else "1 December 2026") in text


def test_german_report_keeps_its_umlauts(reports: dict[tuple[str, str], tuple[Result, bytes]]) -> None:
    text = pdf_text(reports[("small firm", "de")][1])
    for letter in "äöüß":
        assert letter in text
    assert "Ihr Plan, das Wichtigste zuerst" in text and "Was Ihre Größenklasse für Sie bedeutet" in text
    assert "Größenklasse" in text and "Lücke" in text
    assert "Seite 1 von" in text


def test_english_report_is_english(reports: dict[tuple[str, str], tuple[Result, bytes]]) -> None:
    text = pdf_text(reports[("small firm", "en")][1])
    assert "Your plan, most important first" in text and "Page 1 of" in text
    assert "What your size class means for you" in text
    assert "Ihre" not in text


@pytest.mark.parametrize(("language", "mark"), [("de", "(vorläufig)"), ("en", "(provisional)")])
def test_a_provisional_class_is_marked_so_in_the_report(
    reports: dict[tuple[str, str], tuple[Result, bytes]], language: str, mark: str
) -> None:
    provisional, pdf = reports[("small, ownership unknown", language)]
    assert provisional.classification.provisional
    assert mark in pdf_text(pdf)
    assert mark not in pdf_text(reports[("small firm", language)][1])


def test_the_marketing_chart_is_only_for_firms_selling_to_businesses() -> None:
    t = Translator("en")
    heading = t(msg("Your marketing split compared"))
    assert heading in [s.heading for s in report_sections(result_of(SMALL_FIRM), t)]
    private = replace(SMALL_FIRM, customers="private")
    assert heading not in [s.heading for s in report_sections(result_of(private), t)]


def test_every_comparison_the_advice_can_make_names_its_source() -> None:
    ids = {c.id for profile in PROFILES.values() for c in result_of(profile).advice.comparisons}
    assert ids <= set(COMPARISON_SOURCES)
    assert "bitkom_2023_social_media" in ids  # reached with 20 or more staff
    for source in COMPARISON_SOURCES.values():
        assert re.search(r"\b(19|20)\d\d\b", Translator("en")(source)), source


IDENTITIES = ["Erika Mustermann", "4242424242", "ref_AbC123xyz", "KmuBeraterTestBot"]


def _all_bytes(pdf: bytes) -> bytes:
    """The file plus every Flate stream in it, inflated: identity could hide in a compressed stream."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def identity_found(pdf: bytes, identity: str) -> bool:
    """``identity`` in the raw or inflated bytes (metadata, file names) or in the text on the pages.

    The page text needs pypdf: fpdf2 writes text in an embedded subset font as glyph numbers.
    """
    content = _all_bytes(pdf)
    encodings = ("utf-8", "utf-16-be", "latin-1")
    return any(identity.encode(e, "ignore") in content for e in encodings) or identity in pdf_text(pdf)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_byte_scan_finds_no_identity(
    reports: dict[tuple[str, str], tuple[Result, bytes]], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Identities live in storage and in the process's environment, never in the result: plant them where a
    # careless report could pick them up (user and host names), then scan.
    for variable in ("USER", "LOGNAME", "HOSTNAME"):
        monkeypatch.setenv(variable, IDENTITIES[0])
    result, _ = reports[("small firm", language)]
    pdf = build_report(result, language, CHECKED_ON)
    assert len(_all_bytes(pdf)) > 2 * len(pdf)  # the scan looks inside the compressed streams
    for identity in IDENTITIES:
        assert not identity_found(pdf, identity), identity
    assert b"/Author" not in pdf and b"/Keywords" not in pdf


def test_the_scan_finds_what_is_there(reports: dict[tuple[str, str], tuple[Result, bytes]]) -> None:
    result, pdf = reports[("small firm", "en")]
    assert identity_found(pdf, "KMU Digital-Berater: your result")  # the title, in the metadata and on page 1
    step = replace(result.advice.steps[0], title=msg(IDENTITIES[0]))
    leaked = replace(result, advice=replace(result.advice, steps=(step, *result.advice.steps[1:])))
    assert identity_found(build_report(leaked, "en", CHECKED_ON), IDENTITIES[0])


def test_same_result_same_file_and_a_dated_name(reports: dict[tuple[str, str], tuple[Result, bytes]]) -> None:
    result, pdf = reports[("small firm", "de")]
    assert build_report(result, "de", CHECKED_ON) == pdf  # no timestamp of the rendering, nothing random
    assert report_filename(CHECKED_ON) == "kmu-check-2026-12-01.pdf"


def test_every_section_function_is_used_and_sections_come_in_reading_order() -> None:
    t = Translator("en")
    sections = report_sections(result_of(SMALL_FIRM), t)
    assert len(sections) == len(SECTIONS)
    headings = [section.heading for section in sections]
    assert headings[0] == "Your size class under the EU definition" and headings[-1] == "Sources"


def test_size_stays_small(reports: dict[tuple[str, str], tuple[Result, bytes]]) -> None:
    for _, pdf in reports.values():
        assert len(pdf) < 300 * 1024


def run_console(lines: list[str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return console(lines, tmp_path, "console", *args)


GERMAN_LINES = ["12", "1,5 Mio", "g", "a", "a", "1", "1", "1", "2", "2", "15", "3", "1", "2", "3", "ok"]


def test_the_terminal_writes_the_report_with_pdf(tmp_path: Path) -> None:
    target = tmp_path / "bericht.pdf"
    run = run_console(GERMAN_LINES, tmp_path, "--lang", "de", "--pdf", str(target), "--json")
    assert run.returncode == 0, run.stderr
    assert f"Ihr Bericht ist gespeichert: {target}" in run.stdout
    assert json.loads(run.stdout.strip().splitlines()[-1])["completed"]  # JSON stays the last line
    text = pdf_text(target.read_bytes())
    assert "Ihr Unternehmen: kleines Unternehmen" in text and "Ihr Plan, das Wichtigste zuerst" in text


def test_the_terminal_writes_no_report_without_a_result(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    run = run_console(GERMAN_LINES[:3], tmp_path, "--lang", "en", "--pdf", str(target))
    assert run.returncode == 1 and "no report was written" in run.stdout and not target.exists()
