"""Tests for dialogs.parsing: accepted spellings per language, rejections and their reasons, properties."""

from __future__ import annotations

import ast
import string
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import (
    format_compact_currency,
    format_currency,
    format_decimal,
    format_percent,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from dialogs.parsing import (
    parse_amount,
    parse_annual_money,
    parse_balance_total,
    parse_headcount,
    parse_money,
    parse_percent,
    parse_staff,
)
from dialogs.text import Arg, InvalidAnswer, Money, Number, Percent, Text
from tests.support.locale_helpers import german_messages

ROOT = Path(__file__).resolve().parent.parent
Parser = Callable[[str, str], Decimal]

NOT_A_NUMBER = "Please enter a number, e.g. {example}."
SMALL_ANNUAL_AMOUNT = (
    "{question} If you meant thousands or millions, please write it, e.g. {thousands} or {millions}. If the"
    " amount is right, write it with the euro sign: {amount}."
)
TOO_LONG = "That is too long for a number. Please enter just the number, e.g. {example}."
ONE_NUMBER = "Please enter just one number, e.g. {example}."
NOT_FINITE = "Infinity and “NaN” cannot be used here. Please enter a number, e.g. {example}."
SEPARATORS = "Did you mean {suggestion}? Please write decimals like {decimal} and thousands like {thousands}."
NEGATIVE = "Negative values are not possible here. Please enter 0 or more."
MONEY_TOO_LARGE = "That would be more than {limit}. Please check the amount in euros."
STAFF_TOO_LARGE = "That would be more than {limit} staff. Please check the number."
SHARE_TOO_LARGE = "A share cannot be more than {limit}. Please enter a value from 0 to 100."
SMALL_TURNOVER = "Only {amount} of turnover in a whole year?"
SMALL_BALANCE = "A balance-sheet total of only {amount}?"
NO_STAFF = (
    "0 staff? Owner-managers and partners who work in the company count too, so a one-person business has 1."
    " If really nobody works in the company, write “{zero}”."
)
ZERO_STAFF_EXAMPLE = "0 staff"
HUGE_STAFF = (
    "{staff} staff in annual work units? That is the size of a large group. If it is right, write it with"
    " the word “staff”, e.g. “{example}”."
)
STAFF_EXAMPLE = "{staff} staff"

NBSP, NNBSP = "\u00a0", "\u202f"


def d(value: str | int) -> Decimal:
    return Decimal(value)


def reason(parser: Parser, text: str, language: str) -> InvalidAnswer:
    with pytest.raises(InvalidAnswer) as caught:
        parser(text, language)
    return caught.value


MONEY_ACCEPTED = [
    # German
    ("de", "1.500.000", d(1_500_000)),
    ("de", "1500000", d(1_500_000)),
    ("de", "1.500", d(1500)),
    ("de", "1,500", d("1.5")),
    ("de", "2,5", d("2.5")),
    ("de", "1,5 Mio.", d(1_500_000)),
    ("de", "1,5 Mio", d(1_500_000)),
    ("de", "1,5 Mio €", d(1_500_000)),
    ("de", "1,5 Mio. €", d(1_500_000)),
    ("de", "1,5 Mio.€", d(1_500_000)),
    ("de", "1,5 Mio. Euro", d(1_500_000)),
    ("de", "1,5 Mio. EUR", d(1_500_000)),
    ("de", "2 Mrd", d(2_000_000_000)),
    ("de", "2 Mrd.", d(2_000_000_000)),
    ("de", "2 Md.", d(2_000_000_000)),
    ("de", "500 Tsd.", d(500_000)),
    ("de", "500 Tsd. €", d(500_000)),
    ("de", "500 T€", d(500_000)),
    ("de", "500T€", d(500_000)),
    ("de", "500 TEUR", d(500_000)),
    ("de", "500 k€", d(500_000)),
    ("de", "500 kEUR", d(500_000)),
    ("de", "500k", d(500_000)),
    ("de", "500 K", d(500_000)),
    ("de", "2,5m", d(2_500_000)),
    ("de", "€2,5M", d(2_500_000)),
    ("de", "EUR 2,5 Millionen", d(2_500_000)),
    ("de", "2,5 Millionen", d(2_500_000)),
    ("de", "1 Million", d(1_000_000)),
    ("de", "2 Milliarden", d(2_000_000_000)),
    ("de", "1 Milliarde Euro", d(1_000_000_000)),
    ("de", "1 Billion", d(10**12)),
    ("de", "1 Bio. €", d(10**12)),
    ("de", "2,5 Mill. Euro", d(2_500_000)),
    ("de", "1.500,- €", d(1500)),
    ("de", "1.500,-- EUR", d(1500)),
    ("de", "1.234.567,89 €", d("1234567.89")),
    ("de", "1 500 000", d(1_500_000)),
    ("de", "1 500 000 €", d(1_500_000)),
    ("de", "1'500'000", d(1_500_000)),
    ("de", "1’500’000", d(1_500_000)),
    ("de", "  250.000 €  ", d(250_000)),
    ("de", "\t250.000\n", d(250_000)),
    ("de", "Euro 250.000", d(250_000)),
    ("de", "250.000 Euro.", d(250_000)),
    ("de", "ca. 2 Mio. €", d(2_000_000)),
    ("de", "rund 2 Mio", d(2_000_000)),
    ("de", "etwa 2,5 Mio. €", d(2_500_000)),
    ("de", "0", d(0)),
    ("de", "0,00 €", d(0)),
    ("de", "-0", d(0)),
    ("de", ",5 Mio.", d(500_000)),
    # English
    ("en", "1,500", d(1500)),
    ("en", "1.500", d("1.5")),
    ("en", "1,500,000", d(1_500_000)),
    ("en", "1,500,000.50", d("1500000.5")),
    ("en", "2.5", d("2.5")),
    ("en", "500k", d(500_000)),
    ("en", "500 K", d(500_000)),
    ("en", "2.5m", d(2_500_000)),
    ("en", "2.5M", d(2_500_000)),
    ("en", "2.5 mn", d(2_500_000)),
    ("en", "2.5MM", d(2_500_000)),
    ("en", "€2.5M", d(2_500_000)),
    ("en", "€ 2.5M", d(2_500_000)),
    ("en", "2.5M€", d(2_500_000)),
    ("en", "EUR 2.5 million", d(2_500_000)),
    ("en", "EUR2.5m", d(2_500_000)),
    ("en", "2.5 million euros", d(2_500_000)),
    ("en", "2.5 bn", d(2_500_000_000)),
    ("en", "2.5bn", d(2_500_000_000)),
    ("en", "2.5 billion", d(2_500_000_000)),
    ("en", "2.5B", d(2_500_000_000)),
    ("en", "1T", d(10**12)),
    ("en", "1 trillion", d(10**12)),
    ("en", "1.5 Mio", d(1_500_000)),
    ("en", "2 Mrd", d(2_000_000_000)),
    ("en", "1 500 000", d(1_500_000)),
    ("en", "about €2.5M", d(2_500_000)),
    ("en", "approx. 2.5 million", d(2_500_000)),
    ("en", "~2.5M", d(2_500_000)),
    ("en", ".5M", d(500_000)),
    # babel's own output, with its non-breaking spaces
    ("de", format_currency(1234567.5, "EUR", locale="de"), d("1234567.5")),
    ("de", format_currency(1234567.5, "EUR", locale="de_AT"), d("1234567.5")),
    ("de", format_compact_currency(2_500_000, "EUR", locale="de", fraction_digits=1), d(2_500_000)),
    ("de", format_compact_currency(2_500_000_000, "EUR", locale="de", fraction_digits=1), d(2_500_000_000)),
    ("de", format_decimal(1_500_000, locale="de"), d(1_500_000)),
    ("de", f"1{NNBSP}500{NNBSP}000{NBSP}€", d(1_500_000)),
    ("en", format_currency(1234567.5, "EUR", locale="en"), d("1234567.5")),
    ("en", format_compact_currency(2_500_000, "EUR", locale="en", fraction_digits=1), d(2_500_000)),
    ("en", format_compact_currency(2_500_000, "EUR", locale="en_GB", fraction_digits=1), d(2_500_000)),
    (
        "en",
        format_compact_currency(2_500_000_000, "EUR", locale="en_GB", fraction_digits=1),
        d(2_500_000_000),
    ),
    ("en", format_decimal(1_500_000, locale="en"), d(1_500_000)),
]


@pytest.mark.parametrize(("language", "text", "expected"), MONEY_ACCEPTED)
def test_parse_money_accepts(language: str, text: str, expected: Decimal) -> None:
    assert parse_money(text, language) == expected


def test_invisible_characters_are_ignored() -> None:
    assert parse_money("1\u200b500", "de") == 1500
    assert parse_money("\ufeff2,5 Mio.\u200e", "de") == 2_500_000


def test_results_are_plain_decimals_without_exponent() -> None:
    assert str(parse_money("1,5 Mio.", "de")) == "1500000"
    assert str(parse_money("1.500,50", "de")) == "1500.5"
    assert str(parse_money("0,00", "de")) == "0"
    assert str(parse_money("-0", "en")) == "0"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "-5 €", d(-5)),
        ("de", "- 5 €", d(-5)),
        ("de", "−1.500", d(-1500)),  # U+2212 MINUS SIGN
        ("de", "–1.500", d(-1500)),  # EN DASH typed as minus
        ("de", "€-5", d(-5)),
        ("en", "-€5.00", d(-5)),
        ("en", "-2.5M", d(-2_500_000)),
        ("en", "+5", d(5)),
    ],
)
def test_parse_amount_keeps_the_sign(language: str, text: str, expected: Decimal) -> None:
    assert parse_amount(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # "Billion" and "T" depend on the language
        ("de", "2 Billionen", d(2 * 10**12)),
        ("en", "2 billion", d(2 * 10**9)),
        ("de", "5 T", d(5000)),
        ("en", "5 T", d(5 * 10**12)),
        ("de", "1 Trillion", d(10**18)),
        # a 4-digit group is not a group: German reads "1,5000" as 1.5
        ("de", "1,5000", d("1.5")),
    ],
)
def test_scale_words_follow_the_language(language: str, text: str, expected: Decimal) -> None:
    assert parse_amount(text, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", d(1500)),
        ("de_DE", d(1500)),
        ("de_AT", d(1500)),
        ("de-AT", d(1500)),
        ("de_CH", d(1500)),
        ("DE", d(1500)),
        ("en", d("1.5")),
        ("en-GB", d("1.5")),
        ("en_US", d("1.5")),
        # other languages read numbers as English, as the bot shows them English texts
        ("fr", d("1.5")),
        ("xx", d("1.5")),
        ("", d("1.5")),
    ],
)
def test_language_is_normalized(language: str, expected: Decimal) -> None:
    assert parse_amount("1.500", language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "25", d(25)),
        ("de", "12,5", d("12.5")),
        ("de", "0,5", d("0.5")),
        ("de", "1.200", d(1200)),
        ("de", "25 Mitarbeitende", d(25)),
        ("de", "25 Mitarbeiter", d(25)),
        ("de", "25 Mitarbeiterinnen", d(25)),
        ("de", "25 Mitarbeiter*innen", d(25)),
        ("de", "25 Mitarbeiter:innen", d(25)),
        ("de", "25 Beschäftigte", d(25)),
        ("de", "25 Personen", d(25)),
        ("de", "25 MA", d(25)),
        ("de", "12,5 VZÄ", d("12.5")),
        ("de", "ca. 25", d(25)),
        ("de", "circa 25 Mitarbeitende.", d(25)),
        ("de", "1,2 Tsd.", d(1200)),
        ("de", "0", d(0)),
        ("de", "10.000.000", d(10_000_000)),
        ("en", "25", d(25)),
        ("en", "12.5", d("12.5")),
        ("en", "1,200", d(1200)),
        ("en", "25 employees", d(25)),
        ("en", "25 people", d(25)),
        ("en", "1 person", d(1)),
        ("en", "40 FTE", d(40)),
        ("en", "40 FTEs", d(40)),
        ("en", "12.5 full-time equivalents", d("12.5")),
        ("en", "about 25 staff", d(25)),
        ("en", "ca. 25", d(25)),
        ("en", "1.2k", d(1200)),
        ("en", "10,000,000", d(10_000_000)),
    ],
)
def test_parse_staff_accepts(language: str, text: str, expected: Decimal) -> None:
    assert parse_staff(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "15 %", d(15)),
        ("de", "15%", d(15)),
        ("de", "15", d(15)),
        ("de", "15 Prozent", d(15)),
        ("de", "0,5", d("0.5")),
        ("de", "0,5 %", d("0.5")),
        ("de", "12,5 %", d("12.5")),
        ("de", "100", d(100)),
        ("de", "100 %", d(100)),
        ("de", "0", d(0)),
        ("de", "ca. 15 %", d(15)),
        ("de", "15％", d(15)),  # fullwidth percent sign
        ("de", format_percent(0.25, locale="de"), d(25)),
        ("en", "15%", d(15)),
        ("en", "15 %", d(15)),
        ("en", "15 percent", d(15)),
        ("en", "15 per cent", d(15)),
        ("en", "0.5", d("0.5")),
        ("en", "0.5%", d("0.5")),
        ("en", "100", d(100)),
        ("en", "about 15%", d(15)),
        ("en", format_percent(0.25, locale="en"), d(25)),
    ],
)
def test_parse_percent_accepts(language: str, text: str, expected: Decimal) -> None:
    assert parse_percent(text, language) == expected


def _cases(parsers: list[Parser], languages: list[str], texts: list[str], msgid: str) -> list[object]:
    return [
        pytest.param(parser, language, text, msgid, id=f"{parser.__name__}-{language}-{text[:20]!r}")
        for parser in parsers
        for language in languages
        for text in texts
    ]


ALL = [parse_amount, parse_money, parse_staff, parse_percent]
BOTH = ["de", "en"]

REJECTED = [
    *_cases(
        ALL,
        BOTH,
        [
            "",
            "   ",
            "abc",
            "😀",
            "Mio.",
            "€",
            "%",
            "--5",
            "-+5",
            "1e400",
            "1E5",
            "0x10",
            "1_000",
            "١٥",  # Arabic-Indic digits
            "१५",  # Devanagari digits
            "１５",  # fullwidth digits
            "5²",
            "½",
            "12.5.2023",
            "1,5,2",
            "über 250",
            "< 10",
        ],
        NOT_A_NUMBER,
    ),
    *_cases(ALL, BOTH, ["nan", "NaN", "inf", "-inf", "Infinity", "∞", "unendlich"], NOT_FINITE),
    *_cases(ALL, BOTH, ["1" * 65, "5" * 4000, "1 " * 40], TOO_LONG),
    *_cases(ALL, BOTH, ["10-20", "10 - 20", "10–20", "10 bis 20", "10 to 20", "10 20", "5 5"], ONE_NUMBER),
    *_cases([parse_money, parse_staff, parse_percent], BOTH, ["-5", "−5", "- 1"], NEGATIVE),
    *_cases([parse_money], BOTH, ["-5 €", "-€5", "€-5", "-2 Mio"], NEGATIVE),
    *_cases(
        [parse_money],
        ["de"],
        ["1,5 Billionen", "1.000.000.000.001", "2 Bio. €", "1 Trillion"],
        MONEY_TOO_LARGE,
    ),
    *_cases([parse_money], ["en"], ["1.5 trillion", "1,000,000,000,001", "€2T", "2000 bn"], MONEY_TOO_LARGE),
    *_cases([parse_staff], BOTH, ["10000001", "20 Mio", "1 Mrd"], STAFF_TOO_LARGE),
    *_cases([parse_percent], ["de"], ["100,5", "101 %", "150", "1.000"], SHARE_TOO_LARGE),
    *_cases([parse_percent], ["en"], ["100.5", "101%", "150", "1,000"], SHARE_TOO_LARGE),
    # the other language's separators where they could be groups: told how to write it, never guessed
    *_cases(ALL, ["en"], ["1.500,50", "1.500.000"], SEPARATORS),
    *_cases(ALL, ["de"], ["1,500.50", "1,500,000"], SEPARATORS),
    # words that belong to another kind of answer
    *_cases([parse_staff, parse_percent], BOTH, ["25 €", "EUR 25", "25 Euro"], NOT_A_NUMBER),
    *_cases([parse_percent], BOTH, ["1 Mio", "5k", "15 Mitarbeitende"], NOT_A_NUMBER),
    *_cases([parse_amount, parse_money, parse_staff], BOTH, ["15 %", "15 Prozent"], NOT_A_NUMBER),
    *_cases([parse_amount, parse_money], BOTH, ["€ 5 €", "2 Mio Mio", "5 Mio. € €"], NOT_A_NUMBER),
]


@pytest.mark.parametrize(("parser", "language", "text", "msgid"), REJECTED)
def test_rejections_give_the_specific_reason(parser: Parser, language: str, text: str, msgid: str) -> None:
    assert reason(parser, text, language).reason.msgid == msgid


@pytest.mark.parametrize(
    ("language", "text", "value"),
    [
        ("en", "1,5", d("1.5")),
        ("en", "12,5", d("12.5")),
        ("en", "1,5 Mio.", d(1_500_000)),
        ("en", "2,5 Millionen", d(2_500_000)),
        ("de", "2.5", d("2.5")),
        ("de", "0.5", d("0.5")),
        ("de", "2.5m", d(2_500_000)),
        ("de", "€2.5M", d(2_500_000)),
        ("de", "2.5 bn", d(2_500_000_000)),
        ("de", "EUR 2.5 million", d(2_500_000)),
    ],
)
def test_a_lone_separator_without_a_group_of_three_is_a_decimal_point(
    language: str, text: str, value: Decimal
) -> None:
    assert parse_amount(text, language) == value


@pytest.mark.parametrize(
    ("language", "text", "suggestion"),
    [
        ("en", "1.500.000,50", "1,500,000.5"),
        ("de", "1,500,000", "1.500.000"),
        ("de", "1,500.50", "1.500,5"),
    ],
)
def test_separator_reason_suggests_the_spelling_of_the_language(
    language: str, text: str, suggestion: str
) -> None:
    args = reason(parse_amount, text, language).reason.args
    assert args["suggestion"] == suggestion
    assert args["decimal"] == Number(d("1.5"))
    assert args["thousands"] == Number(d(1500))
    parse_amount(suggestion, language)  # the suggestion itself is accepted


@pytest.mark.parametrize(
    ("parser", "text", "limit"),
    [
        (parse_money, "2 Bio.", Money(d(10**12))),
        (parse_staff, "20 Mio", Number(d(10_000_000))),
        (parse_percent, "101", Percent(d(100))),
    ],
)
def test_limit_reasons_name_the_limit(parser: Parser, text: str, limit: Arg) -> None:
    assert reason(parser, text, "de").reason.args["limit"] == limit


@pytest.mark.parametrize(
    ("parser", "value"), [(parse_money, 10**12), (parse_staff, 10_000_000), (parse_percent, 100)]
)
def test_limits_themselves_are_accepted(parser: Parser, value: int) -> None:
    assert parser(str(value), "de") == value


def render(arg: Arg, language: str) -> str:
    """Format an example argument the way a channel shows it (compact money with one decimal)."""
    if isinstance(arg, Money):
        return format_compact_currency(arg.amount, "EUR", locale=language, fraction_digits=1)
    if isinstance(arg, Percent):
        return format_percent(arg.points / 100, locale=language, decimal_quantization=False)
    if isinstance(arg, Number):
        return format_decimal(arg.value, locale=language, decimal_quantization=False)
    raise AssertionError(f"unexpected example {arg!r}")


@pytest.mark.parametrize("language", BOTH)
@pytest.mark.parametrize("parser", [parse_money, parse_staff, parse_percent])
def test_the_suggested_example_is_itself_accepted(parser: Parser, language: str) -> None:
    example = reason(parser, "no idea", language).reason.args["example"]
    assert parser(render(example, language), language) >= 0


def test_leading_and_trailing_whitespace_does_not_count_towards_the_length_cap() -> None:
    assert parse_money(" " * 200 + "1,5 Mio. €" + " " * 200, "de") == 1_500_000


# --- properties -----------------------------------------------------------------------------------------

LOCALES = {"de": ["de", "de_AT"], "en": ["en", "en_GB"]}
LANGUAGE_AND_LOCALE = st.sampled_from([(lang, loc) for lang, locs in LOCALES.items() for loc in locs])


@settings(max_examples=150, deadline=None)
@given(LANGUAGE_AND_LOCALE, st.decimals(min_value=-(10**12), max_value=10**12, places=3))
def test_format_decimal_round_trips(language_and_locale: tuple[str, str], value: Decimal) -> None:
    language, locale = language_and_locale
    assert parse_amount(format_decimal(value, locale=locale), language) == value


@settings(max_examples=150, deadline=None)
@given(LANGUAGE_AND_LOCALE, st.decimals(min_value=-(10**12), max_value=10**12, places=2))
def test_format_currency_round_trips(language_and_locale: tuple[str, str], value: Decimal) -> None:
    language, locale = language_and_locale
    formatted = format_currency(value, "EUR", locale=locale)
    assert parse_amount(formatted, language) == value
    if value >= 0:
        assert parse_money(formatted, language) == value


@settings(max_examples=150, deadline=None)
@given(LANGUAGE_AND_LOCALE, st.integers(10, 9999), st.sampled_from([3, 6, 9, 12]))
def test_format_compact_currency_round_trips(
    language_and_locale: tuple[str, str], tenths: int, exponent: int
) -> None:
    # tenths of a unit (thousand, million, ...) below 1000 units: exactly shown with one fraction digit
    language, locale = language_and_locale
    value = Decimal(tenths).scaleb(exponent - 1)
    formatted = format_compact_currency(value, "EUR", locale=locale, fraction_digits=1)
    assert parse_amount(formatted, language) == value


@settings(max_examples=150, deadline=None)
@given(LANGUAGE_AND_LOCALE, st.integers(0, 1000))
def test_format_percent_round_trips(language_and_locale: tuple[str, str], tenths: int) -> None:
    language, locale = language_and_locale
    points = Decimal(tenths).scaleb(-1)
    formatted = format_percent(points / 100, locale=locale, decimal_quantization=False)
    assert parse_percent(formatted, language) == points


@settings(max_examples=150, deadline=None)
@given(LANGUAGE_AND_LOCALE, st.decimals(min_value=0, max_value=10_000_000, places=2))
def test_staff_round_trips(language_and_locale: tuple[str, str], value: Decimal) -> None:
    language, locale = language_and_locale
    assert parse_staff(format_decimal(value, locale=locale), language) == value


# Strings made of the pieces numbers are written with, to reach deeper than random text does.
NUMBERISH = st.lists(
    st.sampled_from(
        [
            *string.digits,
            *".,' -+%€~",
            NBSP,
            NNBSP,
            "−",
            "Mio",
            "Mrd",
            "k",
            "m",
            "EUR",
            "bn",
            "ca. ",
            "e",
            "T",
        ]
    ),
    max_size=20,
).map("".join)
BOUNDS = {
    parse_amount: None,
    parse_money: (0, 10**12),
    parse_staff: (0, 10_000_000),
    parse_percent: (0, 100),
}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ALL),
    st.sampled_from(["de", "en", "de_AT", "en-GB"]),
    st.one_of(st.text(), NUMBERISH, st.text(min_size=60, max_size=5000)),
)
def test_nothing_but_invalid_answer_is_ever_raised(parser: Parser, language: str, text: str) -> None:
    try:
        value = parser(text, language)
    except InvalidAnswer as error:
        assert error.reason.msgid
        return
    assert isinstance(value, Decimal)
    assert value.is_finite()
    bounds = BOUNDS[parser]
    if bounds is not None:
        assert bounds[0] <= value <= bounds[1]


# --- translations ---------------------------------------------------------------------------------------


def _msgids_in_parsing_module() -> set[str]:
    tree = ast.parse((ROOT / "dialogs" / "parsing.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "msg"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_the_reasons_checked_here_are_all_the_reasons_of_the_module() -> None:
    checked = {
        NOT_A_NUMBER,
        TOO_LONG,
        ONE_NUMBER,
        NOT_FINITE,
        SEPARATORS,
        NEGATIVE,
        MONEY_TOO_LARGE,
        STAFF_TOO_LARGE,
        SHARE_TOO_LARGE,
        SMALL_ANNUAL_AMOUNT,
        SMALL_TURNOVER,
        SMALL_BALANCE,
        NO_STAFF,
        ZERO_STAFF_EXAMPLE,
        HUGE_STAFF,
        STAFF_EXAMPLE,
    }
    assert _msgids_in_parsing_module() == checked


def test_every_reason_has_a_german_translation_with_the_same_placeholders() -> None:
    catalog = german_messages()
    german = {msgid: catalog.get(msgid, "") for msgid in _msgids_in_parsing_module()}
    for msgid, text in german.items():
        assert _placeholders(text) == _placeholders(msgid), msgid
        assert text != msgid


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    ("text", "value"),
    [("45 €", d(45)), ("€45", d(45)), ("45 EUR", d(45)), ("0", d(0)), ("45k", d(45_000)), ("1500", d(1500))],
)
def test_annual_money_takes_explicit_or_plausible_amounts(language: str, text: str, value: Decimal) -> None:
    assert parse_annual_money(text, language) == value


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("text", ["45", "999", "1"])
def test_a_bare_small_annual_amount_is_asked_about(language: str, text: str) -> None:
    refused = reason(parse_annual_money, text, language).reason
    assert refused.msgid == SMALL_ANNUAL_AMOUNT
    assert refused.args["millions"] == Money(d(text) * 1_000_000)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_small_amount_with_cents_is_asked_about_unrounded_and_per_figure(language: str) -> None:
    typed = "1,5" if language == "de" else "1.5"
    turnover = reason(parse_annual_money, typed, language).reason
    assert turnover.args["amount"] == Money(d("1.5"), compact=False)
    question = turnover.args["question"]
    assert isinstance(question, Text) and question.msgid == SMALL_TURNOVER
    balance = reason(parse_balance_total, typed, language).reason
    question = balance.args["question"]
    assert isinstance(question, Text) and question.msgid == SMALL_BALANCE
    assert "year" not in question.msgid  # a balance-sheet total is a figure on one date
    rendered = Translator(language)(turnover).replace("\xa0", " ")
    assert ("1,50 €" if language == "de" else "€1.50") in rendered
    assert "2 €" not in rendered and "€2 " not in rendered


def test_the_german_small_amount_question_is_grammatical() -> None:
    german = Translator("de")(reason(parse_annual_money, "1,5", "de").reason)
    assert "Stimmen" not in german and "Stimmt der Betrag" in german


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("text", ["0", "60000", "1 Mio"])
def test_implausible_staff_counts_are_asked_about(language: str, text: str) -> None:
    refused = reason(parse_headcount, text, language).reason
    assert refused.msgid in (NO_STAFF, HUGE_STAFF)


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("0 Mitarbeitende", "de", d(0)),
        ("0 staff", "en", d(0)),
        ("60.000 Mitarbeitende", "de", d(60_000)),
        ("60,000 employees", "en", d(60_000)),
        ("1", "de", d(1)),
        ("12,5", "de", d("12.5")),
    ],
)
def test_staff_counts_confirmed_with_a_word_or_plausible_are_taken(
    text: str, language: str, value: Decimal
) -> None:
    assert parse_headcount(text, language) == value
