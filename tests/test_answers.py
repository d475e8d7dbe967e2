"""The typed stored answers agree with the question catalogue: every question id is a key of ``StoredAnswers``,
a number question stores a number answer, and a choice question's ``Literal`` holds exactly its keys."""

from __future__ import annotations

from typing import get_args, get_origin, get_type_hints

import pytest

from dialogs.answer_bands import BANDS
from dialogs.answers import ChoiceAnswer, NumberAnswer, RelationAnswer, StoredAnswers, chosen, typed
from dialogs.questions import QUESTION_BY_ID, QUESTIONS, Question

HINTS = get_type_hints(StoredAnswers)


def test_every_question_is_a_typed_key_and_nothing_else() -> None:
    assert list(HINTS) == [question.id for question in QUESTIONS]  # in the catalogue's order, too
    assert not StoredAnswers.__required_keys__  # a question not answered yet has no key


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question.id)
def test_each_answer_type_holds_exactly_the_questions_keys(question: Question) -> None:
    hint = HINTS[question.id]
    if question.is_number:
        assert hint is NumberAnswer
        return
    assert get_origin(hint) in (ChoiceAnswer, RelationAnswer), hint
    (literal,) = get_args(hint)
    assert get_args(literal) == tuple(choice.key for choice in question.choices)


def test_a_chosen_key_is_read_and_a_missing_answer_is_none() -> None:
    answers = typed({"customers": {"value": "business", "band": None}})
    assert chosen(answers.get("customers")) == "business"
    assert chosen(answers.get("website")) is None
    assert QUESTION_BY_ID["customers"].choice("business") is not None


def test_the_rules_read_the_bands_the_catalogue_offers() -> None:
    """The rules, figures and ceilings read ``BANDS``, not the catalogue: both must be the same choices."""
    numbers = {question.id: question.choices for question in QUESTIONS if question.is_number}
    assert numbers == BANDS
