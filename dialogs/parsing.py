"""Reading typed numbers (euro amounts, staff, percent shares) the way German and English users write them.

Every parser is a pure function ``(text, language) -> Decimal`` that raises ``InvalidAnswer`` with a
localizable reason for anything it cannot accept, and never any other exception.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, localcontext
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, parse_decimal

from dialogs.text import LANGUAGES, Arg, InvalidAnswer, Money, Number, Percent, Text, msg

MAX_MONEY = Decimal(10) ** 12  # one German "Billion" euros
MAX_STAFF = Decimal(10_000_000)
MAX_PERCENT = Decimal(100)

# Longer answers are not a number anyway; the cap also keeps the regular expressions below cheap.
MAX_LENGTH = 64
# Enough digits to hold any number of MAX_LENGTH characters times the largest scale word exactly.
_PRECISION = 100

# Powers of ten of the scale words, per language: "Billion" is 10^12 in German but 10^9 in English, and a
# German "T€" means thousands while an English "T" (babel's compact form) means trillions.  Words that
# mean the same in both languages are accepted in both, so "2 Mio." also works in English.
_COMMON_SCALES = {
    "k": 3,
    "tsd": 3,
    "tausend": 3,
    "thousand": 3,
    "m": 6,
    "mn": 6,
    "mln": 6,
    "mio": 6,
    "mill": 6,
    "million": 6,
    "millions": 6,
    "millionen": 6,
    "bn": 9,
    "mrd": 9,
    "milliarde": 9,
    "milliarden": 9,
    "bio": 12,
}
_SCALES = {
    "de": {
        **_COMMON_SCALES,
        "t": 3,
        "md": 9,
        "billion": 12,
        "billionen": 12,
        "trillion": 18,
        "trillionen": 18,
    },
    "en": {
        **_COMMON_SCALES,
        "mm": 6,
        "b": 9,
        "bln": 9,
        "billion": 9,
        "billions": 9,
        "t": 12,
        "tn": 12,
        "trillion": 12,
        "trillions": 12,
    },
}

_LETTER = "a-zäöüß"
_END_OF_WORD = f"(?![{_LETTER}])"
_APPROX_WORDS = "ca|circa|zirka|etwa|ungefähr|rund|about|around|approx|approximately|roughly"
_APPROX = rf"(?:(?:{_APPROX_WORDS})\.?{_END_OF_WORD}|~|≈)"
_CURRENCY = rf"(?:€|euros|euro|eur){_END_OF_WORD}"
# A German price may end in ",-" ("1.500,- €"): whole euros.
_WHOLE_EUROS = r",\s*--?"
_PERCENT_UNIT = rf"(?:%|prozent|percent|per ?cent|pct)\.?{_END_OF_WORD}"
_STAFF_UNIT = (
    r"(?:mitarbeiter(?:innen|[*:_/]-?innen|\(innen\))?|mitarbeitenden?|beschäftigten?|angestellten?"
    r"|personen|leute|köpfe|menschen|ma|vollzeitäquivalente?|vollzeitstellen|vzä|vze"
    r"|jahresarbeitseinheiten|jae|employees?|people|persons?|staff|workers?|heads?|headcount|ftes?"
    r"|full[- ]?time equivalents?|annual work units?|awus?)"
    rf"\.?{_END_OF_WORD}"
)
# Digits with group and decimal separators; babel decides what they mean.  Only ASCII digits: Python's
# \d and Decimal would also take digits of other scripts, which the bot does not promise to read.
_DIGITS = r"[.,]?[0-9](?:[0-9.,' ]*[0-9])?"
# Spaces or apostrophes (Swiss style) as thousands separators: "1 500 000", "1'500'000,50".
_SPACED_GROUPS = re.compile(r"[0-9]{1,3}(?P<sep>[ '])[0-9]{3}(?:(?P=sep)[0-9]{3})*(?:[.,][0-9]+)?")
_NOT_FINITE = re.compile(rf"(?<![{_LETTER}])(?:nan|inf|infinity|infinite|unendlich){_END_OF_WORD}|∞")
_RANGE = re.compile(rf"[0-9]\s*(?:-|bis|to|or|oder|and|und)\s*[-+]?\s*(?:{_CURRENCY})?\s*[0-9]")

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")
_CHARACTER_MAP = {**_DASHES, ord("\u2019"): "'", ord("\u02bc"): "'", ord("\uff05"): "%", ord("\uff0b"): "+"}


class _Grammar:
    """What may surround the number in one kind of answer, and the example shown when it does not parse.

    Each language's pattern is compiled when that language first parses such an answer (~1 ms each), not at
    import: a start whose first updates are buttons needs none of the six.
    """

    def __init__(self, example: Arg, *, currency: bool, scales: bool, unit: str | None) -> None:
        self.example = example
        self._currency, self._scales, self._unit = currency, scales, unit
        self._patterns: dict[str, re.Pattern[str]] = {}

    def pattern(self, language: str) -> re.Pattern[str]:
        found = self._patterns.get(language)
        if found is None:
            found = self._patterns[language] = re.compile(self._source(language))
        return found

    def _source(self, language: str) -> str:
        currency, unit = self._currency, self._unit
        words = "|".join(re.escape(word) for word in sorted(_SCALES[language], key=len, reverse=True))
        parts = [
            rf"(?:{_APPROX}\s*)?",
            r"(?P<sign>[-+])?\s*",
            rf"(?:(?P<currency_before>{_CURRENCY})\s*)?(?P<sign_after_currency>[-+])?\s*" if currency else "",
            rf"(?P<number>{_DIGITS})\s*",
            rf"(?:{_WHOLE_EUROS}\s*)?" if currency else "",
            # "teur"/"k€": a scale glued to the currency
            rf"(?:(?P<scale>{words})\.?(?:{_END_OF_WORD}|(?=eur))\s*)?" if self._scales else "",
            rf"(?:(?P<currency_after>{_CURRENCY})\s*)?" if currency else "",
            rf"(?:{unit}\s*)?" if unit else "",
            r"\.?",  # a full stop ending the sentence
        ]
        return "".join(parts)


_AMOUNT = _Grammar(Money(Decimal(1_500_000)), currency=True, scales=True, unit=None)
_STAFF = _Grammar(Number(Decimal("12.5")), currency=False, scales=True, unit=_STAFF_UNIT)
_PERCENT = _Grammar(Percent(Decimal(15)), currency=False, scales=False, unit=_PERCENT_UNIT)


@lru_cache(maxsize=64)
def _language(language: str) -> str:
    """Map a locale code such as "de_AT" or "en-GB" to "de" or "en".

    Other languages read numbers the English way, matching the bot, which shows them English texts.
    """
    try:
        code = Locale.parse(language.replace("-", "_")).language
    except (ValueError, TypeError, UnknownLocaleError):
        code = re.split(r"[-_.@]", language, maxsplit=1)[0].lower()
    return code if code in LANGUAGES else "en"


def normalize(text: str) -> str:
    """Lower-case ``text`` and fold its look-alike characters: every kind of space (babel writes U+00A0 and
    U+202F) becomes one plain space, dashes and the minus sign become "-"; invisible marks are dropped."""
    visible = "".join(ch for ch in text.translate(_CHARACTER_MAP) if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split()).lower()


def _parse(text: str, language: str, grammar: _Grammar) -> Decimal:
    lang = _language(language)
    if len(text) > 16 * MAX_LENGTH:  # do not even scan a pasted essay
        raise _too_long(grammar)
    normalized = normalize(text)
    if len(normalized) > MAX_LENGTH:
        raise _too_long(grammar)
    with localcontext(prec=_PRECISION):
        return _read(normalized, lang, grammar)


def _read(text: str, lang: str, grammar: _Grammar) -> Decimal:
    if _NOT_FINITE.search(text):
        raise InvalidAnswer(
            msg(
                "Infinity and “NaN” cannot be used here. Please enter a number, e.g. {example}.",
                example=grammar.example,
            )
        )
    match = grammar.pattern(lang).fullmatch(text)
    if match is None:
        raise _one_number(grammar) if _RANGE.search(text) else _not_a_number(grammar)
    found = match.groupdict()
    if (found.get("sign") and found.get("sign_after_currency")) or (
        found.get("currency_before") and found.get("currency_after")
    ):
        raise _not_a_number(grammar)

    number = found["number"]
    if " " in number or "'" in number:
        if not _SPACED_GROUPS.fullmatch(number):
            raise _one_number(grammar) if " " in number else _not_a_number(grammar)
        number = number.replace(" ", "").replace("'", "")
    value = _decimal(number, lang, grammar)

    if found.get("scale"):
        value = value.scaleb(_SCALES[lang][found["scale"]])
    if "-" in (found.get("sign"), found.get("sign_after_currency")):
        value = -value
    if value.is_zero():
        return Decimal(0)  # not "-0" nor "0E+6"
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _decimal(number: str, lang: str, grammar: _Grammar) -> Decimal:
    """The value of ``number`` in the separators of ``lang``.

    babel's lenient mode reads an English "2,5" as 25; strict mode refuses it.  When the other language's
    separators would make sense of the number ("1,5" in English, "12.5" or "1,500,000" in German), the user
    is told how to write it instead of guessing: for money a wrong guess is off by a factor of 1000.
    """
    if number.isascii() and number.isdigit():  # no separator to read: the same in every language, and most
        return Decimal(number)  # answers are such; babel's strict reading costs ~8 µs each
    try:
        return parse_decimal(number, locale=lang, strict=True)
    except (ValueError, ArithmeticError):
        pass
    other = "en" if lang == "de" else "de"
    try:
        meant = parse_decimal(number, locale=other, strict=True)
    except (ValueError, ArithmeticError):
        raise _not_a_number(grammar) from None
    separators = [ch for ch in number if ch in ".,"]
    if len(separators) == 1 and len(number.rpartition(separators[0])[2]) != 3:
        # One separator not followed by a group of three digits can only be a decimal point ("2.5m" in
        # German, "1,5" in English): the meaning is clear, so take it.
        return meant
    raise InvalidAnswer(
        msg(
            "Did you mean {suggestion}? Please write decimals like {decimal} and thousands like {thousands}.",
            suggestion=format_decimal(meant, locale=lang, decimal_quantization=False),
            decimal=Number(Decimal("1.5")),
            thousands=Number(Decimal(1500)),
        )
    )


def _not_a_number(grammar: _Grammar) -> InvalidAnswer:
    return InvalidAnswer(msg("Please enter a number, e.g. {example}.", example=grammar.example))


def _one_number(grammar: _Grammar) -> InvalidAnswer:
    return InvalidAnswer(msg("Please enter just one number, e.g. {example}.", example=grammar.example))


def _too_long(grammar: _Grammar) -> InvalidAnswer:
    return InvalidAnswer(
        msg(
            "That is too long for a number. Please enter just the number, e.g. {example}.",
            example=grammar.example,
        )
    )


def _check_not_negative(value: Decimal) -> None:
    if value < 0:
        raise InvalidAnswer(msg("Negative values are not possible here. Please enter 0 or more."))


def parse_amount(text: str, language: str) -> Decimal:
    """Read a number, possibly with a scale word and a euro sign, as written in ``language`` ("de", "en",
    or a locale such as "de_AT"; other languages read as English).

    Accepted: babel's own output (``format_decimal``, ``format_currency``, ``format_compact_currency``, with
    their non-breaking spaces); group separators of the language or spaces/apostrophes ("1.500.000" de,
    "1,500,000" en, "1 500 000", "1'500'000"); scale words and abbreviations ("1,5 Mio.", "2 Mrd", "500 Tsd.",
    "500 T€", "500 TEUR", "500k", "2.5m", "2.5 bn", "2 Milliarden"; "Billion" is 10^12 in German and 10^9 in
    English, "T" is thousand in German and trillion in English); "€", "EUR" or "Euro" before or after; a
    German ",-" for whole euros; a leading sign; "ca."/"about" and a closing full stop.

    Decisions: "1.500" is 1500 in German and 1.5 in English (each language's own convention), "1,500" is
    1500 in English and 1.5 in German.  A number only the *other* language's separators make sense of
    ("1,5" or "1,500,000.5" in English, "2.5" in German) is rejected with the corrected spelling, never
    guessed.  Exponents ("1e400"), infinity, NaN, digits of other scripts, ranges ("10-20") and answers
    longer than 64 characters are rejected.  The result may be negative; it is exact (no float).
    """
    return _parse(text, language, _AMOUNT)


def parse_money(text: str, language: str) -> Decimal:
    """Read an amount in euros as ``parse_amount`` does, between 0 and 10^12 € (a German "Billion")."""
    value = parse_amount(text, language)
    _check_not_negative(value)
    if value > MAX_MONEY:
        raise InvalidAnswer(
            msg("That would be more than {limit}. Please check the amount in euros.", limit=Money(MAX_MONEY))
        )
    return value


# Below this, a year's turnover or balance sheet typed without a currency sign or scale word was most likely
# meant in thousands or millions ("45" for 45 Mio. €).
_PLAUSIBLE_ANNUAL_MONEY = Decimal(1000)
_EXPLICIT_MONEY = re.compile(
    r"€|\beur\b|\beuro|\d\s*(k|t|tsd|tausend|m|mio|mill|mn|mrd|md|bn|bio)\b", re.IGNORECASE
)


def _ask_about_small_amount(text: str, language: str, question: Text) -> Decimal:
    value = parse_money(text, language)
    if 0 < value < _PLAUSIBLE_ANNUAL_MONEY and not _EXPLICIT_MONEY.search(text):
        raise InvalidAnswer(
            msg(
                "{question} If you meant thousands or millions, please write it, e.g. {thousands} or"
                " {millions}. If the amount is right, write it with the euro sign: {amount}.",
                question=question,
                amount=Money(value, compact=False),
                thousands=Money(value * 1000),
                millions=Money(value * 1_000_000),
            )
        )
    return value


def parse_annual_money(text: str, language: str) -> Decimal:
    """A year's turnover in euros: like ``parse_money``, but a bare small number ("45") is asked about
    instead of being taken as 45 €, which is almost always a slip."""
    value = parse_money(text, language)
    return _ask_about_small_amount(
        text, language, msg("Only {amount} of turnover in a whole year?", amount=Money(value, compact=False))
    )


def parse_balance_total(text: str, language: str) -> Decimal:
    """A balance-sheet total in euros, a figure on one date; a bare small number is asked about."""
    value = parse_money(text, language)
    return _ask_about_small_amount(
        text, language, msg("A balance-sheet total of only {amount}?", amount=Money(value, compact=False))
    )


def parse_staff(text: str, language: str) -> Decimal:
    """Read staff in annual work units (fractions allowed: "12,5" de, "12.5" en), 0 to 10 million.

    The number may carry a scale word and a noun ("25 Mitarbeitende", "12,5 VZÄ", "25 employees", "40 FTE")
    and "ca."/"about"; currency signs are refused.
    """
    value = _parse(text, language, _STAFF)
    _check_not_negative(value)
    if value > MAX_STAFF:
        raise InvalidAnswer(
            msg("That would be more than {limit} staff. Please check the number.", limit=Number(MAX_STAFF))
        )
    return value


# Fewer than one or at least this many annual work units, typed without a word such as "staff", are asked
# about: owner-managers working in the firm count, so 0 is almost always a slip, and 50,000 is a group.
_PLAUSIBLE_STAFF_FROM = Decimal(50_000)
STAFF_WORD = re.compile(_STAFF_UNIT, re.IGNORECASE)


def parse_headcount(text: str, language: str) -> Decimal:
    """The staff of a company, like ``parse_staff``; 0 or 50,000 and more without a word such as "staff"
    ("0 Mitarbeitende", "60000 employees") are asked about rather than taken."""
    value = parse_staff(text, language)
    if STAFF_WORD.search(normalize(text)):
        return value
    if value == 0:
        raise InvalidAnswer(
            msg(
                "0 staff? Owner-managers and partners who work in the company count too, so a one-person"
                " business has 1. If really nobody works in the company, write “{zero}”.",
                zero=msg("0 staff"),
            )
        )
    if value >= _PLAUSIBLE_STAFF_FROM:
        raise InvalidAnswer(
            msg(
                "{staff} staff in annual work units? That is the size of a large group. If it is right,"
                " write it with the word “staff”, e.g. “{example}”.",
                staff=Number(value),
                example=msg("{staff} staff", staff=Number(value)),
            )
        )
    return value


def parse_percent(text: str, language: str) -> Decimal:
    """Read a share in percent points, 0 to 100: "15 %", "15%", "15 Prozent", "15"; "0,5" (de) and "0.5"
    (en) are half a percent point, not 50 %.  Scale words and currency signs are refused."""
    value = _parse(text, language, _PERCENT)
    _check_not_negative(value)
    if value > MAX_PERCENT:
        raise InvalidAnswer(
            msg(
                "A share cannot be more than {limit}. Please enter a value from 0 to 100.",
                limit=Percent(MAX_PERCENT),
            )
        )
    return value
