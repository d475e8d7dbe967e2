"""Shared machinery of the end-to-end and resilience suites: the Bot API fake, the bot as a real process,
and scripted users who answer the whole questionnaire and keep books on every reply they get.

A scripted user matches each reply to the input it answers, relying on two properties of the bot: updates
of one user are handled one after another in update order (a per-user lock), and a handler commits before
it replies. A reply to a later input therefore proves that an earlier input still waiting for its reply has
lost it (the process was killed, or the send failed). Replies that match no input are counted: a message the
bot sent twice shows up there.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

from bot.i18n import Translator
from bot.reading import event_for_text
from bot.rendering import render_summary
from bot.storage import Storage
from dialogs.engine import handle
from dialogs.events import Choose, Show
from dialogs.group import RELATED_KEYS
from dialogs.questions import QUESTION_BY_ID, QUESTIONS
from dialogs.screens import question_screen, summary_screen
from dialogs.session import Session
from dialogs.text import msg
from tests.support.botapi import BotApiFake, CallRecord, FakeUser, Fault
from tests.support.load import scaled

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-for-offline-tests-only"
BOT_USERNAME = "KmuBeraterTestBot"
QIDS: tuple[str, ...] = tuple(q.id for q in QUESTIONS)
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")

_PROGRESS = re.compile(r"(?:Frage|Question) (\d+) (?:von|of) (\d+)")
_SORRY = msg(
    "Sorry, something went wrong on our side. Your answers are safe. Please try again, "
    "or send /start to continue."
)


# --- the fake and the bot process -------------------------------------------------------------------


class E2EFake(BotApiFake):
    """The Bot API fake with a count of getUpdates requests, so a restarted bot can be seen polling.

    An injected "timeout" on getUpdates only holds the answer for ``poll_fault_delay`` seconds: the bot's
    long-poll read timeout is far longer than any test can wait, so there it is a slow poll, not a timeout.
    """

    poll_fault_delay = 1.0

    @property
    def polls(self) -> int:
        with self._cond:
            return self._get_updates_arrivals

    def wait_polls_above(self, count: int, timeout: float, alive: Callable[[], bool]) -> None:
        deadline = time.monotonic() + scaled(timeout)
        with self._cond:
            while self._get_updates_arrivals <= count:
                if not alive():
                    raise RuntimeError("the bot process exited before it polled")
                if time.monotonic() > deadline:
                    raise TimeoutError("the bot did not start polling in time")
                self._cond.wait(0.1)

    def _take_fault(self, method: str, chat_key: int | str | None) -> Fault | None:
        fault = super()._take_fault(method, chat_key)
        if fault is not None and method == "getUpdates" and fault.error == "timeout":
            fault = dataclasses.replace(fault, delay=min(fault.delay, self.poll_fault_delay))
        return fault


@contextmanager
def running_fake(**kwargs: Any) -> Iterator[E2EFake]:
    """A started fake for the bot ``@KmuBeraterTestBot``; always stopped."""
    fake = E2EFake(TOKEN, bot_username=BOT_USERNAME, **kwargs)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


class BotProcess:
    """``run_bot.py telegram`` as a subprocess against the fake: started, SIGKILLed and restarted."""

    def __init__(self, fake: E2EFake, db_path: Path, log_path: Path) -> None:
        self.fake = fake
        self.db_path = db_path
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self.startup_seconds: list[float] = []

    def env(self) -> dict[str, str]:
        ours = ("TELEGRAM_", "WEBHOOK_", "ADMIN_IDS", "DATABASE_PATH", "TIPS_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.fake.base_url,
            TELEGRAM_API_FILE_URL=self.fake.base_file_url,
            DATABASE_PATH=str(self.db_path),
            MPLBACKEND="Agg",
            PYTHONUNBUFFERED="1",
        )
        return env

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start the bot and wait until it polls."""
        assert not self.alive, "the bot is running already"
        polls = self.fake.polls
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "run_bot.py"), "telegram"],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        try:
            self.fake.wait_polls_above(polls, timeout, lambda: self.alive)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{error}\n--- bot log ---\n{self.log_tail()}") from error
        self.startup_seconds.append(time.monotonic() - began)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer."""
        assert self.process is not None and self.alive, "the bot is not running"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=scaled(10))
        self.kills += 1

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=scaled(10))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> BotProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- scripts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """How a scripted user answers one question: a button key, or typed text."""

    qid: str
    key: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Script:
    language_code: str
    steps: tuple[Step, ...]

    @property
    def language(self) -> str:
        return "de" if self.language_code.startswith("de") else "en"

    def step(self, qid: str) -> Step:
        return next(s for s in self.steps if s.qid == qid)


def _label(language: str, qid: str, key: str) -> str:
    choice = QUESTION_BY_ID[qid].choice(key)
    assert choice is not None, (qid, key)
    return Translator(language)(choice.label)


GERMAN = Script(
    "de",
    (
        Step("staff", text="12"),
        Step("turnover", text="1,5 Mio. €"),
        Step("balance_sheet", key="unknown"),
        Step("linked", text="Keine"),
        Step("owns", key="none"),
        Step("sector", key="craft"),
        Step("customers", text="Beides"),
        Step("reach", text="Lokal oder regional"),
        Step("website", key="outdated"),
        Step("social_presence", key="occasional"),
        Step("online_share", text="15 %"),
        Step("social_share", key="p1_5"),
        Step("controlling_share", text="1"),
        Step("results_check", key="partly"),
        Step("referral", text="Ab und zu"),
    ),
)

ENGLISH = Script(
    "en-GB",
    (
        Step("staff", key="50_249"),
        Step("turnover", text="€30 million"),
        Step("balance_sheet", text="20m"),
        Step("linked", text="40 %; 30; 6m; 4m"),
        Step("owns", key="none"),
        Step("sector", key="manufacturing"),
        Step("customers", text="Businesses"),
        Step("reach", key="international"),
        Step("website", text="Yes, up to date and mobile-friendly"),
        Step("social_presence", key="strategy"),
        Step("online_share", key="p26_50"),
        Step("social_share", text="10 %"),
        Step("controlling_share", key="p1_5"),
        Step("results_check", text="Partly"),
        Step("referral", key="active"),
    ),
)

# Typed answers per language that are valid whatever else is answered (shares stay within the online share).
_TYPED: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "staff": ("12", "3,5", "48", "120"),
        "turnover": ("1,5 Mio. €", "800.000 €", "4 Mio", "12 Mio. €"),
        "balance_sheet": ("900.000 €", "2,5 Mio", "Weiß nicht"),
        "online_share": ("20 %", "35", "60 %"),
        "social_share": ("5 %", "2", "0"),
        "controlling_share": ("1", "2,5 %", "0 %"),
    },
    "en": {
        "staff": ("12", "3.5", "48", "120"),
        "turnover": ("1.5m", "800,000", "€4 million", "12m"),
        "balance_sheet": ("900,000", "2.5m", "Don't know"),
        "online_share": ("20 %", "35", "60%"),
        "social_share": ("5 %", "2", "0"),
        "controlling_share": ("1", "2.5%", "0 %"),
    },
}
# Button keys that keep the shares consistent: online at least 26 %, social and controlling at most 5 %.
_KEYS: dict[str, tuple[str, ...]] = {
    "online_share": ("p26_50", "p51_100"),
    "social_share": ("p0", "p1_5"),
    "controlling_share": ("p0", "p1_5"),
    # A partner or linked button opens the related-enterprise sub-dialogue, which scripted users do not walk
    # (tests/test_relations.py does); their relations are typed in full or chosen without one.
    **{
        qid: tuple(c.key for c in QUESTION_BY_ID[qid].choices if c.key not in RELATED_KEYS)
        for qid in ("linked", "owns")
    },
}


def random_script(rng: Random, language_code: str) -> Script:
    """A valid questionnaire answered by a random mix of buttons, typed numbers and typed labels."""
    language = "de" if language_code.startswith("de") else "en"
    steps: list[Step] = []
    for question in QUESTIONS:
        # a question the answers so far make inapplicable (e.g. the online offer for business customers) is
        # passed by the engine, so the script leaves it out
        if expected_session(Script(language_code, tuple(steps))).state != question.id:
            continue
        keys = _KEYS.get(question.id) or tuple(c.key for c in question.choices)
        how = rng.random()
        if how < 0.5:
            steps.append(Step(question.id, key=rng.choice(keys)))
        elif question.id in _TYPED[language]:
            steps.append(Step(question.id, text=rng.choice(_TYPED[language][question.id])))
        else:
            steps.append(Step(question.id, text=_label(language, question.id, rng.choice(keys))))
    return Script(language_code, tuple(steps))


def expected_session(script: Script) -> Session:
    """The session the engine reaches with the script's answers: what the bot must have stored."""
    session = Session(language=script.language)
    t = Translator(script.language)
    for step in script.steps:
        assert session.state == step.qid, (session.state, step.qid)
        if step.key is not None:
            session, reply = handle(session, Choose(step.qid, step.key))
        else:
            _, shown = handle(session, Show())
            session, reply = handle(session, event_for_text(step.text or "", shown.screen, t))
        assert not reply.rejected, (step, reply.notices)
    return session


def expected_progress(script: Script, qid: str) -> tuple[int, int]:
    """The "question n of N" the engine shows at ``qid`` after the script's earlier answers."""
    index = next(i for i, step in enumerate(script.steps) if step.qid == qid)
    session = expected_session(Script(script.language_code, script.steps[:index]))
    screen = question_screen(QUESTION_BY_ID[qid], session.answers)
    return screen.number, screen.total


def expected_summary_lines(script: Script) -> list[str]:
    """The lines of the summary screen that list the answers, as the user reads them."""
    screen = summary_screen(expected_session(script).answers)
    text = render_summary(screen, Translator(script.language))
    return [line for line in text.splitlines() if line.startswith("• ")]


# --- the scripted user ----------------------------------------------------------------------------


@dataclass
class _Input:
    kind: str  # start, consent, answer, confirm, help
    qid: str | None = None


@dataclass
class DialogueRecord:
    """What one scripted user did and saw."""

    user_id: int
    language_code: str
    started: float = 0.0
    finished: float | None = None
    completed: bool = False
    error: str | None = None
    inputs: int = 0
    input_times: list[float] = field(default_factory=list)  # time.monotonic() of each input sent
    nudges: int = 0
    acked: list[str] = field(default_factory=list)  # questions whose answer was acknowledged, in order
    lost_actions: list[str] = field(default_factory=list)  # inputs whose reply never came
    lost_nudges: int = 0
    unmatched: list[str] = field(default_factory=list)  # replies that answer no input: sent twice?
    rejected: int = 0
    sorry: int = 0
    progress_errors: list[str] = field(default_factory=list)
    summary_text: str = ""
    result_text: str = ""
    result_photos: int = 0
    result_buttons: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def screen_of(message: dict[str, Any]) -> str | None:
    """What a keyboard message shows: "intro", a question id, "summary", "result"; None without buttons."""
    datas = [b.get("callback_data") or "" for b in _buttons(message)]
    if not datas:
        return None
    if any(d.startswith("cons|") for d in datas):
        return "intro"
    if "ok|summary" in datas:
        return "summary"
    if "r|result" in datas:
        return "result"
    for data in datas:
        if data.startswith("c|"):
            return data.split("|")[1]
    return "other"


def progress_of(text: str) -> tuple[int, int] | None:
    """The "Frage N von M" / "Question N of M" of a question screen."""
    found = _PROGRESS.search(text)
    return None if found is None else (int(found[1]), int(found[2]))


def position(screen: str | None) -> int:
    """How far a screen is into the questionnaire: 0 for the first question, 11 for the summary."""
    if screen in QIDS:
        return QIDS.index(screen)
    return {"summary": len(QIDS), "result": len(QIDS) + 1}.get(screen or "", -1)


class ScriptedUser:
    """Answers the questionnaire like a patient person; see the module docstring for the bookkeeping.

    Without a reply within ``patience`` seconds (or after the bot apologizes for an error) the user asks
    again: /start while the privacy intro is pending, /help afterwards (its reply repeats the current
    screen after the help text, which marks it as the reply to that nudge).
    """

    def __init__(
        self,
        fake: BotApiFake,
        user_id: int,
        script: Script,
        *,
        patience: float = 10.0,
        time_limit: float = 120.0,
        max_nudges: int = 20,
        on_ack: Callable[[ScriptedUser], None] | None = None,
    ) -> None:
        self.fake = fake
        self.script = script
        self.user: FakeUser = fake.user(
            user_id, first_name=f"User {user_id}", language_code=script.language_code
        )
        self.patience = patience
        self.time_limit = time_limit
        self.max_nudges = max_nudges
        self.on_ack = on_ack
        self.record = DialogueRecord(user_id, script.language_code)
        self.t = Translator(script.language)
        self._sorry_text = self.t(_SORRY)
        self._queue: list[_Input] = []
        self._latest: dict[str, Any] | None = None
        self._help_seen = False
        self._since_screen: list[dict[str, Any]] = []
        self._in_questions = False
        self._rejections = 0

    @property
    def id(self) -> int:
        return self.user.id

    # acting

    def _send(self, kind: str, text: str, qid: str | None = None) -> None:
        self._queue.append(_Input(kind, qid))
        self.record.inputs += 1
        self.record.input_times.append(time.monotonic())
        self.user.send(text)

    def _press(self, kind: str, data: str, message_id: int, qid: str | None = None) -> None:
        self._queue.append(_Input(kind, qid))
        self.record.inputs += 1
        self.record.input_times.append(time.monotonic())
        try:
            self.user.press(data, message_id)
        except LookupError:  # the keyboard is gone already (e.g. edited away): press it anyway
            self.user.press(data, force=True)

    def _nudge(self) -> None:
        self.record.nudges += 1
        if self._in_questions:
            self._send("help", "/help")
        else:
            self._send("start", "/start")

    def _action_outstanding(self) -> bool:
        return any(i.kind in ("consent", "answer", "confirm") for i in self._queue)

    def _act(self) -> None:
        latest = self._latest
        assert latest is not None
        screen = screen_of(latest)
        if screen == "intro":
            self._press("consent", "cons|1", latest["message_id"])
        elif screen in QIDS:
            self._in_questions = True
            self._check_progress(screen, latest.get("text") or "")
            step = self.script.step(screen)
            if step.key is not None:
                self._press("answer", f"c|{screen}|{step.key}", latest["message_id"], screen)
            else:
                self._send("answer", step.text or "", screen)
        elif screen == "summary":
            self._in_questions = True
            self.record.summary_text = latest.get("text") or ""
            self._press("confirm", "ok|summary", latest["message_id"])
        else:
            raise AssertionError(f"nothing to do on screen {screen!r}")
        self._latest = None

    def _check_progress(self, qid: str, text: str) -> None:
        wanted = expected_progress(self.script, qid)
        shown = progress_of(text)
        if shown != wanted:
            self.record.progress_errors.append(f"{qid}: {shown}, expected {wanted}")

    # reading

    def _match(self, kinds: Sequence[str], plausible: Callable[[_Input], bool] = lambda i: True) -> bool:
        """Resolve the oldest waiting input this reply can answer; inputs before it lost their reply."""
        for index, waiting in enumerate(self._queue):
            if waiting.kind in kinds and plausible(waiting):
                for lost in self._queue[:index]:
                    if lost.kind == "help" or lost.kind == "start":
                        self.record.lost_nudges += 1
                    else:
                        self.record.lost_actions.append(f"{lost.kind}:{lost.qid or ''}")
                del self._queue[: index + 1]
                return True
        return False

    def _receive(self, message: dict[str, Any]) -> None:
        text = message.get("text") or message.get("caption") or ""
        screen = screen_of(message)
        if screen is None:
            if text.startswith("KMU Digital-Berater") and "/start" in text:
                self._help_seen = True
                self._since_screen = []
            elif text == self._sorry_text:
                self.record.sorry += 1
                if self._action_outstanding():
                    self._nudge()
            else:
                self._since_screen.append(message)
            return
        after_help, self._help_seen = self._help_seen, False
        before, self._since_screen = self._since_screen, []
        if after_help:
            matched = self._match(("help",))
        elif screen == "intro":
            matched = self._match(("start",))
        elif text.startswith("✓"):
            matched = self._match(
                ("answer",), lambda i: i.qid is not None and position(screen) > position(i.qid)
            )
            if matched:
                # the script's question before this screen (questions that do not apply are not asked)
                asked = [step.qid for step in self.script.steps]
                answered = asked[asked.index(screen) - 1] if screen in asked else asked[-1]
                self.record.acked.append(answered)
                if self.on_ack is not None:
                    self.on_ack(self)
        elif text.startswith("⚠️"):
            matched = self._match(("answer", "confirm", "consent"))
            if matched:
                self.record.rejected += 1
                self._rejections += 1
        elif screen == "result":
            matched = self._match(("confirm", "start"))
        else:
            matched = self._match(("consent", "start"))
        if not matched:
            self.record.unmatched.append(f"#{message['message_id']} {screen}: {text[:60]!r}")
            return
        self._latest = message
        if screen == "result":
            self._finish(message, before)

    def _finish(self, message: dict[str, Any], before: list[dict[str, Any]]) -> None:
        texts = [m.get("text") or m.get("caption") or "" for m in before]
        self.record.result_text = "\n".join([*texts, message.get("text") or ""])
        self.record.result_photos = sum(1 for m in before if "photo" in m)
        self.record.result_buttons = [b.get("callback_data") or b.get("url") or "" for b in _buttons(message)]
        self.record.completed = True

    def run(self) -> DialogueRecord:
        """Play the whole dialogue; never raises (failures land in ``record.error``)."""
        record = self.record
        record.started = time.monotonic()
        deadline = record.started + scaled(self.time_limit)
        try:
            self._send("start", "/start")
            quiet_since = time.monotonic()
            while not record.completed:
                now = time.monotonic()
                if now > deadline:
                    raise TimeoutError(f"no result within {self.time_limit:.0f} s")
                if self._rejections > 5:
                    raise AssertionError("the bot keeps rejecting the scripted answers")
                if self._latest is not None and not self._action_outstanding():
                    self._act()
                    quiet_since = time.monotonic()
                    continue
                wait = min(self.patience - (now - quiet_since), deadline - now)
                try:
                    message = self.user.wait_screen(timeout=max(wait, 0.0))
                except TimeoutError:
                    if record.nudges >= self.max_nudges:
                        raise
                    self._nudge()
                    quiet_since = time.monotonic()
                    continue
                quiet_since = time.monotonic()
                self._receive(message)
        except Exception as error:  # the record carries the failure and the transcript to the test
            record.error = f"{type(error).__name__}: {error}\n{self.fake.transcript(self.id, last=12)}"
        record.finished = time.monotonic()
        return record


def run_users(users: Sequence[ScriptedUser], timeout: float) -> list[DialogueRecord]:
    """Run the users' dialogues at the same time, each in its own thread; bounded by ``timeout``."""
    with ThreadPoolExecutor(max_workers=max(len(users), 1)) as pool:
        futures = [pool.submit(user.run) for user in users]
        return [future.result(timeout=scaled(timeout)) for future in futures]


# --- checks on the fake's records and on the database ---------------------------------------------


def sends(fake: BotApiFake, chat_id: int) -> list[CallRecord]:
    """Every send request to a chat, oldest first (failed ones included)."""
    return [c for c in fake.calls(chat_id=chat_id) if c.method in SEND_METHODS]


def sent_messages(fake: BotApiFake, chat_id: int) -> list[dict[str, Any]]:
    """The bot's delivered messages in a chat as they were sent (with the buttons they had then)."""
    delivered = [c.result for c in sends(fake, chat_id) if c.ok and isinstance(c.result, dict)]
    return sorted(delivered, key=lambda m: int(m["message_id"]))


def shown_messages(fake: BotApiFake, chat_id: int) -> list[dict[str, Any]]:
    """What the user saw appear, in order: each delivered message, and each message the bot edited into a new
    screen (a pressed answer replaces its question in place)."""
    return [
        c.result
        for c in fake.calls(chat_id=chat_id)
        if c.ok and (c.method in SEND_METHODS or c.method == "editMessageText") and isinstance(c.result, dict)
    ]


def _payload(call: CallRecord) -> tuple[str, str]:
    params = call.params
    content = (
        params.get("text") or params.get("caption") or repr(params.get("photo") or params.get("document"))
    )
    return call.method, f"{content}|{params.get('reply_markup')}"


def resent_deliveries(fake: BotApiFake, chat_id: int, input_times: Sequence[float] = ()) -> list[str]:
    """Sends that repeat a request which had already taken effect (a timed-out send resent).

    The same text twice in answer to two inputs (two /help, say) is no resend: pass the user's input times.
    """
    calls = sends(fake, chat_id)
    repeated = []
    for first, second in itertools.pairwise(calls):
        asked_again = any(first.time < t < second.time for t in input_times)
        # A "timeout" fault holds the answer back, but the message was delivered: the bot must not resend it.
        if first.ok and first.fault == "timeout" and _payload(first) == _payload(second) and not asked_again:
            repeated.append(f"{first.method} after {first.fault or 'success'}: {_payload(first)[1][:80]!r}")
    return repeated


def redelivered_updates(fake: BotApiFake) -> int:
    """How many updates the fake handed out more than once (a bot died before confirming them)."""
    seen: Counter[int] = Counter()
    for call in fake.calls("getUpdates"):
        if call.ok and isinstance(call.result, list):
            seen.update(int(update["update_id"]) for update in call.result)
    return sum(1 for count in seen.values() if count > 1)


def stored_session(db_path: Path, user_id: int) -> dict[str, Any] | None:
    """The session the bot stored for a Telegram user, read through Storage like the bot does."""
    storage = Storage(db_path)
    try:
        respondent = storage.respondents.find_respondent("telegram", user_id)
        return None if respondent is None else storage.sessions.load_session(respondent)
    finally:
        storage.close()


def stored_sessions(db_path: Path, user_ids: Sequence[int]) -> dict[int, dict[str, Any] | None]:
    storage = Storage(db_path)
    try:
        found: dict[int, dict[str, Any] | None] = {}
        for user_id in user_ids:
            respondent = storage.respondents.find_respondent("telegram", user_id)
            found[user_id] = None if respondent is None else storage.sessions.load_session(respondent)
        return found
    finally:
        storage.close()


def print_figures(title: str, records: Sequence[DialogueRecord], **extra: object) -> None:
    """Print per-dialogue wall times and counters (shown with ``pytest -s``; never asserted on)."""
    times = sorted(r.seconds for r in records)
    if not times:
        return
    line = (
        f"[{title}] dialogues={len(records)} completed={sum(r.completed for r in records)} "
        f"wall s/dialogue: min={times[0]:.2f} median={times[len(times) // 2]:.2f} max={times[-1]:.2f} "
        f"nudges={sum(r.nudges for r in records)} lost_replies={sum(len(r.lost_actions) for r in records)} "
        f"sorry={sum(r.sorry for r in records)}"
    )
    if extra:
        line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
    print(line)
