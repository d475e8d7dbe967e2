"""Whole dialogues through the engine: answers, back, edit, restart, bad input, stale buttons, restore."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import event as note_event
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from dialogs.engine import handle, is_complete, needs_answer, restore
from dialogs.events import AnswerText, Back, Choose, Confirm, Edit, Event, Restart, Show, SwitchLanguage
from dialogs.machine import mermaid_diagram
from dialogs.questions import MOST_ASKED, QUESTION_BY_ID, QUESTIONS
from dialogs.screens import QuestionScreen, Reply, ResultScreen, SummaryScreen
from dialogs.session import FIRST, RESULT, SUMMARY, Session
from dialogs.text import Number, Percent
from tests.support.fuzz import (
    ALL_KEYS,
    FUZZ_SETTINGS,
    FUZZ_SHARDS,
    LANGUAGE_CODES,
    QIDS,
    any_script_text,
    check_reply,
    check_session_invariants,
    number_texts,
    run_fuzz_shard,
)
from tests.support.harness import BASE_ANSWERS
from tests.support.locale_helpers import german_messages

GERMAN_SCRIPT: list[Event] = [
    AnswerText("12,5"),
    AnswerText("1,5 Mio. €"),
    Choose("balance_sheet", "unknown"),
    Choose("linked", "none"),
    Choose("owns", "none"),
    Choose("sector", "craft"),
    Choose("customers", "private"),
    Choose("reach", "local"),
    Choose("website", "outdated"),
    Choose("social_presence", "occasional"),
    AnswerText("15 %"),
    AnswerText("3"),
    AnswerText("0,5"),
    Choose("results_check", "partly"),
    Choose("referral", "none"),
]


def run(events: list[Event], session: Session | None = None) -> tuple[Session, list[Reply]]:
    session = session or Session(language="de")
    replies = []
    for event in events:
        session, reply = handle(session, event)
        replies.append(reply)
        json.dumps(session.to_dict())  # a session is always plain, serializable data
    return session, replies


def test_german_dialogue_reaches_summary_then_result() -> None:
    session, replies = run(GERMAN_SCRIPT)
    assert session.state == SUMMARY
    assert not any(r.rejected for r in replies)
    assert isinstance(replies[-1].screen, SummaryScreen)
    assert [item.question_id for item in replies[-1].screen.items][:3] == [
        "staff",
        "turnover",
        "balance_sheet",
    ]
    session, reply = handle(session, Confirm())
    assert session.state == RESULT and reply.completed
    assert isinstance(reply.screen, ResultScreen)
    result = reply.screen.result
    assert result.classification.category.value == "small"  # 12.5 staff is not fewer than 10
    assert result.profile.balance_sheet is None
    assert 0 <= result.advice.score <= 100 and result.advice.steps


def test_progress_count_is_stable_and_skipped_questions_are_named() -> None:
    session, reply = handle(Session(), Show())
    assert isinstance(reply.screen, QuestionScreen)
    assert (reply.screen.number, reply.screen.total) == (1, 15)  # as far as the answers so far tell
    session, reply = run(GERMAN_SCRIPT[:10], session)
    assert isinstance(reply[-1].screen, QuestionScreen)
    # private customers without an online offer: no further question, the count stays
    assert (reply[-1].screen.number, reply[-1].screen.total) == (11, 15)
    session, reply = handle(session, Choose("online_share", "p0"))
    # no online budget: the social-media and controlling shares are skipped, and the user is told so
    assert isinstance(reply.screen, QuestionScreen)
    assert reply.screen.question_id == "results_check"
    assert (reply.screen.number, reply.screen.total) == (12, 13)
    skipped = [n for n in reply.notices if "does not apply" in n.msgid]
    assert [n.args["question"] for n in skipped] == [
        QUESTION_BY_ID["social_share"].summary_label,
        QUESTION_BY_ID["controlling_share"].summary_label,
    ]


def test_no_independent_company_is_asked_more_than_the_welcome_promises() -> None:
    staff = ("1", "5", "9.5", "10.5", "12", "55", "120", "260", "800")
    turnover = ("60000", "900000", "2100000", "5000000", "10500000", "30000000", "52000000", "200000000")
    balance = (None, "1000000", "2100000", "44000000")
    most = 0
    for s, t, b, customers, social, online, checked in itertools.product(
        staff,
        turnover,
        balance,
        ("private", "business", "both"),
        ("none", "strategy"),
        ("0", "20"),
        ("no", "yes"),
    ):
        answers = {
            "staff": {"value": s, "band": None},
            "turnover": {"value": t, "band": None},
            "balance_sheet": {"value": b, "band": None if b else "unknown"},
            "linked": {"value": "none"},
            "owns": {"value": "none"},
            "customers": {"value": customers},
            "social_presence": {"value": social},
            "online_share": {"value": online, "band": None},
            "results_check": {"value": checked},
        }
        most = max(most, sum(1 for q in QUESTIONS if q.applies(answers)))
    assert most == MOST_ASKED


def test_invalid_answers_are_refused_and_the_question_is_asked_again() -> None:
    session = Session(language="de")
    for bad in ["viele", "-3", "20000000", "", "🙂" * 4000]:
        session, reply = handle(session, AnswerText(bad))
        assert reply.rejected and reply.notices
        assert session.state == FIRST and session.answers == {}
        assert isinstance(reply.screen, QuestionScreen) and reply.screen.question_id == FIRST


def test_typed_text_on_a_choice_only_question_is_refused() -> None:
    session, _ = run(GERMAN_SCRIPT[:3])
    session, reply = handle(session, AnswerText("vielleicht"))
    assert reply.rejected and session.state == "linked"


def test_social_share_above_online_share_is_refused_with_reason() -> None:
    session, _ = run(GERMAN_SCRIPT[:11])  # online 15 %
    session, reply = handle(session, AnswerText("20"))
    assert reply.rejected and session.state == "social_share"
    assert "social media share" in reply.notices[0].msgid


def test_back_keeps_answers_and_answering_again_says_the_later_answers_were_kept() -> None:
    session, _ = run(GERMAN_SCRIPT[:6])
    assert session.state == "customers"
    session, _ = run([Back(), Back(), Back(), Back()], session)
    assert session.state == "balance_sheet"
    assert set(session.answers) == {"staff", "turnover", "balance_sheet", "linked", "owns", "sector"}
    session, reply = handle(session, AnswerText("3 Mio"))
    assert session.state == "customers"  # the later answers are still there, so they are passed
    assert session.answers["balance_sheet"]["value"] == "3000000"
    (kept,) = [n for n in reply.notices if "later answers were kept" in (n.plural or "")]
    assert kept.n == 3


def test_back_on_the_first_question_is_refused() -> None:
    session, reply = handle(Session(), Back())
    assert reply.rejected and session.state == FIRST


def test_edit_from_summary_returns_to_summary() -> None:
    session, _ = run(GERMAN_SCRIPT)
    session, reply = handle(session, Edit("staff"))
    assert session.state == "staff"
    assert isinstance(reply.screen, QuestionScreen) and reply.screen.current is not None
    session, reply = handle(session, AnswerText("300"))
    assert session.state == SUMMARY


def test_lowering_the_online_share_reasks_the_shares_that_no_longer_fit() -> None:
    session, _ = run(GERMAN_SCRIPT)
    session, _ = run([Edit("online_share"), AnswerText("2")], session)
    assert session.state == "social_share"  # 3 % social media no longer fits into 2 % online
    session, _reply = handle(session, AnswerText("1"))
    assert session.state == SUMMARY


def test_stale_and_forged_buttons_are_refused() -> None:
    session, _ = run(GERMAN_SCRIPT[:2])
    session, reply = handle(session, Choose("staff", "lt10"))  # button of an earlier question
    assert reply.rejected and session.state == "balance_sheet"
    session, reply = handle(session, Choose("balance_sheet", "drop table"))
    assert reply.rejected and session.state == "balance_sheet"
    session, reply = handle(session, Edit("staff"))  # edit is only offered on the summary
    assert reply.rejected
    session, reply = handle(session, Confirm())
    assert reply.rejected and session.state == "balance_sheet"


def test_restart_forgets_answers() -> None:
    session, _ = run(GERMAN_SCRIPT)
    session, _reply = handle(session, Restart())
    assert session.state == FIRST and session.answers == {}


def test_switch_language_keeps_state() -> None:
    session, _ = run(GERMAN_SCRIPT[:3])
    session, _reply = handle(session, SwitchLanguage("en-GB"))
    assert session.language == "en" and session.state == "linked" and len(session.answers) == 3


def test_english_numbers_follow_english_conventions() -> None:
    session, _ = run([AnswerText("1.500"), AnswerText("1,500,000")], Session(language="en"))
    assert session.answers["staff"]["value"] == "1.5"
    assert session.answers["turnover"]["value"] == "1500000"


def test_result_back_goes_to_summary() -> None:
    session, _ = run([*GERMAN_SCRIPT, Confirm(), Back()])
    assert session.state == SUMMARY


@pytest.mark.parametrize(
    "stored",
    [
        {"state": "no_such_question", "answers": {"staff": {"value": "3"}}, "language": "en"},
        {"state": 42, "answers": "garbage", "language": None},
    ],
)
def test_unknown_stored_state_restarts_politely(stored: dict[str, object]) -> None:
    session, notices = restore(stored)
    assert session.state == FIRST and session.answers == {}
    assert notices and "could not be continued" in notices[0].msgid


def test_stored_summary_with_missing_answers_resumes_at_the_open_question() -> None:
    session, _ = run(GERMAN_SCRIPT)
    data = session.to_dict()
    del data["answers"]["website"]
    restored, notices = restore(json.loads(json.dumps(data)))
    assert restored.state == "website" and not notices


def test_diagram_is_generated_from_the_machine_and_committed() -> None:
    committed = (Path(__file__).parent.parent / "dialogs" / "dialogue.mmd").read_text(encoding="utf-8")
    assert committed == mermaid_diagram() + "\n", "run: python run_bot.py diagram > dialogs/dialogue.mmd"


# --- defects seen in transcripts ------------------------------------------------------------------


def _up_to_controlling(online: str, social: str) -> Session:
    session, _ = run([*GERMAN_SCRIPT[:10], AnswerText(online), AnswerText(social)])
    assert session.state == "controlling_share"
    return session


def test_controlling_share_says_it_is_part_of_the_online_share() -> None:
    assert "part of your online share" in QUESTION_BY_ID["controlling_share"].prompt.msgid


def test_a_full_online_share_offers_the_way_out_instead_of_a_dead_end() -> None:
    session = _up_to_controlling("15 %", "15 %")
    for typed in ("1", "5", "15"):
        session, reply = handle(session, AnswerText(typed))
        assert reply.rejected
        assert "enter 0" in reply.notices[0].msgid and "go back" in reply.notices[0].msgid
    session, reply = handle(session, AnswerText("0"))
    assert not reply.rejected and session.state == "results_check"


def test_a_partly_used_online_share_names_the_room_that_is_left() -> None:
    session = _up_to_controlling("15 %", "10 %")
    session, reply = handle(session, AnswerText("8"))
    assert reply.rejected and reply.notices[0].args["room"] == Percent(Decimal(5))
    assert "or 0, or go back" in reply.notices[0].msgid
    session, reply = handle(session, AnswerText("5"))
    assert not reply.rejected


def test_an_earlier_answer_that_no_longer_fits_is_a_warning_not_a_success() -> None:
    session, _ = run(GERMAN_SCRIPT)
    session, reply = run([Edit("online_share"), AnswerText("2")], session)
    last = reply[-1]
    assert session.state == "social_share"
    assert [w.msgid for w in last.warnings] and "social media share" in last.warnings[0].msgid
    assert not any("social media share" in n.msgid for n in last.notices)


def test_the_console_marks_the_warning_with_a_warning_sign(tmp_path: Path) -> None:
    import io

    from bot.console import ConsoleAdvisor
    from bot.storage import Storage

    out = io.StringIO()
    console = ConsoleAdvisor(Storage(tmp_path / "c.db"), language="en", out=out, resume=False)
    for event in [*GERMAN_SCRIPT, Edit("online_share"), AnswerText("2")]:
        outcome = console.advisor.handle(console.respondent, event)
    assert outcome.warnings
    console.show(outcome)
    lines = out.getvalue().splitlines()
    warning = next(line for line in lines if "social media share" in line)
    assert warning.startswith("⚠️") and not warning.startswith("✓")


def test_staff_typed_at_the_turnover_question_gets_a_precise_reason() -> None:
    session, _ = run(GERMAN_SCRIPT[:1])
    session, reply = handle(session, AnswerText("12 Mitarbeitende"))
    assert reply.rejected and "looks like a number of staff" in reply.notices[0].msgid


@pytest.mark.parametrize(
    ("typed", "band"), [("10-20", "10 to 49"), ("10 bis 20", "10 to 49"), ("2-8", "fewer than 10")]
)
def test_a_range_points_to_the_matching_offered_range(typed: str, band: str) -> None:
    _, reply = handle(Session(language="de"), AnswerText(typed))
    assert reply.rejected
    assert reply.notices[0].args["range"].msgid == band  # type: ignore[union-attr]


def test_a_range_across_two_offered_ranges_asks_for_its_middle() -> None:
    _, reply = handle(Session(language="de"), AnswerText("5-20"))
    assert reply.rejected and reply.notices[0].args["middle"] == Number(Decimal("12.5"))


def test_the_german_online_share_question_says_online_ads() -> None:
    german = german_messages()[QUESTION_BY_ID["online_share"].prompt.msgid]
    assert "Online-Anzeigen" in german and " Anzeigen" not in german.replace("Online-Anzeigen", "")


@pytest.mark.parametrize(
    ("controlling", "refused"), [("10", True), ("5,5", True), ("5", False), ("0", False)]
)
def test_social_and_controlling_together_may_not_exceed_the_online_share(
    controlling: str, refused: bool
) -> None:
    session = _up_to_controlling("15 %", "10 %")
    session, reply = handle(session, AnswerText(controlling))
    assert reply.rejected is refused
    if refused:
        assert reply.notices[0].msgid.startswith("Controlling is part of your online share")
        assert session.state == "controlling_share" and "controlling_share" not in session.answers
    else:
        assert session.state == "results_check"


# --- fuzz: random events straight into the engine -------------------------------------------------


class EngineMachine(RuleBasedStateMachine):
    """Random events straight into ``dialogs.engine.handle``."""

    def __init__(self) -> None:
        super().__init__()
        self.session = Session()

    def apply(self, event: Event) -> None:
        self.session, reply = handle(self.session, event)
        check_session_invariants(self.session)
        check_reply(self.session, reply)
        restored, notices = restore(self.session.to_dict())
        assert notices == () and restored == self.session

    @rule(text=st.one_of(any_script_text, number_texts()))
    def type_text(self, text: str) -> None:
        self.apply(AnswerText(text))

    @rule(qid=st.sampled_from([*QIDS, "bogus", ""]), key=st.sampled_from([*ALL_KEYS, "", "💣"]))
    def choose(self, qid: str, key: str) -> None:
        self.apply(Choose(qid, key))

    @rule(presses=st.integers(min_value=1, max_value=14), data=st.data())
    def choose_offered(self, presses: int, data: st.DataObject) -> None:
        """Press buttons of the current screens in a row, so walks get deep into the questionnaire."""
        for _ in range(presses):
            question = QUESTION_BY_ID.get(self.session.state)
            if question is None:
                moves: list[Event] = [Confirm(), Back(), Edit(QIDS[0])]
                self.apply(data.draw(st.sampled_from(moves)))
            else:
                self.apply(Choose(question.id, data.draw(st.sampled_from([c.key for c in question.choices]))))
        note_event(f"engine reached {self.session.state}")

    @rule(qid=st.sampled_from([*QIDS, "nope"]))
    def edit(self, qid: str) -> None:
        self.apply(Edit(qid))

    @rule()
    def back(self) -> None:
        self.apply(Back())

    @rule()
    def confirm(self) -> None:
        self.apply(Confirm())

    @rule()
    def restart(self) -> None:
        self.apply(Restart())

    @rule()
    def show(self) -> None:
        self.apply(Show())

    @rule(code=st.one_of(LANGUAGE_CODES, st.text(max_size=8)))
    def switch_language(self, code: str | None) -> None:
        self.apply(SwitchLanguage(code or ""))


# Part of the quick suite: enough walks to reach every state in both languages within a few seconds.
ENGINE_FUZZ = settings(FUZZ_SETTINGS, max_examples=120, stateful_step_count=30)


@pytest.mark.parametrize("shard", range(FUZZ_SHARDS))
def test_engine_fuzz(shard: int) -> None:
    run_fuzz_shard(EngineMachine, shard, ENGINE_FUZZ)


# The harness's answers with a turnover within the small-business limit and business customers.
_COMPLETE: dict[str, dict[str, object]] = {
    **BASE_ANSWERS,
    "turnover": {"value": "90000", "band": None},
    "customers": {"value": "business", "band": None},
}


def _variants() -> list[dict[str, dict[str, object]]]:
    """Complete answers, and each answer missing, unreadable, out of range or of a band that does not exist."""
    broken: list[dict[str, object]] = [
        {"value": "zzz", "band": None},
        {"value": "NaN", "band": None},
        {"value": "99", "band": None},
        {"value": None, "band": "no_such_band"},
        {"value": None, "band": None},
        {"value": "5", "band": "lt10"},
        {"value": "none", "band": None},
        {"band": None},
    ]
    sets = [dict(_COMPLETE), {**_COMPLETE, "staff": {"value": "3", "band": None}}]
    for qid in _COMPLETE:
        sets.append({k: v for k, v in _COMPLETE.items() if k != qid})
        sets += [{**_COMPLETE, qid: answer} for answer in broken]
    return sets


def _outcome(check: Callable[[], bool]) -> object:
    try:
        return check()
    except ArithmeticError as error:
        return type(error)


@pytest.mark.parametrize("state", [SUMMARY, RESULT, "turnover"])
@pytest.mark.parametrize("figure", ["staff", "turnover"])
def test_a_stored_figure_that_is_no_number_is_asked_again(state: str, figure: str) -> None:
    """Stored data broken by hand or by an old version ("NaN") restarts at its question, never with an error."""
    answers = {**_COMPLETE, figure: {"value": "NaN", "band": None}}
    session, _ = restore({"state": state, "answers": answers, "language": "de"})
    assert session.state == figure if state != "turnover" else session.state == "turnover"
    session, reply = handle(session, Show())
    assert isinstance(reply.screen, QuestionScreen) and reply.screen.question_id == session.state


@pytest.mark.parametrize("answers", _variants())
def test_is_complete_is_no_question_needing_an_answer(answers: dict[str, dict[str, object]]) -> None:
    assert _outcome(lambda: is_complete(answers)) == _outcome(
        lambda: not any(needs_answer(q, answers)[0] for q in QUESTIONS)
    )
