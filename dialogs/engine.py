"""The dialogue engine: ``handle`` applies one event to a session and returns the reply channels render.

The parts it stands on: the session (``dialogs.session``), the events (``dialogs.events``), the screens
(``dialogs.screens``) and the state machine (``dialogs.machine``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from dialogs import relations
from dialogs.advice import build_advice
from dialogs.classification import classify_sme
from dialogs.events import AnswerText, Back, Choose, Confirm, Edit, Event, Restart, Show, SwitchLanguage
from dialogs.group import related_from_answer
from dialogs.machine import move
from dialogs.profile import build_profile
from dialogs.questions import QUESTION_BY_ID, QUESTIONS, Answer, Answers, Question
from dialogs.screens import (
    Reply,
    Result,
    ResultScreen,
    Screen,
    display_answer,
    question_screen,
    summary_screen,
)
from dialogs.session import FIRST, RESULT, STATES, SUMMARY, Session, upgrade_legacy
from dialogs.slips import better_refusal
from dialogs.text import InvalidAnswer, Text, language_for, msg, nmsg


class Dialogue:
    """Apply one event to a session; holds no state of its own between calls."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.notices: list[Text] = []
        self.warnings: list[Text] = []
        self.rejected = False
        self.completed = False
        self.state = session.state

    def __enter__(self) -> Dialogue:
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.state = self.state

    # helpers

    def trigger(self, name: str, **kwargs: Any) -> None:
        self.state = move(self.state, name, **kwargs)

    def refuse(self, reason: Text) -> None:
        self.notices.append(reason)
        self.rejected = True

    def open_reason(self, question: Question) -> tuple[bool, Text | None]:
        """Whether a question needs an answer now, and why when it was answered before."""
        return needs_answer(question, self.session.answers)

    def advance(self) -> None:
        """After an answer: continue with the first open question, else the summary."""
        self.trigger("answer")
        self.settle_forward()

    def settle_forward(self) -> None:
        kept = 0
        not_applying: list[Text] = []
        while self.state in QUESTION_BY_ID:
            question = QUESTION_BY_ID[self.state]
            is_open, reason = self.open_reason(question)
            if is_open:
                if reason is not None:
                    self.warnings.append(reason)
                break
            if question.applies(self.session.answers):
                kept += 1
            else:
                not_applying.append(question.summary_label)
            self.trigger("skip")
        if kept:
            self.notices.append(
                nmsg(
                    "{n} later answer was kept; you can change it in the summary.",
                    "{n} later answers were kept; you can change them in the summary.",
                    kept,
                )
            )
        for label in not_applying:
            self.notices.append(
                msg("Skipped, as it does not apply to your answers: {question}", question=label)
            )

    def store(self, question: Question, answer: dict[str, Any]) -> None:
        self.session.answers[question.id] = answer
        self.notices.append(msg("Noted: {answer}", answer=display_answer(question, answer)))
        self.advance()

    # events

    def on_show(self, event: Show) -> None:
        pass

    def on_answer(self, event: AnswerText) -> None:
        question = QUESTION_BY_ID.get(self.state)
        if question is None:
            self.refuse(msg("Please use one of the options below."))
            return
        if question.text_parser is not None:
            try:
                answer = question.text_parser(event.text, self.session.language)
            except InvalidAnswer as invalid:
                self.refuse(invalid.reason)
                return
            self.store(question, answer)
            return
        if question.parser is None:
            self.refuse(msg("Please choose one of the offered answers."))
            return
        try:
            value = question.parser(event.text, self.session.language)
            question.check(value, self.session.answers)
        except InvalidAnswer as invalid:
            self.refuse(better_refusal(question, event.text, self.session.language) or invalid.reason)
            return
        self.store(question, {"value": str(value), "band": None})

    def on_choose(self, event: Choose) -> None:
        question = QUESTION_BY_ID.get(self.state)
        if question is None or event.question_id != question.id:
            self.refuse(msg("That button belongs to an earlier message. Here is where you are now."))
            return
        choice = question.choice(event.key)
        if choice is None:
            self.refuse(msg("That choice is not available. Please pick one of the offered answers."))
            return
        if relations.opens_for(question.id, choice.key):  # partner or linked: offer to add them up now
            self.session.answers[question.id] = relations.enter(
                self.session.answers.get(question.id), choice.key
            )
            return
        if not question.is_number:
            self.store(question, {"value": choice.key, "band": None})
            return
        if choice.value is not None:
            try:
                question.check(choice.low if choice.low is not None else choice.value, self.session.answers)
            except InvalidAnswer as invalid:
                self.refuse(invalid.reason)
                return
        self.store(
            question, {"value": None if choice.value is None else str(choice.value), "band": choice.key}
        )

    def on_back(self, event: Back) -> None:
        if self.state == FIRST:
            self.refuse(msg("This is the first question."))
            return
        self.trigger("back")
        while self.state in QUESTION_BY_ID and not QUESTION_BY_ID[self.state].applies(self.session.answers):
            self.trigger("back")

    def on_edit(self, event: Edit) -> None:
        question = QUESTION_BY_ID.get(event.question_id)
        if self.state != SUMMARY or question is None or not question.applies(self.session.answers):
            self.refuse(msg("That answer cannot be changed from here."))
            return
        self.trigger("edit", target=question.id)

    def on_confirm(self, event: Confirm) -> None:
        if self.state != SUMMARY:
            self.refuse(msg("That button belongs to an earlier message. Here is where you are now."))
            return
        self.trigger("confirm")
        self.completed = True

    def on_restart(self, event: Restart) -> None:
        self.trigger("restart")
        self.session.answers = {}
        self.notices.append(msg("Let's start again."))

    def on_switch_language(self, event: SwitchLanguage) -> None:
        self.trigger("switch_language")
        self.session.language = language_for(event.language)
        self.notices.append(msg("The advisor now speaks English."))

    def screen(self) -> Screen:
        if self.state == SUMMARY:
            return summary_screen(self.session.answers)
        if self.state == RESULT:
            return ResultScreen(evaluate(self.session.answers))
        return question_screen(QUESTION_BY_ID[self.state], self.session.answers)


class _Unusable(Exception):
    """A stored answer that no longer fits the catalogue (e.g. a band that was renamed)."""


def _check_stored(question: Question, answer: Answer, answers: Answers) -> None:
    if question.is_number:
        if answer.get("band"):
            choice = question.choice(str(answer["band"]))
            if choice is None:
                raise _Unusable(answer["band"])
            if choice.value is None:
                return
            question.check(choice.low if choice.low is not None else choice.value, answers)
        else:
            value = Decimal(str(answer["value"]))
            if not value.is_finite():  # "NaN" or "Infinity" in stored data
                raise _Unusable(answer["value"])
            question.check(value, answers)
    elif question.choice(str(answer.get("value"))) is None:
        raise _Unusable(answer.get("value"))
    elif question.text_parser is not None:
        related_from_answer(answer)  # typed figures that no longer read open the question again


def needs_answer(question: Question, answers: Answers) -> tuple[bool, Text | None]:
    """Whether ``question`` is open (applies and lacks a valid answer), with the reason if it was answered."""
    if not question.applies(answers):
        return False, None
    answer = answers.get(question.id)
    if answer is None:
        return True, None
    try:
        _check_stored(question, answer, answers)
    except InvalidAnswer as invalid:
        return True, invalid.reason
    except (_Unusable, ArithmeticError, ValueError, TypeError, KeyError):
        return True, None
    return False, None


_HANDLERS = {
    Show: Dialogue.on_show,
    AnswerText: Dialogue.on_answer,
    Choose: Dialogue.on_choose,
    Back: Dialogue.on_back,
    Edit: Dialogue.on_edit,
    Confirm: Dialogue.on_confirm,
    Restart: Dialogue.on_restart,
    SwitchLanguage: Dialogue.on_switch_language,
}


def restore(data: Mapping[str, Any] | None, language: str = "de") -> tuple[Session, tuple[Text, ...]]:
    """Rebuild a session from stored data; an unknown state or broken data restarts politely."""
    if not data:
        return Session(language=language_for(language)), ()
    try:
        session = Session.from_dict(data)
    except (TypeError, ValueError, AttributeError):
        return Session(language=language_for(language)), (_EXPIRED,)
    if session.state not in STATES:
        return Session(language=session.language), (_EXPIRED,)
    session.answers = {k: v for k, v in session.answers.items() if k in QUESTION_BY_ID}
    notices = upgrade_legacy(session)
    if session.state in (SUMMARY, RESULT) and not is_complete(session.answers):
        session.state = FIRST
        with Dialogue(session) as dialogue:
            dialogue.settle_forward()
    return session, notices


_EXPIRED = msg("Your previous session could not be continued, so we are starting afresh. Sorry!")


def _in_relations(dialogue: Dialogue, event: Event) -> bool:
    """Hand an answer, a button or "back" to the related-enterprise questions while they are open."""
    answer = dialogue.session.answers.get(dialogue.state)
    if not relations.active(answer) or not isinstance(event, Choose | AnswerText | Back):
        return False
    assert answer is not None
    if isinstance(event, Choose):
        step = relations.handle(
            dialogue.state, answer, ("choose", event.question_id, event.key), dialogue.session.language
        )
    elif isinstance(event, AnswerText):
        step = relations.handle(dialogue.state, answer, ("text", event.text), dialogue.session.language)
    else:
        step = relations.handle(dialogue.state, answer, ("back",), dialogue.session.language)
    dialogue.notices += step.notices
    dialogue.rejected = step.rejected
    if step.done:
        dialogue.store(QUESTION_BY_ID[dialogue.state], step.answer)
    else:
        dialogue.session.answers[dialogue.state] = step.answer
    return True


def handle(session: Session, event: Event) -> tuple[Session, Reply]:
    """Apply ``event`` to ``session`` and say what to show. Never raises for any user input."""
    session = Session(session.state, {k: dict(v) for k, v in session.answers.items()}, session.language)
    with Dialogue(session) as dialogue:
        if not _in_relations(dialogue, event):
            _HANDLERS[type(event)](dialogue, event)  # type: ignore[operator]
        screen = dialogue.screen()
    reply = Reply(
        tuple(dialogue.notices),
        screen,
        rejected=dialogue.rejected,
        completed=dialogue.completed,
        warnings=tuple(dialogue.warnings),
    )
    return session, reply


def is_complete(answers: Answers) -> bool:
    """Whether no question is open: ``needs_answer`` for each question, without building its reasons."""
    for question in QUESTIONS:
        if not question.applies(answers):
            continue
        answer = answers.get(question.id)
        if answer is None:
            return False
        try:
            _check_stored(question, answer, answers)
        except (InvalidAnswer, _Unusable, ArithmeticError, ValueError, TypeError, KeyError):
            return False
    return True


def evaluate(answers: Answers, *, as_of: date | None = None) -> Result:
    """Classify the company and build its advice from complete answers, with the legal duties as of
    ``as_of`` (today unless given)."""
    profile = build_profile(answers)
    classification = classify_sme(
        profile.staff,
        profile.turnover,
        profile.balance_sheet,
        banded=profile.banded,
        group=profile.group,
        no_balance_sheet=profile.no_balance_sheet,
        previous_year=None if profile.previous_year == "not_asked" else profile.previous_year,
    )
    return Result(profile, classification, build_advice(profile, classification, as_of=as_of))
