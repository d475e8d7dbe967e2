"""Translations and number formatting: turns the engine's ``Text`` into a string in the reader's language.

The formatters are cached: the same few values ("10–49", "25 %", "Question 3 of 15") recur on most screens,
and babel's formatting is the dearest step of rendering one.

Catalogs are read once per process from the ``.mo`` files under ``locales/``, which
``locales/update_catalogs.py`` compiles with babel from the ``.po`` files translators edit
(``tests/test_catalogs.py`` fails when a ``.mo`` file is older than its ``.po``).
"""

from __future__ import annotations

import gettext
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

from dialogs.text import LANGUAGES as LANGUAGES  # the languages the bot speaks, defined once
from dialogs.text import Arg, Day, Money, Number, Percent, Text

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_MONEY_PATTERN = {"de": "#,##0 ¤", "en": "¤#,##0"}
_DATE_PATTERN = {"de": "d. MMMM y", "en": "d MMMM y"}


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The gettext catalog of ``language`` ("de" or "en"), loaded from its compiled .mo file."""
    with (LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as mo_file:
        return gettext.GNUTranslations(mo_file)


@lru_cache(maxsize=4096)
def format_money(amount: Decimal, language: str, *, compact: bool = True) -> str:
    """Euros the way a reader of ``language`` writes them: "2,5 Mio. €" / "€2.5M", else "250.000 €"."""
    amount = Decimal(amount)
    if compact and abs(amount) >= 1_000_000 and (amount % 100_000) == 0:
        if language == "en":
            # "€2 million", as English prose writes it; babel's short form "€2M" reads like a ticker
            unit, word = (
                (10**9, "billion") if abs(amount) >= 10**9 and amount % 10**8 == 0 else (10**6, "million")
            )
            return f"€{format_decimal(amount / unit, format='#,##0.#', locale='en')} {word}"
        return format_compact_currency(amount, "EUR", locale=language, fraction_digits=1)
    if amount != amount.to_integral_value() and abs(amount) < 1000:
        # a small amount with cents ("1,50 €") keeps them: rounded, 1.5 would read as 2 €
        return format_currency(amount.quantize(Decimal("0.01")), "EUR", locale=language)
    return format_currency(
        amount.quantize(Decimal(1)),
        "EUR",
        format=_MONEY_PATTERN[language],
        locale=language,
        currency_digits=False,
    )


@lru_cache(maxsize=4096)
def format_share(points: Decimal, language: str) -> str:
    """Percent points (15 → "15 %" in German, "15%" in English), at most one decimal."""
    fraction = Decimal(points).quantize(Decimal("0.1")).normalize() / 100
    return format_percent(fraction, locale=language, decimal_quantization=False)


@lru_cache(maxsize=4096)
def format_number(value: Decimal | int, language: str) -> str:
    number = Decimal(value).quantize(Decimal("0.01")).normalize()
    return format_decimal(number, locale=language, decimal_quantization=False)


@lru_cache(maxsize=1024)
def format_day(value: date, language: str) -> str:
    """A date written out, one style everywhere: "1. Januar 2027", "1 January 2027" (the result names the same
    few deadlines and today's date for everyone)."""
    return format_date(value, format=_DATE_PATTERN[language], locale=language)


# No language the bot speaks groups or writes the digits of an integer below 1,000 otherwise than str() does
# (tests/test_i18n.py compares them with babel). Such integers ("question 3 of 15", a menu's "15 questions") need
# no locale data, which babel loads on first use: ~15 ms of CPU and 1-5 MB per language, at every start.
_PLAIN_INTEGERS = range(-999, 1000)


@lru_cache(maxsize=4096)
def format_integer(value: int, language: str) -> str:
    """An integer as a reader of ``language`` writes it."""
    if value in _PLAIN_INTEGERS:
        return str(int(value))
    return format_decimal(value, locale=language)


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
