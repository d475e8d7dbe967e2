"""Update throughput: whole questionnaires pushed through the real Application beside a bare echo bot.

    python -m benchmarks.throughput                  # 200 users, 5 rounds (about a minute)
    python -m benchmarks.throughput --users 50 --rounds 1
    python -m benchmarks.throughput --profile /tmp/throughput.html   # pyinstrument report of our questions

Every bot runs in this process on the tests' in-process Bot API (``FakeRequest``); ours is built by
``build_application`` with a real SQLite file in a temporary directory. Each update is timed around
``Application.process_update``. Sequential rounds feed one update at a time (users interleaved), so an
update's wall time is its cost; the concurrent run starts every user at once, as polling with
``concurrent_updates`` does. The rate limiter is taken out (see ``without_rate_limiter``).

Four bots are measured in the same run: ours, the bare echo bot (one reply per update), the peer (the same
questionnaire as a PTB ``ConversationHandler`` with ``PicklePersistence``, ``benchmarks/peer_bot.py``), and a
"replay" bot: a bare PTB handler that makes exactly the Bot API calls ours made for each update (same texts,
keyboards, edits, chart bytes) with none of our logic. Ours over replay is the cost of our own code;
replay over echo is what our replies cost PTB to send.

The peer keeps its users' answers in memory and writes them to its pickle file only when it flushes (its job
queue every 60 s, and at shutdown). The run measures that flush for the users of a round (CPU and the longest
stall of the event loop), and what a SIGKILL leaves on disk: the peer is flushed once half-way through the
questionnaire, as its 60 s job would, then "killed" (its file read back without a flush), ours' database
read back over a fresh connection.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sqlite3
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InputFile, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.warnings import PTBUserWarning

from benchmarks.common import (
    QUESTIONS_SCRIPT,
    RESULT_STEP,
    TOKEN,
    Heartbeat,
    Latencies,
    QuietRequest,
    UpdatePayloads,
    build_echo_application,
    markdown_table,
    ms,
    stores,
    without_rate_limiter,
)
from benchmarks.peer_bot import build_peer_application
from bot.config import load_config
from bot.storage import Storage
from bot.telegram.app import build_application

TARGET_RATIO = 2.0
CROWD_P99_TARGET = 0.050  # seconds: a crowd pressing at once, each update processed in process
KINDS = ("echo", "ours", "peer", "replay")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Recording = dict[int, list[tuple[str, dict[str, Any]]]]  # update id -> the Bot API calls ours made for it


@dataclass(frozen=True)
class Phase:
    """What one bot did in one phase: wall and CPU seconds (all threads) and each update's wall time."""

    updates: int
    wall: float
    cpu: float
    latencies: Latencies
    calls: int = 0  # Bot API calls made

    @property
    def per_update(self) -> float:
        """CPU seconds per update: the cost, robust against other processes on a noisy machine."""
        return self.cpu / self.updates

    @property
    def per_second(self) -> float:
        return self.updates / self.wall


# --- the replay bot ---------------------------------------------------------------------------------


warnings.filterwarnings("ignore", r"Please use 'Bot\.", PTBUserWarning, __name__)


def build_replay_application(recording: Recording, request: QuietRequest) -> AnyApplication:
    """A bare PTB bot that repeats, for each update, the calls ours made for it (built before timing)."""

    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Make the recorded calls of this update the way ours makes them."""
        bot = context.bot
        for api, params in recording[update.update_id]:
            chat_id: int = params.get("chat_id", 0)  # answerCallbackQuery has none
            if api in ("sendMessage", "editMessageText"):  # as ours makes them: JSON in, JSON out
                await bot.do_api_request(api, {k: v for k, v in params.items() if not k.startswith("_")})
            elif api == "answerCallbackQuery":  # as ours answers it: through do_api_request
                await bot.do_api_request("answerCallbackQuery", params)
            elif api == "editMessageReplyMarkup":
                await bot.edit_message_reply_markup(chat_id, params["message_id"], reply_markup=None)
            elif api == "sendChatAction":
                await bot.send_chat_action(chat_id, params["action"])
            elif api == "sendPhoto":  # as ours sends it: JSON out, not parsed into a Message
                files = params.get("_files")  # an upload, or a file_id Telegram gave an earlier upload
                photo = (
                    InputFile(io.BytesIO(files["photo"]), filename="chart.png") if files else params["photo"]
                )
                caption = params.get("caption")
                await bot.do_api_request(
                    "sendPhoto", {"chat_id": chat_id, "photo": photo, "caption": caption}
                )
            else:
                raise NotImplementedError(f"replay of {api}")

    builder = ApplicationBuilder().token(TOKEN)
    application = builder.request(request).get_updates_request(QuietRequest()).build()
    application.add_handler(TypeHandler(Update, replay))
    return application


# --- one bot, one round -----------------------------------------------------------------------------


class Bot:
    """A fresh application of one kind, and the updates of its users."""

    def __init__(self, kind: str, workdir: Path, recording: Recording | None = None) -> None:
        self.kind = kind
        self.request = QuietRequest()
        self.storage: Storage | None = None
        if kind == "ours":
            database = workdir / f"bot-{time.monotonic_ns()}.db"
            self.storage = Storage(database)
            config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(database)})
            self.app: AnyApplication = build_application(
                config, self.storage, request=self.request, updates_request=QuietRequest()
            )
        elif kind == "replay":
            assert recording is not None
            self.app = build_replay_application(recording, self.request)
        elif kind == "peer":
            self.pickle = workdir / f"peer-{time.monotonic_ns()}.pickle"
            self.app = build_peer_application(
                TOKEN, self.pickle, request=self.request, updates_request=QuietRequest()
            )
        else:
            self.app = build_echo_application(request=self.request, updates_request=QuietRequest())
        without_rate_limiter(self.app)
        self.payloads = UpdatePayloads()  # the same update ids for every bot, so a replay finds its calls

    def update(self, user_id: int, step: str) -> Update:
        return Update.de_json(self.payloads.step(user_id, step), self.app.bot)

    def close(self) -> None:
        if self.storage is not None:
            self.storage.close()

    def states(self, users: Sequence[int]) -> set[str]:
        """Where our users' sessions stand: a check that every update really went through."""
        assert self.storage is not None
        found = set()
        for user_id in users:
            respondent = stores(self.storage)[0].find_respondent("telegram", user_id)
            session = stores(self.storage)[1].load_session(respondent) if respondent else None
            found.add(session["state"] if session else "none")
        return found


async def sequential(
    bot: Bot, users: Sequence[int], steps: Sequence[str], record: Recording | None = None
) -> Phase:
    """Feed the steps one update at a time: every user's first step, then every user's second, …"""
    updates = [bot.update(user_id, step) for step in steps for user_id in users]
    samples: list[float] = []
    bot.request.calls.clear()
    calls = bot.request.count
    wall, cpu = time.perf_counter(), time.process_time()
    for update in updates:
        start = time.perf_counter()
        await bot.app.process_update(update)
        samples.append(time.perf_counter() - start)
        if record is not None:
            record[update.update_id] = list(bot.request.calls)
            bot.request.calls.clear()
    elapsed, used = time.perf_counter() - wall, time.process_time() - cpu
    return Phase(len(updates), elapsed, used, Latencies.of(samples), bot.request.count - calls)


async def concurrent(bot: Bot, users: Sequence[int], steps: Sequence[str]) -> dict[str, Phase]:
    """Every user at once, each one's updates in order: the whole run, and the latencies of its questions
    (every step but the last) and of its results (the last step) apart."""
    per_user = [[bot.update(user_id, step) for step in steps] for user_id in users]
    questions: list[float] = []
    results: list[float] = []

    async def questionnaire(updates: list[Update]) -> None:
        for number, update in enumerate(updates):
            start = time.perf_counter()
            await bot.app.process_update(update)
            (results if number == len(updates) - 1 else questions).append(time.perf_counter() - start)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(questionnaire(updates) for updates in per_user))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "concurrent": Phase(len(questions) + len(results), wall, cpu, Latencies.of([*questions, *results])),
        "concurrent questions": Phase(len(questions), wall, cpu, Latencies.of(questions)),
        "concurrent result": Phase(len(results), wall, cpu, Latencies.of(results)),
    }


async def sequential_round(
    kind: str, users: Sequence[int], workdir: Path, recording: Recording | None = None
) -> dict[str, Phase]:
    """Questions (consent and eleven answers), then the result step, by a fresh bot."""
    record = recording if kind == "ours" and recording is not None and not recording else None
    bot = Bot(kind, workdir, recording)
    try:
        async with bot.app:
            phases = {}
            questions = await sequential(bot, users, QUESTIONS_SCRIPT, record)
            if kind == "ours":
                assert bot.states(users) == {"summary"}, bot.states(users)
                phases["checkpoint questions"] = await checkpoint(bot)
            result = await sequential(bot, users, (RESULT_STEP,), record)
            if kind == "ours":
                assert bot.states(users) == {"result"}, bot.states(users)
                phases["checkpoint result"] = await checkpoint(bot)
            phases |= {"questions": questions, "result": result}
            if kind == "peer":
                categories = {bot.app.user_data[user].get("category") for user in users}
                assert categories == {"small"}, categories
                phases["flush"] = await flush(bot)
    finally:
        bot.close()
    phases["whole"] = Phase(
        questions.updates + result.updates,
        questions.wall + result.wall,
        questions.cpu + result.cpu,
        Latencies.of([*questions.latencies.values, *result.latencies.values]),
        questions.calls + result.calls,
    )
    return phases


async def flush(bot: Bot) -> Phase:
    """The peer's persistence flush of every changed user, as its job runs it: CPU and the loop's stall."""
    with Heartbeat() as heartbeat:
        wall, cpu = time.perf_counter(), time.process_time()
        await bot.app.update_persistence()
        elapsed, used = time.perf_counter() - wall, time.process_time() - cpu
        await asyncio.sleep(heartbeat.interval * 2)
    return Phase(1, elapsed, used, Latencies.of([heartbeat.longest]))


async def checkpoint(bot: Bot) -> Phase:
    """Our log copied into the database file by the worker thread, as the running bot's job does every few
    seconds (its commits leave it to the job): CPU of all threads, and the longest stall of the event loop."""
    assert bot.storage is not None
    storage = bot.storage
    with Heartbeat() as heartbeat:
        wall, cpu = time.perf_counter(), time.process_time()
        done = await asyncio.to_thread(storage.checkpoint)
        elapsed, used = time.perf_counter() - wall, time.process_time() - cpu
        await asyncio.sleep(heartbeat.interval * 2)
    assert done.copied_frames == done.log_frames, done
    return Phase(1, elapsed, used, Latencies.of([heartbeat.longest]), calls=done.copied_frames)


async def answers_after_kill(kind: str, users: Sequence[int], workdir: Path) -> tuple[int, int]:
    """(answers on disk after a SIGKILL at the end of the questions, answers given).

    The peer's 60 s flush is run once half-way through; ours commits each answer before replying.
    """
    bot = Bot(kind, workdir)
    half = len(QUESTIONS_SCRIPT) // 2
    given = len(users) * (len(QUESTIONS_SCRIPT) - 2)  # every step but /start and the consent is an answer
    try:
        async with bot.app:
            await sequential(bot, users, QUESTIONS_SCRIPT[:half])
            if kind == "peer":
                await bot.app.update_persistence()
            await sequential(bot, users, QUESTIONS_SCRIPT[half:])
            if kind == "peer":
                from telegram.ext import PicklePersistence

                kept = await PicklePersistence(filepath=bot.pickle).get_user_data()
                stored = sum(len(kept.get(user, {}).get("answers", {})) for user in users)
                bot.app.persistence = None  # the killed process flushes nothing at shutdown
            else:
                assert bot.storage is not None
                survivor = Storage(bot.storage.path)
                try:
                    stored = 0
                    for user in users:
                        respondent = stores(survivor)[0].find_respondent("telegram", user)
                        session = stores(survivor)[1].load_session(respondent) if respondent else None
                        stored += len(session["answers"]) if session else 0
                finally:
                    survivor.close()
    finally:
        bot.close()
    return stored, given


async def concurrent_round(kind: str, users: Sequence[int], workdir: Path) -> dict[str, Phase]:
    bot = Bot(kind, workdir)
    try:
        async with bot.app:
            phases = await concurrent(bot, users, (*QUESTIONS_SCRIPT, RESULT_STEP))
            if kind == "ours":
                assert bot.states(users) == {"result"}, bot.states(users)
            return phases
    finally:
        bot.close()


# --- the run and its report -------------------------------------------------------------------------


def middle_round(phases: list[Phase]) -> Phase:
    """The round with the median cost per update (rounds differ by the machine's noise)."""
    return sorted(phases, key=lambda phase: phase.per_update)[len(phases) // 2]


def verdict(ratio: float) -> str:
    return "yes" if ratio <= TARGET_RATIO else "no"


def report(results: dict[str, dict[str, list[Phase]]], users: int) -> str:
    def pick(kind: str, name: str) -> Phase:
        return middle_round(results[kind][name])

    rows: list[list[object]] = []
    for name, label in (
        ("questions", f"questions only ({len(QUESTIONS_SCRIPT)} updates per user)"),
        ("result", "result step with chart (1 update per user)"),
        ("whole", f"whole questionnaire ({len(QUESTIONS_SCRIPT) + 1} updates per user)"),
    ):
        ours, echo = pick("ours", name), pick("echo", name)
        ratio = ours.per_update / echo.per_update
        rows.append(
            [
                f"{label}: cost per update",
                ms(ours.per_update),
                ms(echo.per_update),
                f"{ratio:.1f}x",
                f"<= {TARGET_RATIO:.0f}x",
                verdict(ratio),
            ]
        )
        rows.append(
            [
                f"{label}: updates/s",
                f"{ours.per_second:,.0f}",
                f"{echo.per_second:,.0f}",
                f"{echo.per_second / ours.per_second:.1f}x fewer",
                "",
                "",
            ]
        )
        rows.append(
            [
                f"{label}: p50 / p99 latency",
                f"{ms(ours.latencies.p50)} / {ms(ours.latencies.p99)}",
                f"{ms(echo.latencies.p50)} / {ms(echo.latencies.p99)}",
                "",
                "",
                "",
            ]
        )
    ours, echo = pick("ours", "concurrent"), pick("echo", "concurrent")
    rows.append(
        [
            f"{users} users at once, whole questionnaire: updates/s",
            f"{ours.per_second:,.0f}",
            f"{echo.per_second:,.0f}",
            f"{echo.per_second / ours.per_second:.1f}x fewer",
            "",
            "",
        ]
    )
    rows.append(
        [
            f"{users} users at once: p50 / p99 latency",
            f"{ms(ours.latencies.p50)} / {ms(ours.latencies.p99)}",
            f"{ms(echo.latencies.p50)} / {ms(echo.latencies.p99)}",
            "",
            "",
            "",
        ]
    )
    main = markdown_table(["metric", "ours", "echo baseline", "ratio", "target", "met?"], rows)

    split = []
    for name, label in (
        ("questions", "questions only"),
        ("result", "result step"),
        ("whole", "whole questionnaire"),
    ):
        ours, replay, echo = pick("ours", name), pick("replay", name), pick("echo", name)
        split.append(
            [
                f"{label}: cost per update",
                ms(ours.per_update),
                ms(replay.per_update),
                ms(echo.per_update),
                ms(ours.per_update - replay.per_update),
                f"{replay.per_update / echo.per_update:.1f}x",
            ]
        )
    where = markdown_table(
        ["where the time goes", "ours", "replay of our calls", "echo", "our own code", "replay / echo"], split
    )
    return f"{main}\n\n{where}"


async def measure(users: int, rounds: int, profile: Path | None) -> str:
    user_ids = list(range(1, users + 1))
    results: dict[str, dict[str, list[Phase]]] = {kind: {} for kind in KINDS}
    recording: Recording = {}
    with tempfile.TemporaryDirectory(prefix="kmu-throughput-") as tmp:
        workdir = Path(tmp)
        # One questionnaire first: imports, catalogs and matplotlib's font cache load once per process.
        for kind in ("echo", "ours", "peer"):
            await sequential_round(kind, [1], workdir)
        if profile is not None:
            await profiled(user_ids, workdir, profile)
        for number in range(rounds):
            shift = number % len(KINDS)
            order = ("echo", "ours", "peer", "replay") if number == 0 else KINDS[shift:] + KINDS[:shift]
            for kind in order:  # the first round records ours for the replay; later rounds rotate the order
                phases = await sequential_round(kind, user_ids, workdir, recording)
                for name, phase in phases.items():
                    results[kind].setdefault(name, []).append(phase)
                print(
                    f"round {number + 1} {kind:6}: questions {ms(phases['questions'].per_update)}/update, "
                    f"result {ms(phases['result'].per_update)}/update",
                    file=sys.stderr,
                )
        for kind in ("echo", "ours", "peer"):
            phases = await concurrent_round(kind, user_ids, workdir)
            for name, phase in phases.items():
                results[kind][name] = [phase]
            phase = phases["concurrent"]
            print(f"{users} users at once, {kind}: {phase.per_second:,.0f} updates/s", file=sys.stderr)
        kills = {kind: await answers_after_kill(kind, user_ids, workdir) for kind in ("ours", "peer")}
    return report(results, users) + "\n\n" + peer_report(results, users, kills)


def peer_report(
    results: dict[str, dict[str, list[Phase]]], users: int, kills: dict[str, tuple[int, int]]
) -> str:
    """Ours beside the peer (ConversationHandler + PicklePersistence) and the echo bot, same run."""

    def pick(kind: str, name: str) -> Phase:
        return middle_round(results[kind][name])

    rows: list[list[object]] = []
    for name, label, target in (
        ("questions", "CPU per question update", 0.9),
        ("result", "CPU per result update", None),
        ("whole", "CPU per update, whole questionnaire", 1.0),
    ):
        ours, peer, echo = pick("ours", name), pick("peer", name), pick("echo", name)
        ratio = ours.per_update / peer.per_update
        rows.append(
            [
                label,
                ms(ours.per_update),
                ms(peer.per_update),
                ms(echo.per_update),
                f"{ratio:.2f}x",
                f"{peer.per_update / echo.per_update:.1f}x",
                "" if target is None else f"<= {target}x peer",
                "" if target is None else ("yes" if ratio <= target else "no"),
            ]
        )
    ours, peer, echo = pick("ours", "whole"), pick("peer", "whole"), pick("echo", "whole")
    rows.append(
        [
            "Bot API calls per questionnaire",
            f"{ours.calls / users:.0f}",
            f"{peer.calls / users:.0f}",
            f"{echo.calls / users:.0f}",
            f"{ours.calls / peer.calls:.2f}x",
            f"{peer.calls / echo.calls:.1f}x",
            "",
            "",
        ]
    )
    ours_c, peer_c, echo_c = (
        pick("ours", "concurrent"),
        pick("peer", "concurrent"),
        pick("echo", "concurrent"),
    )
    rows.append(
        [
            f"{users} users at once: updates/s",
            f"{ours_c.per_second:,.0f}",
            f"{peer_c.per_second:,.0f}",
            f"{echo_c.per_second:,.0f}",
            f"{peer_c.per_second / ours_c.per_second:.2f}x fewer",
            "",
            "",
            "",
        ]
    )
    for name, label in (("concurrent questions", "questions"), ("concurrent result", "result step")):
        ours_l, peer_l, echo_l = (pick(kind, name).latencies for kind in ("ours", "peer", "echo"))
        rows.append(
            [
                f"{users} users at once, {label}: latency p50 / p99",
                f"{ms(ours_l.p50)} / {ms(ours_l.p99)}",
                f"{ms(peer_l.p50)} / {ms(peer_l.p99)}",
                f"{ms(echo_l.p50)} / {ms(echo_l.p99)}",
                f"{ours_l.p99 / peer_l.p99:.1f}x (p99)",
                "",
                f"p99 <= {ms(CROWD_P99_TARGET)}",
                "yes" if ours_l.p99 <= CROWD_P99_TARGET else "no",
            ]
        )
    flushes = results["peer"]["flush"]
    flush = middle_round(flushes)
    rows.append(
        [
            f"persistence flush of {users} changed users: CPU / longest loop stall",
            "none (each answer committed)",
            f"{ms(flush.cpu)} / {ms(flush.latencies.values[0])}",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    for name, label in (("questions", "question"), ("result", "result")):
        updates = middle_round(results["ours"][name]).updates
        done = middle_round(results["ours"][f"checkpoint {name}"])
        rows.append(
            [
                f"ours: log checkpoint in the worker after the {name}: CPU per {label} update / loop stall",
                f"{ms(done.cpu / updates)} / {ms(done.latencies.values[0])} ({done.calls:,} pages)",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    (ours_kept, given), (peer_kept, _) = kills["ours"], kills["peer"]
    rows.append(
        [
            "answers on disk after a SIGKILL (peer flushed half-way)",
            f"{ours_kept:,} of {given:,}",
            f"{peer_kept:,} of {given:,}",
            "",
            f"lost: ours {given - ours_kept:,}, peer {given - peer_kept:,}",
            "",
            "0 lost",
            "yes" if ours_kept == given else "no",
        ]
    )
    return markdown_table(
        ["metric", "ours", "peer", "echo", "ours / peer", "peer / echo", "target", "met?"], rows
    )


async def profiled(users: Sequence[int], workdir: Path, output: Path) -> None:
    """Profile our questions phase with pyinstrument (pip install pyinstrument; not a project dependency)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.exit("--profile needs pyinstrument: pip install pyinstrument")
    bot = Bot("ours", workdir)
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    try:
        async with bot.app:
            updates = [bot.update(user_id, step) for step in QUESTIONS_SCRIPT for user_id in users]
            profiler.start()
            for update in updates:
                await bot.app.process_update(update)
            profiler.stop()
    finally:
        bot.close()
    write: Callable[[], str] = profiler.output_html if output.suffix == ".html" else profiler.output_text
    output.write_text(write())
    print(f"profile written to {output}", file=sys.stderr)


class TimedConnection:
    """The bot's sqlite3 connection with the time of each kind of statement added up (``--statements``)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        start = time.perf_counter()
        try:
            return self._connection.execute(sql, *args)
        finally:
            kind = " ".join(sql.split())[:48]
            self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - start
            self.counts[kind] = self.counts.get(kind, 0) + 1


async def statement_times(users: Sequence[int], workdir: Path) -> str:
    """Where SQLite's share of a question update goes: wall time per statement kind, per update."""
    bot = Bot("ours", workdir)
    try:
        async with bot.app:
            timed = TimedConnection(bot.storage.connection.conn)
            bot.storage.connection.conn = timed  # type: ignore[assignment]  # the stores' connection
            updates = [bot.update(user_id, step) for step in QUESTIONS_SCRIPT for user_id in users]
            cpu = time.process_time()
            for update in updates:
                await bot.app.process_update(update)
            cpu = time.process_time() - cpu
    finally:
        bot.close()
    n = len(updates)
    rows: list[list[object]] = [
        [f"`{kind}…`", f"{timed.counts[kind] / n:.2f}", f"{seconds / n * 1000:.3f} ms"]
        for kind, seconds in sorted(timed.seconds.items(), key=lambda item: -item[1])
        if seconds / n >= 0.001e-3
    ]
    total = sum(timed.seconds.values()) / n
    rows.append(["all statements", f"{sum(timed.counts.values()) / n:.2f}", f"{total * 1000:.3f} ms"])
    rows.append(["the whole update (CPU, timing included)", "", f"{cpu / n * 1000:.3f} ms"])
    return markdown_table(["statement", "per update", "time per update"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200, help="simulated users (default: 200)")
    parser.add_argument("--rounds", type=int, default=5, help="sequential rounds per bot (default: 5)")
    parser.add_argument("--profile", type=Path, help="also write a pyinstrument profile (.html or .txt)")
    parser.add_argument(
        "--statements", action="store_true", help="only time our SQL statements per question update"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.statements:
        with tempfile.TemporaryDirectory() as tmp:
            print(asyncio.run(statement_times(range(1000, 1000 + args.users), Path(tmp))))
        return 0
    table = asyncio.run(measure(args.users, args.rounds, args.profile))
    print(table)
    print(
        f"\n{args.users} users, {args.rounds} rounds, {time.perf_counter() - started:.0f} s; "
        "in-process FakeRequest, rate limiter off"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
