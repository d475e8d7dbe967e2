"""Numbers, euros, shares and dates in the reader's language: written as babel writes them (what the bot used
before), without loading babel's locale data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import LANGUAGES, format_day, format_integer, format_money, format_number, format_share

D = Decimal


def babels_money(amount: Decimal, language: str, compact: bool) -> str:
    """The bot's euros as babel wrote them (the code these formatters replace)."""
    if compact and abs(amount) >= 1_000_000 and (amount % 100_000) == 0:
        if language == "en":
            unit, word = (
                (10**9, "billion") if abs(amount) >= 10**9 and amount % 10**8 == 0 else (10**6, "million")
            )
            return f"€{format_decimal(amount / unit, format='#,##0.#', locale='en')} {word}"
        return format_compact_currency(amount, "EUR", locale=language, fraction_digits=1)
    if amount != amount.to_integral_value() and abs(amount) < 1000:
        return format_currency(amount.quantize(D("0.01")), "EUR", locale=language)
    pattern = {"de": "#,##0 ¤", "en": "¤#,##0"}[language]
    return format_currency(
        amount.quantize(D(1)), "EUR", format=pattern, locale=language, currency_digits=False
    )


AMOUNTS = [
    *(D(n) * 100_000 for n in (10, 11, 15, 25, 99, 100, 123, 999, 1000, 1001, 9999, 10_000, 12_345, 10**7)),
    *(D(n) * 10**8 for n in (10, 15, 25, 100, 1234)),
    D(0), D(5), D("1.5"), D("0.05"), D("999.99"), D("999.5"), D("12.345"), D(1000), D(250_000), D("1234.56"),
    D(1_050_000), D(999_999), D(-5000), D("-3.2"), D(-1_500_000),
]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("compact", [True, False])
def test_euros_read_as_babel_writes_them(language: str, compact: bool) -> None:
    for amount in AMOUNTS:
        assert format_money(amount, language, compact=compact) == babels_money(amount, language, compact), (
            amount
        )


@settings(max_examples=300, deadline=None)
@given(
    amount=st.decimals(min_value=-(10**13), max_value=10**13, places=2, allow_nan=False),
    hundred_thousands=st.integers(min_value=-(10**9), max_value=10**9),
)
def test_any_amount_reads_as_babel_writes_it(amount: Decimal, hundred_thousands: int) -> None:
    for language in LANGUAGES:
        for value in (amount, D(hundred_thousands) * 100_000):
            for compact in (True, False):
                assert format_money(value, language, compact=compact) == babels_money(
                    value, language, compact
                )


@settings(max_examples=300, deadline=None)
@given(points=st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False))
def test_shares_and_numbers_read_as_babel_writes_them(points: Decimal) -> None:
    for language in LANGUAGES:
        fraction = points.quantize(D("0.1")).normalize() / 100
        assert format_share(points, language) == format_percent(
            fraction, locale=language, decimal_quantization=False
        )
        number = points.quantize(D("0.01")).normalize()
        assert format_number(points, language) == format_decimal(
            number, locale=language, decimal_quantization=False
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_integers_read_as_babel_writes_them(language: str) -> None:
    for value in (*range(-1200, 1200), 9_999, 12_345, 1_500_000, -2_000_000, 10**15):
        assert format_integer(value, language) == format_decimal(value, locale=language), value


@pytest.mark.parametrize("language", LANGUAGES)
def test_days_read_as_babel_writes_them(language: str) -> None:
    pattern = {"de": "d. MMMM y", "en": "d MMMM y"}[language]
    for offset in range(0, 400, 7):
        day = date(2026, 1, 1) + timedelta(days=offset)
        assert format_day(day, language) == format_date(day, format=pattern, locale=language)
