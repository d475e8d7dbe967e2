"""End to end over HTTP: concurrent users against the local Bot API fake, ours beside a bare echo bot.

    python -m benchmarks.http_e2e                       # 200 users x 5 steps; ours, echo, echo with limiter
    python -m benchmarks.http_e2e --users 50 --steps 14 # whole questionnaires including the result
    python -m benchmarks.http_e2e --bots ours,echo

Each bot runs as its own process, ``python run_bot.py telegram`` or ``benchmarks/echo_bot.py``, long-polling a
fresh ``tests.support.botapi_fake.BotApiFake`` in this process (``TELEGRAM_API_BASE_URL=fake.base_url``). Every user
sends a step, waits for the bot's answer, then sends the next. A round trip is timed from the moment the
update is queued at the fake to the moment the fake has stored the reply: for ours the next message carrying
a keyboard (the question, the summary, the result's last message), for the echo bot its echo.

Ours runs as deployed, with its AIORateLimiter (30 sends per second overall, Telegram's own limit), and
again without it (``benchmarks/ours_unpaced.py``, a diagnostic); the echo bot runs bare and with the same
limiter. Each of ours is compared with the echo bot that is paced the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    ECHO_BOT,
    OUR_BOT,
    QUESTIONS_SCRIPT,
    RESULT_STEP,
    ROOT,
    TOKEN,
    BotProcess,
    Latencies,
    is_button,
    markdown_table,
    ms,
    rss_mb,
)
from tests.support.botapi_fake import BotApiFake, CallRecord, FakeUser

WHOLE_SCRIPT = (*QUESTIONS_SCRIPT, RESULT_STEP)
BOTS = {
    "ours": OUR_BOT,
    "ours-unpaced": (sys.executable, str(ROOT / "benchmarks" / "ours_unpaced.py")),
    "echo": ECHO_BOT,
    "echo+limiter": (*ECHO_BOT, "--rate-limiter"),
}
# Each of ours is compared with the echo bot paced the same way (or with the one that ran).
PAIRS = (("ours", "echo+limiter"), ("ours-unpaced", "echo"))
FIRST_USER_ID = 100_001
REPLY_METHODS = ("sendMessage", "editMessageText")


@dataclass(frozen=True)
class Run:
    """One bot under load: round trips, their latencies, and what the bot process used."""

    round_trips: int
    wall: float
    latencies: Latencies
    cold_start: float
    cpu: float
    rss_after: float

    @property
    def per_second(self) -> float:
        return self.round_trips / self.wall


class ReplyWatcher:
    """Follows the fake's log of sent and edited messages on one thread and wakes the user waiting for each reply.

    One thread instead of one blocking ``wait_reply`` per user: two hundred threads waiting on the fake's one
    condition would all wake for every message, and the fake's process would measure its own contention.
    """

    def __init__(
        self, fake: BotApiFake, loop: asyncio.AbstractEventLoop, *, keyboard_ends_reply: bool
    ) -> None:
        self.fake = fake
        self.loop = loop
        self.keyboard_ends_reply = keyboard_ends_reply
        self.waiting: dict[int, tuple[float, asyncio.Future[float]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="reply-watcher", daemon=True)

    def __enter__(self) -> ReplyWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def expect(self, chat_id: int) -> tuple[float, asyncio.Future[float]]:
        """Register a wait for the next reply in ``chat_id``; returns (now, future of the reply's time)."""
        since, future = time.monotonic(), self.loop.create_future()
        self.waiting[chat_id] = (since, future)
        return since, future

    def _follow(self) -> None:
        # A reply is a new message or, for a tapped answer, the question message edited into the next one.
        seen = dict.fromkeys(REPLY_METHODS, 0)
        while not self._stop.is_set():
            for method in REPLY_METHODS:
                index = 0

                def look(call: CallRecord, method: str = method) -> bool:
                    nonlocal index
                    index += 1  # the log only grows: calls up to seen[method] were looked at before
                    if index > seen[method]:
                        seen[method] = index
                        self._dispatch(call)
                    return False

                with contextlib.suppress(TimeoutError):  # nothing new: look at the other method
                    self.fake.wait_for_call(method, look, timeout=0.05)

    def _dispatch(self, call: CallRecord) -> None:
        if call.status != 200 or not isinstance(call.chat_id, int):
            return
        entry = self.waiting.get(call.chat_id)
        if entry is None or call.time < entry[0]:
            return
        if self.keyboard_ends_reply and not (call.result or {}).get("reply_markup"):
            return
        del self.waiting[call.chat_id]
        self.loop.call_soon_threadsafe(_resolve, entry[1], call.time)


def _resolve(future: asyncio.Future[float], at: float) -> None:
    if not future.done():
        future.set_result(at)


async def play(
    user: FakeUser, steps: Sequence[str], watcher: ReplyWatcher, samples: list[float], *, forged: bool
) -> None:
    """One user's steps, each sent once the answer to the previous one has arrived."""
    for step in steps:
        since, reply = watcher.expect(user.id)
        if is_button(step):
            user.press(step, force=forged)  # the echo bot shows no buttons: its presses are forged data
        else:
            user.send(step)
        try:
            arrived = await asyncio.wait_for(reply, timeout=120)
        except TimeoutError:
            raise RuntimeError(
                f"user {user.id}: no reply to {step!r}\n{watcher.fake.transcript(user.id, last=4)}"
            ) from None
        samples.append(arrived - since)


async def load(fake: BotApiFake, kind: str, users: int, steps: Sequence[str]) -> tuple[int, float, Latencies]:
    fakes = [fake.user(FIRST_USER_ID + n, first_name="Anna", language_code="de") for n in range(users)]
    samples: list[float] = []
    ours = kind.startswith("ours")
    with ReplyWatcher(fake, asyncio.get_running_loop(), keyboard_ends_reply=ours) as watcher:
        began = time.monotonic()
        try:
            async with asyncio.TaskGroup() as users_at_once:  # the first failure cancels the others
                for user in fakes:
                    users_at_once.create_task(play(user, steps, watcher, samples, forged=not ours))
        except ExceptionGroup as failures:
            raise failures.exceptions[0] from None
        wall = time.monotonic() - began
    if ours:
        refused = [
            u.id for u in fakes if any((m.get("text") or "").startswith("⚠️") for m in fake.messages(u.id))
        ]
        assert not refused, f"the bot refused steps of users {refused[:5]}: the script no longer fits"
    return len(samples), wall, Latencies.of(samples)


def run_bot(kind: str, users: int, steps: Sequence[str], workdir: Path) -> Run:
    with BotApiFake(TOKEN, bot_username="KmuBeraterBenchBot") as fake:
        bot = BotProcess(BOTS[kind], fake, workdir, kind.replace("+", "-"))
        cold_start = bot.start()
        try:
            cpu = bot.cpu_seconds()
            count, wall, latencies = asyncio.run(load(fake, kind, users, steps))
            cpu = bot.cpu_seconds() - cpu
            rss = rss_mb(bot.pid)
        finally:
            bot.stop()
    return Run(count, wall, latencies, cold_start, cpu, rss)


def report(runs: dict[str, Run], users: int, steps: int) -> str:
    kinds = list(runs)
    echoes = [kind for kind in ("echo+limiter", "echo") if kind in runs]
    pairs = [
        (mine, theirs if theirs in runs else echoes[0]) for mine, theirs in PAIRS if mine in runs and echoes
    ]
    rows: list[list[object]] = []

    def row(metric: str, cell: Callable[[Run], str], ratio: Callable[[Run, Run], str]) -> None:
        relations = [ratio(runs[mine], runs[theirs]) for mine, theirs in pairs]
        rows.append([metric, *(cell(runs[kind]) for kind in kinds), *relations])

    row(
        f"round trips/s ({users} users x {steps} steps)",
        lambda r: f"{r.per_second:,.0f}",
        lambda o, b: f"{b.per_second / o.per_second:.1f}x fewer",
    )
    row(
        "reply latency p50",
        lambda r: ms(r.latencies.p50),
        lambda o, b: f"{o.latencies.p50 / b.latencies.p50:.1f}x",
    )
    row(
        "reply latency p99",
        lambda r: ms(r.latencies.p99),
        lambda o, b: f"{o.latencies.p99 / b.latencies.p99:.1f}x",
    )
    row(
        "bot process CPU per round trip",
        lambda r: ms(r.cpu / r.round_trips),
        lambda o, b: f"{(o.cpu / o.round_trips) / (b.cpu / b.round_trips):.1f}x",
    )
    row(
        "bot process RSS after the run",
        lambda r: f"{r.rss_after:.0f} MB",
        lambda o, b: f"{o.rss_after / b.rss_after:.1f}x",
    )
    row(
        "cold start to first getUpdates",
        lambda r: f"{r.cold_start:.2f} s",
        lambda o, b: f"{o.cold_start / b.cold_start:.1f}x",
    )
    return markdown_table(["metric", *kinds, *(f"{mine} / {theirs}" for mine, theirs in pairs)], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200, help="concurrent users (default: 200)")
    parser.add_argument(
        "--steps",
        type=int,
        default=5,
        choices=range(1, len(WHOLE_SCRIPT) + 1),
        metavar=f"1..{len(WHOLE_SCRIPT)}",
        help=f"steps of the questionnaire per user (default: 5 = /start, consent, 3 answers; {len(WHOLE_SCRIPT)} = with the result)",
    )
    parser.add_argument(
        "--bots", default=",".join(BOTS), help=f"which bots, in order (default: {','.join(BOTS)})"
    )
    args = parser.parse_args(argv)
    kinds = [k for k in args.bots.split(",") if k]
    unknown = set(kinds) - set(BOTS)
    if unknown:
        parser.error(f"unknown bots: {', '.join(sorted(unknown))}")
    steps = WHOLE_SCRIPT[: args.steps]
    started = time.perf_counter()
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="kmu-http-") as tmp:
        for kind in kinds:
            runs[kind] = run_bot(kind, args.users, steps, Path(tmp))
            print(
                f"{kind}: {runs[kind].per_second:,.0f} round trips/s, p99 {ms(runs[kind].latencies.p99)}",
                file=sys.stderr,
            )
    print(report(runs, args.users, args.steps))
    print(
        f"\n{args.users} users x {args.steps} steps ({', '.join(steps)}), {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
