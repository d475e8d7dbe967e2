"""What the engine shows, as plain data: a question, the summary or the result, and the reply around it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache

from dialogs import relations
from dialogs.advice import Advice
from dialogs.classification import Classification
from dialogs.comparisons import compares_with_b2b_survey
from dialogs.group import UP, describe_related, related_from_answer
from dialogs.profile import CompanyProfile
from dialogs.questions import QUESTION_BY_ID, QUESTIONS, Answer, Answers, Question
from dialogs.sections import Section, result_sections
from dialogs.text import Money, Number, Percent, Text, msg

MONEY_QUESTIONS = frozenset({"turnover", "balance_sheet"})
PERCENT_QUESTIONS = frozenset({"online_share", "social_share", "controlling_share"})


@dataclass(frozen=True)
class ChoiceView:
    key: str
    label: Text


@dataclass(frozen=True)
class QuestionScreen:
    question_id: str
    number: int
    total: int
    prompt: Text
    hint: Text | None
    choices: tuple[ChoiceView, ...]
    accepts_text: bool
    current: Text | None
    can_go_back: bool

    @property
    def progress(self) -> Text:
        return msg("Question {number} of {total}", number=self.number, total=self.total)


@dataclass(frozen=True)
class SummaryItem:
    question_id: str
    label: Text
    value: Text


@dataclass(frozen=True)
class SummaryScreen:
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True)
class Result:
    """The advisor's verdict on a complete questionnaire."""

    profile: CompanyProfile
    classification: Classification
    advice: Advice

    @property
    def compares_with_b2b_survey(self) -> bool:
        """Whether a chart beside the 2014 B2B survey fits this company (it sells to businesses)."""
        return compares_with_b2b_survey(self.profile)

    @property
    def sections(self) -> tuple[Section, ...]:
        """The result as sections of styled lines, ready for any channel to render."""
        return result_sections(self.profile, self.classification, self.advice)


@dataclass(frozen=True)
class ResultScreen:
    result: Result


Screen = QuestionScreen | SummaryScreen | ResultScreen


@dataclass(frozen=True)
class Reply:
    """What a channel shows after an event: notices first (acknowledgements, errors), then the screen."""

    notices: tuple[Text, ...]
    screen: Screen
    rejected: bool = False  # the event was refused (bad input, stale button); the screen asks again
    completed: bool = False  # this event produced the result
    # Not a refusal, but nothing to tick off either: an earlier answer no longer fits and is asked again.
    warnings: tuple[Text, ...] = ()


def applicable_questions(answers: Answers) -> list[Question]:
    return [q for q in QUESTIONS if q.applies(answers)]


def question_screen(question: Question, answers: Answers) -> QuestionScreen:
    """The screen of one question; number and total count the questions asked of this company, as far as
    its answers so far tell (a question that turns out not to apply is passed with a notice saying so)."""
    current = answers.get(question.id)
    number = total = 0
    for other in QUESTIONS:
        if other.id == question.id:
            total += 1
            number = total
        elif other.applies(answers):
            total += 1
    screen = _numbered_screen(question.id, number, total)
    if relations.active(current):
        assert current is not None
        sub = relations.screen(question.id, current)
        return replace(
            screen,
            question_id=sub.screen_id,
            prompt=sub.prompt,
            hint=sub.hint,
            choices=tuple(ChoiceView(c.key, c.label) for c in sub.choices),
            accepts_text=sub.accepts_text,
            current=sub.current,
        )
    if current:
        return replace(screen, current=display_answer(question, current))
    return screen


def offered_screen(question: Question, answers: Answers) -> QuestionScreen:
    """The question's screen as far as reading typed text needs it (what it offers and whether it takes text),
    without counting the questions asked for its number, which cost as much as the rest of reading an answer."""
    if relations.active(answers.get(question.id)):
        return question_screen(question, answers)
    return _unanswered_screen(question.id)


@cache
def _numbered_screen(question_id: str, number: int, total: int) -> QuestionScreen:
    """The unanswered screen as numbered for a company (a handful of numberings per question)."""
    return replace(_unanswered_screen(question_id), number=number, total=total)


@cache
def _unanswered_screen(question_id: str) -> QuestionScreen:
    """A question not answered before: the same screen for every user (screens are immutable)."""
    question = QUESTION_BY_ID[question_id]
    number = QUESTIONS.index(question) + 1
    return QuestionScreen(
        question_id=question.id,
        number=number,
        total=len(QUESTIONS),
        prompt=question.prompt,
        hint=question.hint,
        choices=tuple(ChoiceView(c.key, c.label) for c in question.choices),
        accepts_text=question.accepts_text,
        current=None,
        can_go_back=number > 1,
    )


def summary_screen(answers: Answers) -> SummaryScreen:
    return SummaryScreen(
        tuple(
            SummaryItem(q.id, q.summary_label, display_answer(q, answers[q.id]))
            for q in applicable_questions(answers)
            if q.id in answers
        )
    )


def display_answer(question: Question, answer: Answer) -> Text:
    """How an answer reads back to the user: the band's label, or the number formatted for its kind."""
    if answer.get("band"):
        choice = question.choice(str(answer["band"]))
        if choice is not None:
            return choice.label
    if not question.is_number:
        choice = question.choice(str(answer.get("value")))
        related = related_from_answer(answer)
        if choice is None:
            return msg("—")
        if related:
            direction = relations.DIRECTIONS.get(question.id, UP)
            return msg(
                "{choice}: {related}", choice=choice.label, related=describe_related(related, direction)
            )
        return choice.label
    value = Decimal(str(answer["value"]))
    if question.id in MONEY_QUESTIONS:
        return msg("{value}", value=Money(value))
    if question.id in PERCENT_QUESTIONS:
        return msg("{value}", value=Percent(value))
    return msg("{value}", value=Number(value))
