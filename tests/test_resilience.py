"""Resilience suites, bounded in time for CI: crashes, Bot API faults, fuzzing and export contention.

1. Crash: 100 dialogues against one ``run_bot.py`` process that is SIGKILLed at random moments and restarted.
2. Faults: the fake fails 10 % of all calls with 429, 500, timeouts or dropped connections.
3. Fuzz: hypothesis state machines over the dialogue engine and over the Telegram handlers.
4. Contention: the streaming export reads the database while the bot writes sessions and results.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.config import load_config
from bot.export import write_export
from bot.storage import Storage
from bot.telegram.app import register_handlers
from bot.telegram.services import CONTEXT_TYPES
from dialogs.engine import evaluate, restore
from dialogs.questions import QUESTION_BY_ID, QUESTIONS
from dialogs.screens import question_screen
from dialogs.session import RESULT, Session
from tests.support.e2e_support import (
    QIDS,
    ROOT,
    BotProcess,
    DialogueRecord,
    E2EFake,
    Script,
    ScriptedUser,
    expected_session,
    expected_summary_lines,
    position,
    print_figures,
    progress_of,
    random_script,
    redelivered_updates,
    resent_deliveries,
    run_users,
    running_fake,
    screen_of,
    shown_messages,
    stored_sessions,
)
from tests.support.fuzz import (
    ALL_KEYS,
    FUZZ_SETTINGS,
    FUZZ_SHARDS,
    LANGUAGE_CODES,
    any_script_text,
    check_session_invariants,
    number_texts,
    run_fuzz_shard,
)
from tests.support.harness import save_session
from tests.support.load import scaled
from tests.support.telegram_fakes import TOKEN, FakeRequest, Updates

pytestmark = pytest.mark.e2e

# --- 1. crash ---------------------------------------------------------------------------------------

CRASH_BATCHES = 4  # shards of their own (a bot, a fake, a database each), so they can run in parallel
CRASH_USERS_PER_BATCH = 25  # 4 x 25 = 100 dialogues
CRASH_RANDOM_KILLS_PER_BATCH = 3  # after the first kill, which finds every dialogue at its own question
CRASH_SEED = 20_240_601


@dataclass
class CrashPoint:
    """The state of one batch at the moment the bot was killed (read while no process was running)."""

    number: int
    sessions: dict[int, dict[str, Any] | None]
    acked: dict[int, list[str]]  # questions whose acknowledgement the user had been sent
    screens_shown: dict[int, int]  # how many screens each user had seen (new or edited messages)


@dataclass
class CrashBook:
    """What the crash suite found: answers missing after a kill, and where each user was shown to resume."""

    points: list[CrashPoint] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    continuations: int = 0
    resumed_users: set[int] = field(default_factory=set)
    wrong_continuations: list[str] = field(default_factory=list)


class Gate:
    """Holds each user after its own random number of acknowledged answers until the bot has been killed."""

    def __init__(self, users: int) -> None:
        self.users = users
        self.held = 0
        self.condition = threading.Condition()
        self.opened = threading.Event()

    def hold(self, user: ScriptedUser, at: int) -> None:
        if len(user.record.acked) != at or self.opened.is_set():
            return
        with self.condition:
            self.held += 1
            self.condition.notify_all()
        self.opened.wait(timeout=scaled(60))

    def holder(self, at: int) -> Callable[[ScriptedUser], None]:
        return lambda user: self.hold(user, at)

    def wait_all_held(self, timeout: float) -> None:
        deadline = time.monotonic() + scaled(timeout)
        with self.condition:
            while self.held < self.users:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"only {self.held} of {self.users} users reached their crash point")
                self.condition.wait(remaining)


def acknowledged_in_chat(fake: E2EFake, chat_id: int) -> list[str]:
    """Questions the bot acknowledged to a user so far, read from the messages it sent."""
    acked = []
    answered: str | None = None  # the question screen shown before: the one an acknowledgement is for
    for message in shown_messages(fake, chat_id):
        screen = screen_of(message)
        if screen is not None and (message.get("text") or "").startswith("✓") and answered is not None:
            acked.append(answered)
        if screen in QIDS:
            answered = screen
    return acked


def crash_point(
    fake: E2EFake, bot: BotProcess, users: list[ScriptedUser], number: int, book: CrashBook
) -> None:
    """With the bot dead: every acknowledged answer must be in the database, with the value given."""
    ids = [u.id for u in users]
    sessions = stored_sessions(bot.db_path, ids)
    point = CrashPoint(number, sessions, {}, {})
    for user in users:
        acked = acknowledged_in_chat(fake, user.id)
        point.acked[user.id] = acked
        point.screens_shown[user.id] = len(shown_messages(fake, user.id))
        expected = expected_session(user.script).answers
        stored = (sessions[user.id] or {}).get("answers", {})
        for qid in acked:
            if stored.get(qid) != expected[qid]:
                book.lost.append(f"kill {number}, user {user.id}, {qid}: stored {stored.get(qid)!r}")
    book.points.append(point)


def check_continuations(
    fake: E2EFake, users: list[ScriptedUser], points: list[CrashPoint], book: CrashBook
) -> None:
    """After each restart, a user's first screen is the question they were on (or the next, if an answer
    that was on its way when the bot died got handled by the new process)."""
    for index, point in enumerate(points):
        following = points[index + 1] if index + 1 < len(points) else None
        for user in users:
            session = point.sessions[user.id]
            if not session or not session["answers"] or session["state"] == "result":
                continue
            upper = following.screens_shown[user.id] if following else None
            first = next(
                (
                    m
                    for m in shown_messages(fake, user.id)[point.screens_shown[user.id] : upper]
                    if screen_of(m) is not None
                ),
                None,
            )
            if first is None:
                continue  # killed again before this user heard from the new process
            book.continuations += 1
            book.resumed_users.add(user.id)
            was, now = position(session["state"]), position(screen_of(first))
            text = first.get("text") or ""
            # The step the user had on its way when the bot died: an answer (acknowledged) or the confirmation.
            # (one question on, or more when the answer makes the questions between it inapplicable)
            advanced_by_queued_answer = now > was and (text.startswith("✓") or screen_of(first) == "result")
            if now != was and not advanced_by_queued_answer:
                book.wrong_continuations.append(
                    f"kill {point.number}, user {user.id}: was at {session['state']}, "
                    f"shown {screen_of(first)}: {text[:80]!r}"
                )
            elif now < len(QIDS) and not _progress_right(session, screen_of(first), now == was, text):
                book.wrong_continuations.append(
                    f"kill {point.number}, user {user.id}: progress {text[:80]!r}"
                )


def _progress_right(session: Mapping[str, Any], shown: str, same_question: bool, text: str) -> bool:
    """The resumed screen's "question n of N": exactly the engine's count when the user is still at the stored
    question; after an answer that was on its way (not stored before the kill), a count within the questionnaire."""
    progress = progress_of(text)
    if progress is None:
        return False
    if same_question:
        screen = question_screen(QUESTION_BY_ID[shown], dict(session["answers"]))
        return progress == (screen.number, screen.total)
    return 1 <= progress[0] <= progress[1] <= len(QIDS)


@pytest.mark.parametrize("batch", range(CRASH_BATCHES))
def test_crash_100_dialogues_killed_and_restarted(tmp_path: Path, batch: int) -> None:
    """One of the four batches of 25 dialogues: killed once when each waits at its own question, then at random."""
    rng = Random(CRASH_SEED + batch)
    book = CrashBook()
    records: list[DialogueRecord] = []
    scripts: dict[int, Script] = {}
    started = time.monotonic()
    with running_fake() as fake, BotProcess(fake, tmp_path / "bot.db", tmp_path / "bot.log") as bot:
        gate = Gate(CRASH_USERS_PER_BATCH)
        users = []
        for n in range(CRASH_USERS_PER_BATCH):
            script = random_script(rng, rng.choice(["de", "de-AT", "en", "en-GB"]))
            # within the questions this company is actually asked (some apply only to some companies)
            hold_at = rng.randint(1, len(script.steps) - 1)
            scripts[10_000 + batch * 100 + n] = script
            users.append(
                ScriptedUser(
                    fake,
                    10_000 + batch * 100 + n,
                    script,
                    patience=4,
                    time_limit=150,
                    max_nudges=30,
                    on_ack=gate.holder(hold_at),
                )
            )
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            futures: list[Future[DialogueRecord]] = [pool.submit(u.run) for u in users]
            try:
                gate.wait_all_held(timeout=120)
                bot.kill()
                crash_point(fake, bot, users, bot.kills, book)
                gate.opened.set()  # users send their next answer while the bot is down
                bot.start()
                for _ in range(CRASH_RANDOM_KILLS_PER_BATCH):
                    time.sleep(rng.uniform(0.3, 2.5))
                    bot.kill()
                    crash_point(fake, bot, users, bot.kills, book)
                    bot.start()
            finally:
                gate.opened.set()
                batch_records = [f.result(timeout=200) for f in futures]
        batch_points = book.points[-(1 + CRASH_RANDOM_KILLS_PER_BATCH) :]
        check_continuations(fake, users, batch_points, book)
        records += batch_records
        for user, record in zip(users, batch_records, strict=True):
            assert record.error is None, record.error
            assert record.completed
            missing = [
                line for line in expected_summary_lines(user.script) if line not in record.summary_text
            ]
            assert missing == [], (
                f"user {user.id}: {missing} not in the summary\n{record.summary_text}\n"
                f"script: {user.script}\n{fake.transcript(user.id)}"
            )
        final = stored_sessions(bot.db_path, [r.user_id for r in records])
        kills, starts, startup = bot.kills, bot.starts, bot.startup_seconds
        redelivered = redelivered_updates(fake)
    print_figures(
        "crash",
        records,
        kills=kills,
        starts=starts,
        restart_s=f"{sum(startup) / len(startup):.2f}",
        continuations_checked=book.continuations,
        updates_handed_out_twice=redelivered,
        acked_checked=sum(len(a) for p in book.points for a in p.acked.values()),
        total_s=f"{time.monotonic() - started:.1f}",
    )
    assert len(records) == CRASH_USERS_PER_BATCH
    assert kills == 1 + CRASH_RANDOM_KILLS_PER_BATCH
    assert book.lost == []
    assert book.wrong_continuations == []
    assert book.resumed_users == set(scripts), "every dialogue must have resumed after a kill at least once"
    for record in records:
        assert record.unmatched == [], f"user {record.user_id} got replies to no input: {record.unmatched}"
        assert record.progress_errors == []
        stored = final[record.user_id]
        assert stored is not None and stored["state"] == "result"
        assert stored["answers"] == expected_session(scripts[record.user_id]).answers


# --- 2. faults ----------------------------------------------------------------------------------------

FAULT_USERS = 8
FAULT_RATE = 0.1
FAULT_SEED = 6
# Longer than the bot's 10 s read timeout, so a "timeout" really times out on the bot's side.
FAULT_TIMEOUT_DELAY = 10.5
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def test_faults_on_10_percent_of_calls_break_no_dialogue(tmp_path: Path) -> None:
    rng = Random(FAULT_SEED)
    scripts = [random_script(rng, ("de", "en-GB")[i % 2]) for i in range(FAULT_USERS)]
    started = time.monotonic()
    with running_fake() as fake, BotProcess(fake, tmp_path / "bot.db", tmp_path / "bot.log") as bot:
        fake.inject_random(
            rate=FAULT_RATE,
            errors=(429, 500, "timeout", "drop"),
            seed=FAULT_SEED,
            retry_after=1,
            delay=FAULT_TIMEOUT_DELAY,
        )
        # Every button's acknowledgement is refused as after downtime; the presses must still be taken.
        fake.inject("answerCallbackQuery", 400, times=None, description=QUERY_TOO_OLD)
        users = [
            ScriptedUser(fake, 20_000 + i, script, patience=6, time_limit=170, max_nudges=20)
            for i, script in enumerate(scripts)
        ]
        records = run_users(users, timeout=200)
        fake.inject_random(rate=0)
        calls = fake.calls()
        resent = {r.user_id: resent_deliveries(fake, r.user_id, r.input_times) for r in records}
        final = stored_sessions(bot.db_path, [u.id for u in users])
        log = bot.log_tail(400)
    faults = Counter(c.fault for c in calls if c.fault)
    delivered = {(c.chat_id, json.dumps(c.params, sort_keys=True)) for c in calls if c.ok}
    undelivered = [
        c
        for c in calls
        if c.method in ("sendMessage", "sendPhoto")
        and not c.ok
        and (c.chat_id, json.dumps(c.params, sort_keys=True)) not in delivered
    ]
    print_figures(
        "faults",
        records,
        calls=len(calls),
        replies_never_delivered=len(undelivered),
        by=dict(Counter(c.fault for c in undelivered)),
        faults=dict(faults),
        fault_share=f"{sum(faults.values()) / len(calls):.3f}",
        total_s=f"{time.monotonic() - started:.1f}",
    )
    for record, script in zip(records, scripts, strict=True):
        assert record.error is None, f"{record.error}\n--- bot log ---\n{log[-3000:]}"
        assert record.completed
        assert record.unmatched == [], f"user {record.user_id}: replies to no input {record.unmatched}"
        assert record.progress_errors == []
        stored = final[record.user_id]
        assert stored is not None and stored["state"] == "result"
        assert stored["answers"] == expected_session(script).answers
    assert all(r == [] for r in resent.values()), f"replies delivered twice: {resent}"
    assert {"400", "429", "500", "timeout", "drop"} <= set(faults)


# --- 3. fuzz ------------------------------------------------------------------------------------------

FUZZ_USERS = (5001, 5002)
FUZZ_GROUP = -5003
MEDIA = (
    {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
    {"document": {"file_id": "d", "file_unique_id": "d"}},
    {"location": {"latitude": 52.5, "longitude": 13.4}},
    {"contact": {"phone_number": "+49301234567", "first_name": "A"}},
)
COMMANDS = (
    "/start",
    "/start ref_nonexistent",
    "/start group",
    "/help",
    "/back",
    "/restart",
    "/language",
    "/privacy",
    "/mydata",
    "/deletedata",
    "/tips",
    "/subscribe",
    "/unsubscribe",
    "/export",
    "/stats",
    "/broadcast",
    "/addchannel",
    "/frobnicate",
    "/START",
    "/start@KmuBeraterTestBot",
)
callback_datas = st.one_of(
    st.sampled_from(
        [
            "cons|1",
            "cons|0",
            "cons|x",
            "ok|summary",
            "ok|x",
            "r|result",
            "b|result",
            "b|summary",
            "l|de",
            "l|en",
            "l|fr",
            "del|yes",
            "del|no",
            "tips|on",
            "tips|x",
            "bc|x",
            "",
            "|",
            "c||",
        ]
    ),
    st.builds(lambda q, k: f"c|{q}|{k}", st.sampled_from([*QIDS, "x"]), st.sampled_from([*ALL_KEYS, "💣"])),
    st.builds(lambda q: f"b|{q}", st.sampled_from([*QIDS, "x"])),
    st.builds(lambda q: f"e|{q}", st.sampled_from([*QIDS, "x"])),
    st.text(max_size=40).filter(lambda s: len(s.encode()) <= 64),
)


class FuzzRequest(FakeRequest):
    """The in-process fake, also answering the membership lookups that group commands make."""

    def result(self, api: str, params: dict[str, Any]) -> Any:
        if api == "getChatMember":
            user = {"id": int(params.get("user_id", 0)), "is_bot": False, "first_name": "Test"}
            return {"status": "member", "user": user}
        if api == "getChatAdministrators":
            return []
        return super().result(api, params)


class HandlersMachine(RuleBasedStateMachine):
    """Random updates through the real PTB Application and handlers (in-process fake Bot API)."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.storage = Storage(":memory:")
        self.request = FuzzRequest()
        config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN})
        # Built like build_application, minus the rate limiter: it would pace the fuzzing to 30 calls/s.
        self.app = (
            ApplicationBuilder()
            .token(TOKEN)
            .context_types(CONTEXT_TYPES)
            .request(self.request)
            .get_updates_request(FakeRequest())
            .build()
        )
        self.app.bot_data.bind(config, self.storage)
        register_handlers(self.app, config)
        self.errors: list[BaseException] = []
        self.app.add_error_handler(self.record_error)
        self.updates = Updates(self.app)
        self.loop.run_until_complete(self.app.initialize())

    async def record_error(self, update: object, context: Any) -> None:
        self.errors.append(context.error)

    def teardown(self) -> None:
        self.loop.run_until_complete(self.app.shutdown())
        self.loop.close()
        self.storage.close()

    def toasts(self) -> int:
        """Button answers with a text: the note Telegram shows over the chat (e.g. "the report was sent")."""
        return sum(1 for api, p in self.request.calls if api == "answerCallbackQuery" and p.get("text"))

    def process(self, update: Update, chat_id: int) -> None:
        before, toasts = len(self.request.sent(chat_id)), self.toasts()
        self.loop.run_until_complete(self.app.process_update(update))
        assert self.errors == [], f"{update.to_dict()} raised {self.errors!r}"
        if chat_id > 0:
            noted = update.callback_query is not None and self.toasts() > toasts
            assert len(self.request.sent(chat_id)) > before or noted, f"no answer to {update.to_dict()}"
            user = update.effective_user
            assert user is not None
            self.check_stored(user.id)

    def check_stored(self, user_id: int) -> None:
        respondent = self.storage.respondents.find_respondent("telegram", user_id)
        stored = self.storage.sessions.load_session(respondent) if respondent else None
        if stored is not None:
            session, notices = restore(stored)
            assert notices == (), stored
            if session.state != stored["state"]:
                # Only a refused consent erases the answers under a finished session; it then starts afresh.
                assert stored["state"] == RESULT and stored["answers"] == {}, stored
                assert (
                    respondent is not None
                    and (self.storage.respondents.consent_record(respondent) or {}).get("consent") == 0
                )
            check_session_invariants(session)
        for text in self.request.texts(user_id)[-3:]:
            shown = progress_of(text)
            if shown is not None:
                assert 1 <= shown[0] <= shown[1] <= len(QUESTIONS), text

    @rule(
        user=st.sampled_from(FUZZ_USERS), text=st.one_of(any_script_text, number_texts()), lang=LANGUAGE_CODES
    )
    def type_text(self, user: int, text: str, lang: str | None) -> None:
        self.process(self.updates.message(user, text, language_code=lang), user)

    @rule(user=st.sampled_from(FUZZ_USERS), command=st.sampled_from(COMMANDS), lang=LANGUAGE_CODES)
    def command(self, user: int, command: str, lang: str | None) -> None:
        self.process(self.updates.message(user, command, language_code=lang), user)

    @rule(user=st.sampled_from(FUZZ_USERS), presses=st.integers(min_value=1, max_value=14), data=st.data())
    def press_offered(self, user: int, presses: int, data: st.DataObject) -> None:
        """Press buttons the bot showed this user last, several in a row (mostly the way forward)."""
        for _ in range(presses):
            keyboard = self.request.last_keyboard(user)
            buttons = [b["callback_data"] for row in keyboard for b in row if "callback_data" in b]
            if not buttons:
                return
            self.process(self.updates.press(user, data.draw(st.sampled_from(buttons))), user)
        respondent = self.storage.respondents.find_respondent("telegram", user)
        stored = self.storage.sessions.load_session(respondent) if respondent else None
        event(f"handlers reached {stored['state'] if stored else None}")

    @rule(user=st.sampled_from(FUZZ_USERS), data=callback_datas, lang=LANGUAGE_CODES)
    def press_forged_or_stale(self, user: int, data: str, lang: str | None) -> None:
        self.process(self.updates.press(user, data, language_code=lang), user)

    @rule(user=st.sampled_from(FUZZ_USERS), text=st.one_of(any_script_text, number_texts()))
    def edit_message(self, user: int, text: str) -> None:
        self.process(self.updates.message(user, text, kind="edited_message"), user)

    @rule(user=st.sampled_from(FUZZ_USERS), media=st.sampled_from(MEDIA), lang=LANGUAGE_CODES)
    def send_media(self, user: int, media: dict[str, Any], lang: str | None) -> None:
        self.process(self.updates.message(user, None, extra=media, language_code=lang), user)

    @rule(user=st.sampled_from(FUZZ_USERS), text=st.one_of(st.sampled_from(COMMANDS), any_script_text))
    def group_message(self, user: int, text: str) -> None:
        self.process(self.updates.message(user, text, chat_id=FUZZ_GROUP), FUZZ_GROUP)


@pytest.mark.parametrize("shard", range(FUZZ_SHARDS))
def test_handlers_fuzz(shard: int) -> None:
    run_fuzz_shard(HandlersMachine, shard, FUZZ_SETTINGS)


# --- 4. contention ------------------------------------------------------------------------------------

CONTENTION_WRITERS = 1
CONTENTION_RESPONDENTS_PER_WRITER = 800


def write_dialogues(db_path: Path, writer: int, scripts: list[Script]) -> int:
    """Store whole questionnaires answer by answer through Storage, committing each like the bot does."""
    storage = Storage(db_path)
    try:
        for n, script in enumerate(scripts):
            respondent = storage.respondents.respondent_for(
                "telegram", writer * 100_000 + n, language_code=script.language
            )
            storage.respondents.set_consent(respondent, True)
            session = Session(language=script.language)
            save_session(storage, respondent, session.to_dict())
            final = expected_session(script)
            for qid in (q for q in QIDS if q in final.answers):
                session.answers[qid] = final.answers[qid]
                save_session(storage, respondent, session.to_dict())
            result = evaluate(final.answers)
            save_session(storage, respondent, {**final.to_dict(), "state": RESULT}, finished=True)
            storage.sessions.save_result(
                respondent,
                category=result.classification.category.value,
                score=result.advice.score,
                answers=final.answers,
                step_ids=[step.id for step in result.advice.steps],
            )
        return len(scripts)
    finally:
        storage.close()


def test_exports_while_the_bot_writes_lose_nothing_and_never_lock(tmp_path: Path) -> None:
    db_path = tmp_path / "bot.db"
    Storage(db_path).close()  # migrated before anyone writes
    rng = Random(4)
    scripts = [
        [random_script(rng, rng.choice(["de", "en"])) for _ in range(CONTENTION_RESPONDENTS_PER_WRITER)]
        for _ in range(CONTENTION_WRITERS)
    ]
    total = CONTENTION_WRITERS * CONTENTION_RESPONDENTS_PER_WRITER
    done = threading.Event()
    seen: list[int] = []

    def export_repeatedly() -> int:
        storage = Storage(db_path)
        try:
            formats = ("csv", "json", "xlsx")
            while not done.is_set() or not seen or seen[-1] < total:
                summary = write_export(storage, io.BytesIO(), fmt=formats[len(seen) % 3], k=2)
                seen.append(summary.rows + summary.suppressed)
                if len(seen) > 500:
                    raise AssertionError("exports never saw everything")
            return len(seen)
        finally:
            storage.close()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONTENTION_WRITERS + 1) as pool:
        exporter = pool.submit(export_repeatedly)
        writers = [pool.submit(write_dialogues, db_path, w, scripts[w]) for w in range(CONTENTION_WRITERS)]
        # The admin's shell export: a second process reading the same file in the middle of the writing.
        cli = subprocess.run(
            [
                sys.executable,
                str(ROOT / "run_bot.py"),
                "export",
                "--format",
                "csv",
                "--output",
                str(tmp_path / "export.csv"),
                "--k",
                "2",
            ],
            cwd=ROOT,
            env={**os.environ, "DATABASE_PATH": str(db_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        written = sum(w.result(timeout=120) for w in writers)
        done.set()
        exports = exporter.result(timeout=120)
    print(
        f"[contention] writers={CONTENTION_WRITERS} respondents={written} exports_in_thread={exports} "
        f"cli_export={cli.stderr.strip()[:90]!r} total_s={time.monotonic() - started:.1f}"
    )
    assert cli.returncode == 0, cli.stderr
    assert "locked" not in cli.stderr
    assert written == total
    assert seen == sorted(seen) and seen[-1] == total  # each snapshot complete; the last one has everyone
    storage = Storage(db_path)
    try:
        assert storage.db["results"].count == total
        assert (
            storage.db.execute("select count(*) from sessions where finished_at is not null").fetchone()[0]
            == total
        )
    finally:
        storage.close()
    # the command finished its work: the codebook beside the CSV carries the export's figures
    codebook = (tmp_path / "export.codebook.csv").read_text()
    assert "Respondents exported" in codebook
