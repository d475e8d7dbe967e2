"""The SME declaration worksheet (bot/report/declaration.py) read back from its PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from bot.report.declaration import build_declaration
from dialogs.engine import evaluate
from dialogs.group import parse_related

CHECKED_ON = date(2026, 12, 3)


def _answers(language: str, typed_line: str) -> dict[str, dict[str, object]]:
    return {
        "staff": {"value": "8", "band": None},
        "turnover": {"value": "1500000", "band": None},
        "balance_sheet": {"value": "1000000", "band": None},
        "linked": {
            "value": "p25_50",
            "band": None,
            "related": [r.to_dict() for r in parse_related(typed_line, language)],
        },
        "owns": {"value": "none", "band": None},
        "sector": {"value": "craft", "band": None},
        "customers": {"value": "both", "band": None},
        "reach": {"value": "local", "band": None},
        "website": {"value": "current", "band": None},
        "social_presence": {"value": "none", "band": None},
        "online_share": {"value": "0", "band": "p0"},
        "results_check": {"value": "yes", "band": None},
        "referral": {"value": "none", "band": None},
    }


def worksheet_text(language: str, typed_line: str) -> str:
    pdf = build_declaration(evaluate(_answers(language, typed_line)), language, CHECKED_ON)
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages).replace("\xa0", " ")


TYPED = {"de": "40 %; 30; 6 Mio. €; 4 Mio. €", "en": "40%; 30; €6 million; €4 million"}


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("de", "In einer Zeile eingegeben, daher gewertet als gewöhnliches Unternehmen"),
        ("en", "Typed in one line, so taken as an ordinary enterprise"),
    ],
)
def test_the_worksheet_says_how_an_entry_typed_in_one_line_was_taken(language: str, note: str) -> None:
    text = worksheet_text(language, TYPED[language])
    assert note in text


@pytest.mark.parametrize(
    ("language", "day", "other_styles"),
    [
        ("en", "3 December 2026", ("December 3, 2026", "20.5.2003", "2026-12-03", "3.12.2026")),
        ("de", "3. Dezember 2026", ("2026-12-03", "03.12.2026")),
    ],
)
def test_the_worksheet_writes_every_date_in_one_style(
    language: str, day: str, other_styles: tuple[str, ...]
) -> None:
    text = worksheet_text(language, TYPED[language])
    assert text.count(day) >= 2  # the header and the signature section
    for style in other_styles:
        assert style not in text, style
