"""Every catalog and tip text uses the glossary's term for each concept, never a forbidden variant."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"
GLOSSARY = tomllib.loads((LOCALES / "glossary.toml").read_text(encoding="utf-8"))["concept"]


def catalog_texts(language: str) -> list[str]:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    texts: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [s for s in strings if s]
    return texts


def tip_texts(language: str) -> list[str]:
    tips = tomllib.loads((LOCALES / language / "tips.toml").read_text(encoding="utf-8"))["tip"]
    return [
        value
        for tip in tips
        for key, value in tip.items()
        if isinstance(value, str) and key not in ("id", "topic")
    ]


def violations(language: str, texts: list[str]) -> list[str]:
    found = []
    for concept in GLOSSARY:
        for pattern in concept.get(f"forbidden_{language}", []):
            for text in texts:
                match = re.search(pattern, text)
                if match:
                    found.append(f"{concept['name']}: {match.group(0)!r} in {text[:90]!r}")
    return found


def test_every_concept_names_its_term_in_both_languages() -> None:
    for concept in GLOSSARY:
        assert concept["de"] and concept["en"], concept["name"]
        for language in ("de", "en"):
            for pattern in concept.get(f"forbidden_{language}", []):
                re.compile(pattern)


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogs_use_the_glossary_terms(language: str) -> None:
    assert violations(language, catalog_texts(language)) == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_tips_use_the_glossary_terms(language: str) -> None:
    assert violations(language, tip_texts(language)) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Fragen Sie fünf Kunden nach einer Bewertung."),
        ("de", "Unternehmen ab 20 Beschäftigten"),
        ("de", "Präsenz in sozialen Medien"),
        ("de", "Marketingcontrolling"),
        ("de", "Liebe Kund*innen"),
        ("de", "gefördert vom BMWK"),
        ("en", "Shift budget from classic to online"),
        ("en", "No newer figure exists."),
        ("en", "Check your imprint"),
        # the consultant's findings in the German texts
        ("de", "Umsatz grob 10.000.000 €"),
        ("de", "Geben Sie die Geldzahlen ein"),
        ("de", "bevor die Rechnungen rausgehen"),
        ("de", "Für KMU wie Ihres gibt es Programme"),
        ("de", "Fragen Sie die Einkäufer Ihrer Kundschaft"),
        ("de", "Sprechen Sie mit den Entscheidern"),
        ("de", "Neue Interessenten gewinnen"),
        ("de", "Ihre Auftraggeber und Mitarbeitenden"),
        ("de", "in Vollzeitäquivalenten"),
        ("de", "ein kleines Mid-Cap"),
        ("de", "Willkommen beim KMU Digital Check"),
        ("de", "gefördert vom Bundesministerium für Wirtschaft; kostenfrei"),
        ("de", "ab 2027-01-01"),
        ("de", "ab 01.01.2027"),
        # and in the English texts
        ("en", "With 1 staff, your company is a micro enterprise"),
        ("en", "With {staff} staff, your company"),
        ("en", "Shows it worked: more calls"),
        ("en", "a turnover of €2M"),
        ("en", "up to €2.5M"),
        ("en", "whether others hold 25% or more, or it of them."),
        ("en", "small Midcaps"),
        ("en", "Welcome to the KMU Digital Check"),
        ("en", "funded by the federal ministry for economic affairs; free"),
        ("en", "from December 3, 2026"),
        ("en", "from January 1st, 2027"),
        ("en", "from 2027-01-01"),
        ("en", "from 1.1.2027"),
        ("en", "from 01/01/2027"),
    ],
)
def test_a_forbidden_variant_is_found(language: str, text: str) -> None:
    assert violations(language, [text])


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "gefördert vom Bundesministerium für Wirtschaft und Energie (BMWE)"),
        ("de", "ab 1. Januar 2027"),
        ("de", "Mitarbeitende und Kundschaft, kleine Midcaps, Jahresarbeitseinheiten"),
        ("en", "funded by the Federal Ministry for Economic Affairs and Energy (BMWE)"),
        ("en", "from 1 January 2027; a staff count of 1; €2 million; small mid-caps"),
    ],
)
def test_the_agreed_terms_pass(language: str, text: str) -> None:
    assert violations(language, [text]) == []
