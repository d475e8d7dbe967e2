"""The advisor service: one transaction per update, and the same outcome for every channel."""

from __future__ import annotations

from datetime import date
from unittest.mock import ANY

import pytest

from bot.advisor import CONSENT_VERSION, Advisor
from bot.outcome import AdvisorEvent, Begin, GiveConsent, Outcome, Pressed, Respondent, Typed
from bot.storage import Storage
from dialogs.events import Back, Choose, Confirm
from dialogs.screens import ResultScreen
from dialogs.session import RESULT, SUMMARY
from tests.support.harness import GERMAN_ANSWERS, USER, Harness, answer_all, consent
from tests.support.sql_trace import SqlTrace, traced

ME = Respondent("telegram", 4242, "de")
ANSWERS: list[AdvisorEvent] = [
    Choose(*answer.split("|")[1:]) if answer.startswith("c|") else Typed(answer) for answer in GERMAN_ANSWERS
]


def telegram_advisor(storage: Storage) -> Advisor:
    return Advisor(storage, asks_consent=True, confirms_replies=True, shares=True)


def answer(
    advisor: Advisor, event: AdvisorEvent, respondent: Respondent = ME, update_id: int | None = None
) -> Outcome:
    """Handle an event and confirm that its reply went out, as a channel does."""
    outcome = advisor.handle(respondent, event, update_id=update_id)
    advisor.replied(outcome)
    return outcome


def finish(advisor: Advisor, respondent: Respondent = ME, *, first_update: int = 1) -> None:
    for number, event in enumerate(ANSWERS):
        outcome = answer(advisor, event, respondent, first_update + number)
        assert not outcome.rejected, (event, outcome.notices)
    assert outcome.state == SUMMARY


def test_a_typed_answer_is_one_commit_of_a_few_statements(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True))
    with traced(storage) as trace:
        outcome = advisor.handle(ME, Typed("12"), update_id=7)
    assert outcome.state == "turnover" and not outcome.rejected
    assert trace.commits == 1, trace.statements
    assert len(trace.statements) <= 5, trace.statements


def test_finishing_a_check_is_one_commit_with_result_and_update_id(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True))
    finish(advisor)
    with traced(storage) as trace:
        outcome = advisor.handle(ME, Pressed(Confirm(), offered_in=SUMMARY), update_id=99)
    assert outcome.completed and isinstance(outcome.screen, ResultScreen) and outcome.share_code
    assert trace.commits == 1, trace.statements
    assert len(trace.statements) <= 10, trace.statements
    respondent_id = outcome.respondent_id
    assert len(storage.sessions.latest_results(respondent_id)) == 1 and storage.sessions.is_processed(99)


def test_a_failure_while_finishing_leaves_nothing_half_done(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True))
    finish(advisor)

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(
        storage.respondents, "create_referral_code", broken
    )  # the last write of the transaction
    with pytest.raises(RuntimeError):
        advisor.handle(ME, Pressed(Confirm(), offered_in=SUMMARY), update_id=99)
    respondent_id = storage.respondents.find_respondent("telegram", 4242)
    assert respondent_id is not None
    session = storage.sessions.load_session(respondent_id)
    assert session is not None and session["state"] == SUMMARY
    assert storage.sessions.latest_results(respondent_id) == [] and not storage.sessions.is_processed(99)


def test_refused_consent_erases_the_answers_in_the_transaction_of_the_result(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(False))
    finish(advisor)
    with traced(storage) as trace:
        outcome = advisor.handle(ME, Pressed(Confirm(), offered_in=SUMMARY), update_id=99)
    assert outcome.completed and outcome.result is not None  # the user still gets the result
    assert trace.commits == 1, trace.statements
    session = storage.sessions.load_session(outcome.respondent_id)
    assert session is not None and session["answers"] == {}
    assert storage.sessions.latest_results(outcome.respondent_id) == []


def test_a_second_check_tells_what_changed_in_every_channel(storage: Storage) -> None:
    for advisor, respondent, first_update in (
        (telegram_advisor(storage), ME, 1),
        (Advisor(storage), Respondent("console", "anna", "de"), 100),
    ):
        answer(advisor, Begin(), respondent)
        answer(advisor, GiveConsent(True), respondent)
        finish(advisor, respondent, first_update=first_update)
        first = answer(advisor, Confirm(), respondent)
        assert first.completed and first.changes is None
        assert answer(advisor, Back(), respondent).state == SUMMARY
        second = answer(advisor, Confirm(), respondent)
        assert second.completed and second.changes is not None
        assert second.changes.score_delta == 0 and second.changes.category is None


def test_a_result_carries_the_steps_marked_done_and_the_reminder_opt_in_of_its_transaction(
    storage: Storage,
) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True))
    finish(advisor)
    first = answer(advisor, Confirm(), update_id=50)
    assert first.result is not None and first.done == frozenset() and first.followup is None
    step = first.result.advice.steps[0].id
    with storage.write():
        storage.followup.mark_step(first.respondent_id, step, True, date(2026, 3, 2))
        storage.followup.offer_followup(first.respondent_id, date(2026, 3, 2))
    answer(advisor, Back(), update_id=51)
    with traced(storage) as trace:
        second = advisor.handle(ME, Pressed(Confirm(), offered_in=SUMMARY), update_id=52)
    assert second.done == frozenset({step})
    assert second.followup is not None and second.followup["offered_on"] == "2026-03-02"
    assert second.changes is not None and second.changes.steps_marked_done == 1
    assert trace.commits == 1, trace.statements


def test_a_repeated_update_is_not_applied_twice(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True))
    answer(advisor, Typed("12"), update_id=5)
    again = advisor.handle(ME, Typed("12"), update_id=5)
    assert again.duplicate and again.screen is None
    assert answer(advisor, Typed("2 Mio"), update_id=6).state == "balance_sheet"


def test_a_repeated_update_is_found_in_the_read_of_the_user_and_creates_nothing(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True), update_id=8)
    assert advisor.forget(ME)
    with traced(storage) as trace:
        again = advisor.handle(ME, GiveConsent(True), update_id=8)
    assert again.duplicate and storage.respondents.find_respondent("telegram", 4242) is None
    assert trace.commits == 1 and len(trace.statements) == 3, trace.statements  # BEGIN, the read, COMMIT
    assert not advisor.handle(ME, Begin(), update_id=9).duplicate


def test_a_button_of_an_earlier_state_is_stale(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True))
    outcome = advisor.handle(ME, Pressed(Confirm(), offered_in=SUMMARY))
    assert outcome.stale and outcome.state == "staff"


def test_consent_comes_first_and_is_asked_once(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    assert advisor.handle(ME, Begin()).needs_consent
    assert advisor.handle(ME, Typed("12")).needs_consent
    thanks = answer(advisor, GiveConsent(True))
    assert (
        thanks.note is not None and isinstance(thanks.screen, type(thanks.screen)) and thanks.state == "staff"
    )
    assert advisor.handle(ME, GiveConsent(False)).note is None  # the first answer stands
    assert storage.respondents.consent_record(thanks.respondent_id) == {
        "consent": 1,
        "consent_version": CONSENT_VERSION,
        "consent_month": ANY,
    }


async def test_a_telegram_answer_is_one_commit_and_its_receipt_rides_on_the_next(bot: Harness) -> None:
    await consent(bot)
    with traced(bot.storage) as trace:
        await bot.send("12")
    assert "Frage 2 von 15" in bot.last_text()
    assert trace.commits == 1, trace.statements  # the delivery receipt costs no commit of its own
    assert len(trace.statements) <= 5, trace.statements
    assert not any(s.startswith("update sessions set reply_pending = 0") for s in trace.statements)
    with traced(bot.storage) as trace:
        await bot.send("1,5 Mio. €")  # taken as the answer: the reply before it is known to be out
    assert trace.commits == 1, trace.statements
    assert "Frage 3 von 15" in bot.last_text()


async def test_receipts_held_in_memory_are_written_at_a_clean_stop(bot: Harness) -> None:
    await consent(bot)
    await bot.send("12")
    respondent_id = bot.storage.respondents.find_respondent("telegram", USER)
    assert respondent_id is not None
    session = bot.storage.sessions.load_session(respondent_id)
    assert session is not None and session["reply_pending"]
    await bot.app.post_stop(bot.app)  # type: ignore[misc]
    session = bot.storage.sessions.load_session(respondent_id)
    assert session is not None and not session["reply_pending"]


def test_after_a_crash_the_next_text_shows_the_question_instead_of_answering_it(storage: Storage) -> None:
    advisor = telegram_advisor(storage)
    answer(advisor, Begin())
    answer(advisor, GiveConsent(True))
    answer(advisor, Typed("12"))
    restarted = telegram_advisor(storage)  # a crash: the receipt in memory is gone
    outcome = answer(restarted, Typed("1,5 Mio. €"))
    assert outcome.warning and outcome.state == "turnover"
    assert restarted.handle(ME, Typed("1,5 Mio. €")).state != "turnover"


async def test_confirming_a_result_in_telegram_is_one_transaction(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS)
    with traced(bot.storage) as trace:
        await bot.press("ok|summary")
    assert any("Diese Woche" in text for text in bot.texts(USER))
    assert trace.commits == 1, trace.statements
    state = [s for s in trace.statements if s.startswith("insert into sessions")]
    assert len(state) == 1 and RESULT in state[0]
    assert len(trace.statements) <= 10, trace.statements  # the whole update, the view's reads included


def test_sql_trace_counts_autocommitted_writes_and_transactions() -> None:
    trace = SqlTrace(
        ["select 1", "BEGIN IMMEDIATE", "insert into t values (1)", "COMMIT", "update t set x = 1"]
    )
    assert trace.commits == 2
    trace = SqlTrace(['SAVEPOINT "a"', "insert into t values (1)", 'RELEASE "a"', "BEGIN", "ROLLBACK"])
    assert trace.commits == 1


@pytest.mark.parametrize("consents", [True, False])
def test_a_report_is_made_of_the_result_on_screen_and_only_while_answers_are_kept(
    storage: Storage, consents: bool
) -> None:
    advisor = telegram_advisor(storage)
    assert advisor.report_subject(ME) is None  # nobody yet
    answer(advisor, Begin())
    answer(advisor, GiveConsent(consents))
    finish(advisor)
    assert advisor.report_subject(ME) is None  # the summary is no result yet
    outcome = answer(advisor, Confirm())
    assert outcome.state == RESULT and outcome.erased is not consents
    subject = advisor.report_subject(ME)
    if not consents:  # the answers went with the result: nothing stays to report
        assert subject is None
        return
    assert subject is not None and outcome.result is not None
    assert subject.result == outcome.result and subject.language == "de"
    respondent_id = storage.respondents.find_respondent("telegram", ME.user_id)
    assert respondent_id is not None
    assert subject.stored_at is not None
    assert (
        subject.stored_at.isoformat(timespec="seconds")
        == storage.sessions.latest_results(respondent_id, 1)[0]["created_at"]
    )
    answer(advisor, Back())
    assert advisor.report_subject(ME) is None  # back at the summary
