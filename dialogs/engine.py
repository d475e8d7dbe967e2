"""The dialogue engine: a transitions state machine over the question catalogue.

A session is plain data (state name, answers, language). ``handle`` rebuilds the machine's view of a
session, applies one event and returns the new session with a ``Reply`` that channels render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from itertools import pairwise
from typing import Any

from transitions import Machine

from dialogs import relations
from dialogs.advice import Advice, build_advice
from dialogs.classification import Classification, classify_sme
from dialogs.comparisons import compares_with_b2b_survey
from dialogs.group import UP, describe_related, related_from_answer
from dialogs.parsing import looks_like_staff, split_range
from dialogs.profile import CompanyProfile, build_profile
from dialogs.questions import QUESTION_BY_ID, QUESTIONS, Answer, Answers, Question
from dialogs.sections import Section, result_sections
from dialogs.text import InvalidAnswer, Money, Number, Percent, Text, msg, nmsg

SUMMARY = "summary"
RESULT = "result"
STATES: tuple[str, ...] = (*(q.id for q in QUESTIONS), SUMMARY, RESULT)
FIRST = QUESTIONS[0].id
LANGUAGES = ("de", "en")

_MONEY_QUESTIONS = frozenset({"turnover", "balance_sheet"})
_PERCENT_QUESTIONS = frozenset({"online_share", "social_share", "controlling_share"})


# --- sessions -------------------------------------------------------------------------------------


@dataclass
class Session:
    """Everything the advisor remembers of one respondent's questionnaire; JSON-serializable."""

    state: str = FIRST
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    language: str = "de"

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "answers": self.answers, "language": self.language}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        return cls(
            state=str(data.get("state", FIRST)),
            answers={k: dict(v) for k, v in dict(data.get("answers") or {}).items()},
            language=language_for(str(data.get("language") or "de")),
        )

    @property
    def finished(self) -> bool:
        return self.state == RESULT


def language_for(code: str | None) -> str:
    """The advisor's language for a Telegram or POSIX language code: ``de*`` is German, anything else English."""
    return "de" if code and code.strip().lower().startswith("de") else "en"


# --- events ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    """Show the current screen again (e.g. on /start with a session in progress)."""


@dataclass(frozen=True)
class AnswerText:
    """A typed answer to the current question."""

    text: str


@dataclass(frozen=True)
class Choose:
    """A choice offered on the screen of ``question_id`` (from a button or a numbered list)."""

    question_id: str
    key: str


@dataclass(frozen=True)
class Back:
    """Go back one question (from the result: back to the summary)."""


@dataclass(frozen=True)
class Edit:
    """From the summary, change the answer to one question, then return to the summary."""

    question_id: str


@dataclass(frozen=True)
class Confirm:
    """From the summary, show the result."""


@dataclass(frozen=True)
class Restart:
    """Forget the answers and start again."""


@dataclass(frozen=True)
class SwitchLanguage:
    """Continue in another language."""

    language: str


Event = Show | AnswerText | Choose | Back | Edit | Confirm | Restart | SwitchLanguage


# --- screens and replies --------------------------------------------------------------------------


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


# --- the machine ----------------------------------------------------------------------------------


def _edit_condition(question_id: str) -> Any:
    def condition(target: str | None = None) -> bool:
        return target == question_id

    condition.__name__ = f"target_is_{question_id}"
    return condition


def _build_machine(machine_class: type[Machine] = Machine, **extra: Any) -> Machine:
    machine = machine_class(
        model=None,
        states=list(STATES),
        initial=FIRST,
        auto_transitions=False,
        send_event=False,
        **extra,
    )
    for current, following in zip(QUESTIONS, [*QUESTIONS[1:], None], strict=True):
        nxt = following.id if following else SUMMARY
        # "answer" moves on after a stored answer; "skip" passes questions that need no answer now.
        machine.add_transition("answer", current.id, nxt)
        machine.add_transition("skip", current.id, nxt)
    for previous, current in pairwise(QUESTIONS):
        machine.add_transition("back", current.id, previous.id)
    machine.add_transition("back", SUMMARY, QUESTIONS[-1].id)
    machine.add_transition("back", RESULT, SUMMARY)
    for question in QUESTIONS:
        machine.add_transition("edit", SUMMARY, question.id, conditions=[_edit_condition(question.id)])
    machine.add_transition("confirm", SUMMARY, RESULT)
    machine.add_transition("restart", "*", FIRST)
    machine.add_transition("switch_language", "*", None)
    return machine


_MACHINE = _build_machine()


class _Model:
    """The machine's view of one session for the span of one event."""

    state: str


# Attaching a model to the machine binds every trigger and state callback to it, which costs more than the
# event itself; so models stay attached and are lent out, one per event in progress, with their state set.
_IDLE_MODELS: list[_Model] = []


def _lend_model(state: str) -> _Model:
    try:
        model = _IDLE_MODELS.pop()
    except IndexError:
        model = _Model()
        _MACHINE.add_model(model, initial=state)
        return model
    try:
        _MACHINE.set_state(state, model=model)
    except ValueError:  # an unknown state: the model stays available
        _IDLE_MODELS.append(model)
        raise
    return model


def mermaid_diagram() -> str:
    """The state diagram in Mermaid, generated from the machine itself."""
    from transitions.extensions import GraphMachine

    model = _Model()
    machine = _build_machine(GraphMachine, graph_engine="mermaid", title="KMU Digital-Berater dialogue")
    machine.add_model(model, initial=FIRST)
    return str(model.get_graph().draw(None))  # type: ignore[attr-defined]


# --- the engine -----------------------------------------------------------------------------------


class Dialogue:
    """Apply one event to a session; holds no state of its own between calls."""

    model: _Model  # lent for the span of the ``with`` block

    def __init__(self, session: Session) -> None:
        self.session = session
        self.notices: list[Text] = []
        self.warnings: list[Text] = []
        self.rejected = False
        self.completed = False

    def __enter__(self) -> Dialogue:
        self.model = _lend_model(self.session.state)
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.state = self.model.state
        _IDLE_MODELS.append(self.model)

    # helpers

    @property
    def state(self) -> str:
        return self.model.state

    def trigger(self, name: str, **kwargs: Any) -> None:
        self.model.trigger(name, **kwargs)  # type: ignore[attr-defined]  # bound by transitions

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
            question.check(Decimal(str(answer["value"])), answers)
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
    notices: tuple[Text, ...] = ()
    old_linked = session.answers.get("linked", {}).get("value")
    if old_linked in _OLD_OWNERSHIP_ANSWERS:
        # The single yes/no question became two questions with shares; "no" carries over, "yes" needs the share.
        if old_linked == "no":
            session.answers["linked"] = {"value": "none", "band": None}
        else:
            del session.answers["linked"]
        notices = (_NEW_QUESTIONS,)
    elif (
        session.answers
        and session.state in (SUMMARY, RESULT)
        and not session.answers.keys() >= _NEW_QUESTION_IDS
    ):
        notices = (_NEW_QUESTIONS,)
    if session.state in (SUMMARY, RESULT) and not is_complete(session.answers):
        session.state = FIRST
        with Dialogue(session) as dialogue:
            dialogue.settle_forward()
    return session, notices


_OLD_OWNERSHIP_ANSWERS = frozenset({"yes", "no"})
_NEW_QUESTION_IDS = frozenset({"owns", "sector", "customers", "reach"})
_NEW_QUESTIONS = msg(
    "The advisor now asks a few more questions (ownership in both directions, sector, customers and reach)."
    " Your earlier answers are kept."
)


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


# --- derived views --------------------------------------------------------------------------------


def applicable_questions(answers: Answers) -> list[Question]:
    return [q for q in QUESTIONS if q.applies(answers)]


def is_complete(answers: Answers) -> bool:
    return not any(needs_answer(q, answers)[0] for q in QUESTIONS)


def question_screen(question: Question, answers: Answers) -> QuestionScreen:
    """The screen of one question; its number is its place in the whole questionnaire, so the count never
    jumps: questions that do not apply are passed with a notice saying so."""
    current = answers.get(question.id)
    screen = _unanswered_screen(question.id)
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


def better_refusal(question: Question, text: str, language: str) -> Text | None:
    """A more helpful reason than the parser's for typical slips: staff typed where money is asked, or a
    range ("10-20") instead of one number (pointing to the offered range that holds it)."""
    if question.id in _MONEY_QUESTIONS and looks_like_staff(text):
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
    if question.id in _MONEY_QUESTIONS:
        return msg("{value}", value=Money(value))
    if question.id in _PERCENT_QUESTIONS:
        return msg("{value}", value=Percent(value))
    return msg("{value}", value=Number(value))


def evaluate(answers: Answers) -> Result:
    """Classify the company and build its advice from complete answers."""
    profile = build_profile(answers)
    classification = classify_sme(
        profile.staff,
        profile.turnover,
        profile.balance_sheet,
        banded=profile.banded,
        group=profile.group,
        no_balance_sheet=profile.no_balance_sheet,
    )
    return Result(profile, classification, build_advice(profile, classification))
