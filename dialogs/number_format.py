"""Numbers as German and English readers write them, without babel's locale data.

babel wrote and read them before. Its first use loads its global data and the locale's (~4.7 MB, nearly a tenth
of the bot's memory, and ~20 ms of CPU), although the bot needs two separators per language. This module writes and reads
exactly what babel does for the bot's two languages (tests/test_number_format.py compares them value by value):
``format_decimal`` as babel's ``format_decimal(..., decimal_quantization=False)`` and ``parse_decimal`` as its
``parse_decimal(..., strict=True)``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# (decimal sign, group separator) per language
SEPARATORS = {"de": (",", "."), "en": (".", ",")}


class NumberFormatError(ValueError):
    """The text is no number, or its separators are not where the language puts them."""


def format_decimal(value: Decimal | int, language: str, *, fraction_digits: int | None = None) -> str:
    """``value`` with the language's separators and every fraction digit it has (trailing zeros dropped), or
    rounded half to even to at most ``fraction_digits``."""
    decimal_sign, group = SEPARATORS[language]
    number = Decimal(value)
    sign = "-" if number.is_signed() else ""  # "-0" too, as babel writes it
    number = abs(number)  # rounded to the context's precision, as babel's arithmetic rounds it
    if fraction_digits is not None:
        number = number.quantize(Decimal(1).scaleb(-fraction_digits), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = format(number, "f").partition(".")
    fraction = fraction.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        whole, last = whole[:-3], whole[-3:]
        groups.insert(0, last)
    grouped = group.join([whole, *groups])
    return f"{sign}{grouped}{decimal_sign}{fraction}" if fraction else f"{sign}{grouped}"


def parse_decimal(text: str, language: str) -> Decimal:
    """The number in ``text``; NumberFormatError if it is none, or if it has group separators that are not
    where ``format_decimal`` would put them ("1.50" in German, whose group separator is the dot)."""
    decimal_sign, group = SEPARATORS[language]
    try:
        parsed = Decimal(text.replace(group, "").replace(decimal_sign, "."))
    except InvalidOperation:
        raise NumberFormatError(f"{text!r} is not a number") from None
    if group in text:
        proper = format_decimal(parsed, language)
        if text != proper and proper != _without_trailing_zeros(text, decimal_sign):
            raise NumberFormatError(f"{text!r} is not written as {language} writes numbers")
    return parsed


def _without_trailing_zeros(text: str, decimal_sign: str) -> str:
    """``text`` without zeros ending its fraction, and without its decimal sign if nothing else follows it;
    unchanged if nothing follows its first decimal sign at all (babel does it so: "1.500," stays wrong)."""
    whole, _, fraction = text.partition(decimal_sign)
    if not fraction:
        return text
    fraction = fraction.rstrip("0")
    return f"{whole}{decimal_sign}{fraction}" if fraction else whole
