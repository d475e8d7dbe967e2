"""What retention keeps of a result for the statistics: bands and rounded figures, as the export shows them.

The typed figures are what a person remembers entering ("12 staff, 1.5 m turnover"), so a kept result that
held them byte for byte could be matched to the /mydata document shown before. Kept are the size bands of the
SME ceilings, the shares and the score rounded to 5 points, and the choices (a handful of keys each).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from bot.storage.shares import SHARES
from dialogs.questions import QUESTION_BY_ID

SIZE_QUESTIONS = ("staff", "turnover", "balance_sheet")


def band_of(question_id: str, answer: Any) -> str | None:
    """The SME-ceiling band of a size answer: its stored band key, or the band its typed figure falls into."""
    if not isinstance(answer, dict):
        return None
    question = QUESTION_BY_ID[question_id]
    keys = {choice.key for choice in question.choices}
    band = answer.get("band")
    if isinstance(band, str) and band in keys:
        return band
    figure = _decimal(answer.get("value"))
    if figure is None:
        value = answer.get("value")
        return value if isinstance(value, str) and value in keys else None
    ranged = [choice for choice in question.choices if choice.low is not None]
    chosen = None
    for choice in ranged:
        if choice.low is not None and figure >= choice.low:
            chosen = choice.key
    return chosen or (ranged[0].key if ranged else None)


def round_to_5(value: Any) -> str | None:
    number = _decimal(value)
    if number is None:
        return None
    return str(int((number / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5))


def anonymised_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as retention keeps them: bands for the size figures, shares rounded to 5 points."""
    kept: dict[str, Any] = {}
    for question_id, answer in answers.items():
        if question_id not in QUESTION_BY_ID or not isinstance(answer, dict):
            continue
        if question_id in SIZE_QUESTIONS:
            kept[question_id] = {"value": None, "band": band_of(question_id, answer)}
        elif question_id in SHARES:
            kept[question_id] = {"value": round_to_5(answer.get("value")), "band": None}
        else:
            value = answer.get("value")
            keys = {choice.key for choice in QUESTION_BY_ID[question_id].choices}
            kept[question_id] = {"value": value if value in keys else None, "band": None}
    return kept


def rounded_score(score: Any) -> int | None:
    text = round_to_5(score)
    return None if text is None else int(text)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
