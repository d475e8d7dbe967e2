"""What the fuzzers share: the texts people might type, and the invariants every session and reply keep."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from dialogs.engine import (
    RESULT,
    STATES,
    SUMMARY,
    QuestionScreen,
    Reply,
    ResultScreen,
    Session,
    SummaryScreen,
    needs_answer,
)
from dialogs.questions import QUESTION_BY_ID, QUESTIONS

QIDS: tuple[str, ...] = tuple(q.id for q in QUESTIONS)

FUZZ_SETTINGS = settings(
    max_examples=150,
    stateful_step_count=30,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),  # "explain" costs minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
ALL_KEYS = sorted({c.key for q in QUESTIONS for c in q.choices})
LANGUAGE_CODES = st.sampled_from(["de", "de-AT", "en-GB", "en", "fr", "ar", None])

any_script_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120
).filter(lambda s: s.strip() != "")


@st.composite
def number_texts(draw: st.DrawFn) -> str:
    """Numbers of any magnitude and notation, with the decorations people type."""
    core = draw(
        st.one_of(
            st.integers(min_value=-(10**40), max_value=10**40).map(str),
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n:,}"),
            st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n:,}".replace(",", ".")),
            st.sampled_from(["٣٫٥", "１２", "½", "1e309", "-0", "0,0,1", "1.2.3", "12,5,", "∞", "⅔"]),
        )
    )
    prefix = draw(st.sampled_from(["", "€", "EUR ", "ca. ", "~", "-", "+", "about "]))
    suffix = draw(
        st.sampled_from(
            ["", " %", "%", " €", " Mio", " Mio. €", " Mrd", " k", "m", " bn", " Billion", " million"]
        )
    )
    return f"{prefix}{core}{suffix}"


def check_session_invariants(session: Session) -> None:
    """A session is in a known state, holds answers to known questions only, and no applicable question
    before its state is open; answers from there on may wait to be asked again (e.g. after an edit)."""
    assert session.state in STATES, session.state
    assert set(session.answers) <= set(QUESTION_BY_ID), session.answers
    assert session.language in ("de", "en")
    if session.state in QUESTION_BY_ID:
        assert QUESTION_BY_ID[session.state].applies(session.answers), session.state
        before = QUESTIONS[: QIDS.index(session.state)]
    else:
        before = QUESTIONS
    for question in before:
        is_open, _ = needs_answer(question, session.answers)
        assert not is_open, f"{question.id} is open before {session.state}: {session.answers}"
    for qid, answer in session.answers.items():
        question = QUESTION_BY_ID[qid]
        band = answer.get("band")
        if band is not None:
            assert question.choice(band) is not None, (qid, answer)
        elif question.is_number:
            assert Decimal(str(answer["value"])).is_finite(), (qid, answer)
        else:
            assert question.choice(str(answer["value"])) is not None, (qid, answer)


def check_reply(session: Session, reply: Reply) -> None:
    screen = reply.screen
    if session.state == SUMMARY:
        assert isinstance(screen, SummaryScreen)
    elif session.state == RESULT:
        assert isinstance(screen, ResultScreen)
    else:
        assert isinstance(screen, QuestionScreen) and screen.question_id.split(":")[0] == session.state
        assert 1 <= screen.number <= screen.total <= len(QUESTIONS)


FUZZ_SHARDS = 2  # each shard runs its share of the examples, so that parallel workers split the work
FUZZ_SEED = 20_240_602


def run_fuzz_shard(machine: type[RuleBasedStateMachine], shard: int, fuzz_settings: settings) -> None:
    """Run 1/FUZZ_SHARDS of the examples; a derandomized (CI) run gives each shard a seed of its own."""
    share = settings(fuzz_settings, max_examples=fuzz_settings.max_examples // FUZZ_SHARDS)
    if settings.default.derandomize:
        machine = seed(FUZZ_SEED + shard)(type(f"{machine.__name__}{shard}", (machine,), {}))
    run_state_machine_as_test(machine, settings=share)
