"""German and English numbers written and read as babel writes and reads them (what the bot used before)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import number_format
from dialogs.text import LANGUAGES

D = Decimal


def babels_reading(text: str, language: str) -> Decimal | None:
    try:
        return parse_decimal(text, locale=language, strict=True)
    except NumberFormatError:
        return None


def our_reading(text: str, language: str) -> Decimal | None:
    try:
        return number_format.parse_decimal(text, language)
    except number_format.NumberFormatError:
        return None


@settings(max_examples=500, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15)
    | st.integers(min_value=-(10**20), max_value=10**20).map(D)
)
def test_any_number_is_written_as_babel_writes_it(value: Decimal) -> None:
    for language in LANGUAGES:
        assert number_format.format_decimal(value, language) == format_decimal(
            value, locale=language, decimal_quantization=False
        )


@pytest.mark.parametrize("text", ["1.50", "1E+6", "-0", "-0.00", "0.000001", "12.50", "1234567.891", "5E-3"])
def test_odd_decimals_are_written_as_babel_writes_them(text: str) -> None:
    for language in LANGUAGES:
        assert number_format.format_decimal(D(text), language) == format_decimal(
            D(text), locale=language, decimal_quantization=False
        )


def test_one_fraction_digit_rounds_as_babel_rounds() -> None:
    for text in ("2.5", "12", "1000.5", "2.25", "2.35", "0.05", "1234.56"):
        assert number_format.format_decimal(D(text), "en", fraction_digits=1) == format_decimal(
            D(text), format="#,##0.#", locale="en"
        )


# What the parser hands over: digits with dots and commas (its pattern allows nothing else).
TYPED = st.text(alphabet="0123456789.,", min_size=1, max_size=14)


@settings(max_examples=2000, deadline=None)
@given(TYPED)
def test_any_typed_number_is_read_as_babel_reads_it(text: str) -> None:
    for language in LANGUAGES:
        assert our_reading(text, language) == babels_reading(text, language)


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("1.500", "de", D(1500)),
        ("1,5", "de", D("1.5")),
        ("1.500.000,50", "de", D("1500000.50")),
        ("1.50", "de", None),  # a dot that is no group separator in German
        ("1.500,", "de", None),
        ("1,500", "en", D(1500)),
        ("1,5", "en", None),
        ("2.5", "en", D("2.5")),
    ],
)
def test_readings(text: str, language: str, value: Decimal | None) -> None:
    assert our_reading(text, language) == value == babels_reading(text, language)
