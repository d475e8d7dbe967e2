"""Question screens: what a typed answer is read against is what the full screen offers."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs import relations
from dialogs.questions import QUESTIONS, Question
from dialogs.screens import offered_screen, question_screen
from tests.support.harness import BASE_ANSWERS


def _answer_sets(question: Question) -> list[dict[str, Any]]:
    sets: list[dict[str, Any]] = [{}, dict(BASE_ANSWERS)]
    for choice in question.choices:
        if relations.opens_for(question.id, choice.key):  # the related-enterprise list offers its own buttons
            sets.append({**BASE_ANSWERS, question.id: relations.enter(None, choice.key)})
    return sets


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_the_offered_screen_offers_what_the_question_screen_offers(question: Question) -> None:
    for answers in _answer_sets(question):
        full, offered = question_screen(question, answers), offered_screen(question, answers)
        assert (offered.question_id, offered.choices, offered.accepts_text) == (
            full.question_id,
            full.choices,
            full.accepts_text,
        )


def test_the_related_enterprises_list_is_among_the_cases() -> None:
    assert any(len(_answer_sets(q)) > 2 for q in QUESTIONS)
