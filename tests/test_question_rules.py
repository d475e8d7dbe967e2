"""When a question is asked: the kept verdicts of the previous-year question are the ones worked out afresh."""

from __future__ import annotations

from typing import Any

from dialogs.group import relation_answer
from dialogs.question_rules import _previous_year_verdict, previous_year_applies


def _answers(staff: Any, linked: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "staff": {"value": staff, "band": None},
        "turnover": {"value": "9000000", "band": None},
        "balance_sheet": {"value": None, "band": "unknown"},
        "linked": linked,
        "owns": {"value": "none", "band": None},
    }


def test_a_kept_verdict_is_only_served_for_the_same_answers() -> None:
    # The same relation key with other typed enterprises, and figures that differ only in how they are stored:
    # each set gets its own verdict, whichever was asked first.
    big_partner = relation_answer("40 %; 30; 3 Mio. €; 2 Mio. €", "de")
    small_partner = relation_answer("40 %; 1; 0,1 Mio. €; 0,1 Mio. €", "de")
    assert big_partner["value"] == small_partner["value"]
    sets = [
        _answers("52", {"value": "none", "band": None}),
        _answers("52", big_partner),
        _answers("52", small_partner),
        _answers("52", {"value": big_partner["value"], "band": None}),
        _answers("40", {"value": "none", "band": None}),
        _answers(52, {"value": "none", "band": None}),
        _answers("52", {"value": "none", "band": None, "related": big_partner["related"]}),
        _answers("52", {"value": "none"}),
    ]
    verdicts = [_previous_year_verdict(answers) for answers in sets]
    assert True in verdicts and False in verdicts
    for _ in range(2):
        assert [previous_year_applies(answers) for answers in sets] == verdicts
        assert [previous_year_applies(answers) for answers in reversed(sets)] == verdicts[::-1]
