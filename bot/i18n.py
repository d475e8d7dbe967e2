"""Translations and number formatting: turns the engine's ``Text`` into a string in the reader's language.

The formatters are cached: the same few values ("10–49", "25 %", "Question 3 of 15") recur on most screens.
Numbers, euros and dates are written here for the two languages, as babel writes them (tests/test_i18n.py
compares them), without loading babel's locale data (``dialogs.number_format``).

Catalogs are read from the ``.po`` files under ``locales/`` once per process (no compile step needed).
"""

from __future__ import annotations

import gettext
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from bot.po_catalog import read_catalog
from dialogs.number_format import SEPARATORS, format_decimal
from dialogs.text import LANGUAGES as LANGUAGES  # the languages the bot speaks, defined once
from dialogs.text import Arg, Day, Money, Number, Percent, Text

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_MONTHS = {
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
# German writes large sums short ("2,5 Mio. €"); English prose writes "€2 million", where the short form
# babel knows ("€2M") reads like a ticker
_SHORT_SCALES_DE = ((10**12, "Bio."), (10**9, "Mrd."), (10**6, "Mio."))
NBSP = "\u00a0"


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The gettext catalog of ``language`` ("de" or "en"), loaded from its .po file."""
    return read_catalog(LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po")


@lru_cache(maxsize=4096)
def format_money(amount: Decimal, language: str, *, compact: bool = True) -> str:
    """Euros the way a reader of ``language`` writes them: "2,5 Mio. €" / "€2.5 million", else "250.000 €"."""
    amount = Decimal(amount)
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    if compact and size >= 1_000_000 and (amount % 100_000) == 0:
        if language == "en":
            unit, word = (10**9, "billion") if size >= 10**9 and amount % 10**8 == 0 else (10**6, "million")
            return f"€{format_decimal(amount / unit, 'en', fraction_digits=1)} {word}"
        unit, word = next((unit, word) for unit, word in _SHORT_SCALES_DE if size >= unit)
        return f"{sign}{format_decimal(round(size / unit, 1), 'de')}{NBSP}{word}{NBSP}€"
    if amount != amount.to_integral_value() and size < 1000:
        # a small amount with cents ("1,50 €") keeps them: rounded, 1.5 would read as 2 €
        whole, _, cents = format(size.quantize(Decimal("0.01")), "f").partition(".")
        figure = f"{format_decimal(Decimal(whole), language)}{SEPARATORS[language][0]}{cents}"
        return f"{sign}{figure}{NBSP}€" if language == "de" else f"{sign}€{figure}"
    figure = format_decimal(size.quantize(Decimal(1)), language)
    return f"{sign}{figure} €" if language == "de" else f"{sign}€{figure}"


@lru_cache(maxsize=4096)
def format_share(points: Decimal, language: str) -> str:
    """Percent points (15 → "15 %" in German, "15%" in English), at most one decimal."""
    figure = format_decimal(Decimal(points).quantize(Decimal("0.1")), language)
    return f"{figure}{NBSP}%" if language == "de" else f"{figure}%"


@lru_cache(maxsize=4096)
def format_number(value: Decimal | int, language: str) -> str:
    return format_decimal(Decimal(value).quantize(Decimal("0.01")), language)


@lru_cache(maxsize=1024)
def format_day(day: date, language: str) -> str:
    """A date written out, one style everywhere: "1. Januar 2027", "1 January 2027" (the result names the same
    few deadlines and today's date for everyone)."""
    month = _MONTHS[language][day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"


@lru_cache(maxsize=4096)
def format_integer(value: int, language: str) -> str:
    """An integer as a reader of ``language`` writes it."""
    return format_decimal(int(value), language)


class Translator:
    """Renders texts in one language; cheap to create per update."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"
        self._catalog = translations(self.language)

    def __call__(self, text: Text) -> str:
        return self.render(text)

    def render(self, text: Text) -> str:
        if text.plural is not None and text.n is not None:
            template = self._catalog.ngettext(text.msgid, text.plural, text.n)
        else:
            template = self._catalog.gettext(text.msgid)
        if not text.args:
            return template
        return template.format_map({key: self.render_arg(value) for key, value in text.args.items()})

    def render_arg(self, value: Arg) -> str:
        if isinstance(value, Text):
            return self.render(value)
        if isinstance(value, Money):
            return format_money(value.amount, self.language, compact=value.compact)
        if isinstance(value, Percent):
            return format_share(value.points, self.language)
        if isinstance(value, Number):
            return format_number(value.value, self.language)
        if isinstance(value, Day):
            return format_day(value.value, self.language)
        if isinstance(value, int) and not isinstance(value, bool):
            return format_integer(value, self.language)
        return str(value)
