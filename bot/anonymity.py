"""The anonymity rules every aggregate shares: figures shown only for groups of at least k, shares rounded to 5."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# The smallest group whose figures are shown or exported; smaller groups are suppressed and counted.
DEFAULT_K = 5


def round_to_5(value: Any) -> int | None:
    """Round to the nearest multiple of 5 (halves up); None for a missing or unreadable value."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int((number / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5)
