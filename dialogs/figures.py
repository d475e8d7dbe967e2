"""A figure as the user gave it: an exact number, or the band they chose, read back in words and as bounds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from dialogs.answer_bands import BANDS
from dialogs.question_model import Choice
from dialogs.text import Arg, Money, Number, msg


def band_of(question_id: str, value: Decimal | None, banded: frozenset[str]) -> tuple[Choice, bool] | None:
    """The band a figure of ``question_id`` stands for (if banded), and whether it is the open top band."""
    if question_id not in banded or value is None:
        return None
    bands = [c for c in BANDS[question_id] if c.low is not None and c.high is not None]
    for index, band in enumerate(bands):
        if band.value == value:
            return band, index == len(bands) - 1
    return None


def whole(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_DOWN)


def staff_arg(staff: Decimal, banded: frozenset[str]) -> Arg:
    found = band_of("staff", staff, banded)
    if found is None:
        return Number(staff)
    band, top = found
    assert band.low is not None and band.high is not None
    if top:
        return msg("{low} or more", low=Number(band.low))
    if band.low == 0:
        return msg("fewer than {limit}", limit=Number(whole(band.high) + 1))
    return msg("{low} to {high}", low=Number(band.low), high=Number(whole(band.high)))


def money_arg(question_id: str, amount: Decimal | None, banded: frozenset[str]) -> Arg:
    assert amount is not None
    found = band_of(question_id, amount, banded)
    if found is None:
        return Money(amount)
    band, top = found
    assert band.low is not None and band.high is not None
    if top:
        return msg("more than {low}", low=Money(whole(band.low)))
    if band.low == 0:
        return msg("up to {high}", high=Money(band.high))
    return msg("more than {low} up to {high}", low=Money(whole(band.low)), high=Money(band.high))


def figure_bounds(
    question_id: str, value: Decimal | None, banded: frozenset[str]
) -> tuple[Decimal | None, Decimal | None]:
    """The interval a figure stands for: its band's bounds, or the exact figure twice."""
    found = band_of(question_id, value, banded)
    if found is None:
        return value, value
    return found[0].low, found[0].high


@dataclass(frozen=True)
class Figures:
    """The deciding figures with how each reads in a sentence (exact, or as the band chosen)."""

    staff: Decimal
    turnover: Decimal
    balance_sheet: Decimal | None
    staff_arg: Arg
    turnover_arg: Arg
    balance_arg: Arg | None
