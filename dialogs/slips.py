"""Typical slips at a number question, and a more helpful refusal for each than the parser's own.

Staff typed where money is asked ("12 Mitarbeitende"), or a range ("10-20") where one number is asked.
"""

from __future__ import annotations

import re
from decimal import Decimal

from dialogs.parsing import MAX_LENGTH, STAFF_WORD, normalize
from dialogs.questions import Question
from dialogs.screens import MONEY_QUESTIONS
from dialogs.text import InvalidAnswer, Money, Number, Text, msg

# "don't know" typed at a number question: the offered ranges are the way on
_DONT_KNOW = re.compile(
    r"(?i)^(wei(ß|ss) (ich )?nicht|keine ahnung|unbekannt|k\. ?a\.?|don'?t know|do not know|not sure|unknown|no idea)[.!]?$"
)


def better_refusal(question: Question, text: str, language: str) -> Text | None:
    """A more helpful reason than the parser's for typical slips: staff typed where money is asked, or a
    range ("10-20") instead of one number (pointing to the offered range that holds it)."""
    if _DONT_KNOW.match(text.strip()) and any(c.low is not None for c in question.choices):
        return msg(
            "No exact figure needed: choose the range below that your figure lies in. A range is enough to"
            " classify your company."
        )
    if question.id in MONEY_QUESTIONS and looks_like_staff(text):
        return msg(
            "That looks like a number of staff. Here we need an amount in euros, e.g. {example}.",
            example=Money(Decimal(1_500_000)),
        )
    assert question.parser is not None
    ends = split_range(text)
    if ends is None:
        return None
    try:
        low, high = sorted(question.parser(end, language) for end in ends)
    except InvalidAnswer:
        return None
    for choice in question.choices:
        if choice.low is not None and choice.high is not None and choice.low <= low and high <= choice.high:
            return msg(
                "Please enter just one number, or choose the range “{range}”.",
                range=choice.label,
            )
    return msg(
        "Please enter just one number, for a range its middle, e.g. {middle}.",
        middle=Number((low + high) / 2),
    )


def looks_like_staff(text: str) -> bool:
    """Whether ``text`` names people ("12 Mitarbeitende", "12 employees"), e.g. typed at a money question."""
    return bool(STAFF_WORD.search(normalize(text)))


_RANGE_PARTS = re.compile(r"(?P<low>.*?[0-9].*?)\s*(?:-|bis|to)\s*(?P<high>[0-9].*)")


def split_range(text: str) -> tuple[str, str] | None:
    """The two ends of a typed range ("10-20", "10 bis 20", "1 to 2 Mio"), else None.

    A scale word or unit written only after the second end ("1-2 Mio") is applied to both ends.
    """
    normalized = normalize(text)
    if len(normalized) > MAX_LENGTH:
        return None
    match = _RANGE_PARTS.fullmatch(normalized)
    if match is None:
        return None
    low, high = match["low"].strip(), match["high"].strip()
    unit = re.sub(r"^[0-9.,' ]+", "", high)
    if unit and re.fullmatch(r"[0-9.,' ]+", low):
        low = f"{low} {unit}"
    return low, high
