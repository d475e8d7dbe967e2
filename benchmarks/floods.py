"""One user never slows another: floods, one chat's 429, idle webhook connections and a long retention pass.

``flood``      ``run_bot.py`` polling the Bot API fake. A second user sends /help one after the other and
               measures each reply; first alone (the baseline), then while one user sends 1,000 messages at
               once, then while one chat's reply is answered with 429 retry_after 8, in 8 s windows alternating
               with the same traffic without the 429 (the baseline for it). One bot process, one run.
``webhook``    ``run_bot.py`` in webhook mode under a file limit of 1,024; 2,000 connections are opened and left
               idle (half of them with a started header); the bot's CPU and log growth over 20 s, and how long a
               normal update posted meanwhile takes to be answered.
``retention``  10,000 / 50,000 / 100,000 respondents due; the daily job of a running application (in process)
               while a user sends /help every 0.2 s: the pass's seconds, the longest event-loop stall, and the
               user's reply latency.

    python -m benchmarks.floods flood
    python -m benchmarks.floods throttle                  # the 429 phase of ``flood`` alone
    python -m benchmarks.floods webhook
    python -m benchmarks.floods retention --sizes 10000 50000 100000

The machine's load average is printed with every figure (the development machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import OUR_BOT, TOKEN, BotProcess
from tests.support.botapi import BotApiFake, FakeUser

FLOODER, SECOND, THROTTLED = 610001, 620002, 630003


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min, {os.cpu_count()} CPUs)"


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"n={len(ordered)} p50={statistics.median(ordered):.3f}s p99={p99:.3f}s max={ordered[-1]:.3f}s "
        f"over 3 s: {sum(1 for s in ordered if s > 3)}"
    )


def help_latencies(fake: BotApiFake, user: FakeUser, count: int, gap: float = 0.1) -> list[float]:
    """``count`` /help one after the other, each timed until the bot's reply is in the chat."""
    samples = []
    for _ in range(count):
        before = fake.sent_count(user.id)
        began = time.monotonic()
        user.send("/help")
        fake.wait_for(before + 1, chat_id=user.id, timeout=120)
        samples.append(time.monotonic() - began)
        time.sleep(gap)
    return samples


def flood(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="floods-"))
    with BotApiFake(TOKEN, bot_username="KmuBeraterBenchBot") as fake:
        bot = BotProcess(OUR_BOT, fake, workdir, "flood")
        bot.start()
        try:
            flooder, second, throttled = (fake.user(uid) for uid in (FLOODER, SECOND, THROTTLED))
            help_latencies(fake, second, 3)  # warm-up: imports, first queries
            print(f"baseline (no flood), {load()}: {summary(help_latencies(fake, second, args.samples))}")

            began = time.monotonic()
            for n in range(args.messages):
                flooder.send(f"Nachricht {n}")
            during = help_latencies(fake, second, args.samples)
            print(f"during a {args.messages}-message flood, {load()}: {summary(during)}")
            time.sleep(2)
            answered = fake.sent_count(FLOODER)
            notices = sum("schneller" in (m.get("text") or "") for m in fake.messages(FLOODER))
            print(
                f"  flooder: {answered} bot messages in {time.monotonic() - began:.1f} s "
                f"({notices} slow-down notice), the rest dropped"
            )

            time.sleep(1)
            throttle_rounds(fake, second, throttled, args.rounds, args.samples)
        finally:
            bot.stop()
    return 0


def throttle(args: argparse.Namespace) -> int:
    """Only the 429 phase: the same rounds as ``flood``'s last phase, without the flood before them."""
    workdir = Path(tempfile.mkdtemp(prefix="throttle-"))
    with BotApiFake(TOKEN, bot_username="KmuBeraterBenchBot") as fake:
        bot = BotProcess(OUR_BOT, fake, workdir, "throttle")
        bot.start()
        try:
            second, throttled = fake.user(SECOND), fake.user(THROTTLED)
            help_latencies(fake, second, 3)  # warm-up: imports, first queries
            throttle_rounds(fake, second, throttled, args.rounds, args.samples)
        finally:
            bot.stop()
    return 0


def throttle_rounds(
    fake: BotApiFake, second: FakeUser, throttled: FakeUser, rounds: int, samples: int
) -> None:
    """One chat's 429 retry_after 8 against the same traffic without it, in alternating 8 s windows.

    In each window a third chat sends /help and the second user sends ``samples`` /help spread over 8 s; in
    the fault windows the third chat's reply is answered with 429 retry_after 8. The no-fault windows are the
    baseline: the same traffic at the same spacing, alternated so that a change of the machine's load falls
    on both alike (a baseline taken once, before, compared the 429 with a quieter moment and other spacing).
    """
    calm: list[float] = []
    faulty: list[float] = []
    retried: list[float] = []
    for n in range(rounds):
        for fault in (False, True) if n % 2 == 0 else (True, False):
            before = fake.sent_count(throttled.id)
            if fault:
                fake.inject("sendMessage", 429, retry_after=8, chat_id=throttled.id, times=1)
            began = time.monotonic()
            throttled.send("/help")
            (faulty if fault else calm).extend(help_latencies(fake, second, samples, gap=8 / samples))
            fake.wait_for(before + 1, chat_id=throttled.id, timeout=30)
            if fault:
                retried.append(time.monotonic() - began)
    print(f"no-fault windows ({rounds} x 8 s), {load()}: {summary(calm)}")
    print(f"one chat's 429 retry_after 8 ({rounds} x 8 s), {load()}: {summary(faulty)}")
    print(f"  ratio 429 / no fault: {ratios(faulty, calm)}")
    print(f"  the throttled chat got its reply after {min(retried):.1f}-{max(retried):.1f} s")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ratios(samples: list[float], baseline: list[float]) -> str:
    return ", ".join(
        f"{name} {percentile(samples, share) / percentile(baseline, share):.2f}x"
        for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def update_body(update_id: int, user_id: int, text: str) -> bytes:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "de"},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def webhook(args: argparse.Namespace) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.connections + 512
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    workdir = Path(tempfile.mkdtemp(prefix="webhook-"))
    port, secret, path = free_port(), "bench_secret", "hook"

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (args.file_limit, max(args.file_limit, hard)))

    with BotApiFake(TOKEN, bot_username="KmuBeraterBenchBot") as fake:
        bot = BotProcess(OUR_BOT, fake, workdir, "webhook")
        bot.env.update(
            WEBHOOK_URL=f"https://bench.example/{path}",
            WEBHOOK_SECRET=secret,
            WEBHOOK_PORT=str(port),
            WEBHOOK_LISTEN="127.0.0.1",
        )
        with bot.log_path.open("ab") as log:
            bot.process = subprocess.Popen(
                bot.argv, env=bot.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit_files
            )
        fake.wait_for_call("setWebhook", timeout=60)
        time.sleep(1.0)
        user = fake.user(SECOND)

        def post(update_id: int) -> float:
            began = time.monotonic()
            before = fake.sent_count(user.id)
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/{path}",
                data=update_body(update_id, user.id, "/help"),
                headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            fake.wait_for(before + 1, chat_id=user.id, timeout=30)
            return time.monotonic() - began

        try:
            baseline = post(1)
            log_before = bot.log_path.stat().st_size
            cpu_before = bot.cpu_seconds()
            sockets = []
            opened_at = time.monotonic()
            for n in range(args.connections):
                try:
                    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                except OSError:
                    break
                if n % 2:
                    connection.send(f"POST /{path} HTTP/1.1\r\nHost: x\r\n".encode())  # and no more
                sockets.append(connection)
            time.sleep(max(0.0, args.seconds / 2 - (time.monotonic() - opened_at)))
            during = post(2)
            time.sleep(max(0.0, args.seconds - (time.monotonic() - opened_at)))
            cpu = bot.cpu_seconds() - cpu_before
            elapsed = time.monotonic() - opened_at
            growth = bot.log_path.stat().st_size - log_before
            open_files = len(os.listdir(f"/proc/{bot.pid}/fd"))
            alive = bot.process.poll() is None
            for connection in sockets:
                connection.close()
            print(
                f"webhook, file limit {args.file_limit}, {len(sockets)} idle connections opened, {load()}:\n"
                f"  bot CPU {cpu:.2f} s in {elapsed:.1f} s, log growth {growth} bytes, "
                f"{open_files} open files at the end, still running: {alive}\n"
                f"  a normal update answered in {during:.3f} s meanwhile (alone before: {baseline:.3f} s)"
            )
        finally:
            bot.stop()
    return 0


def fill(storage: Any, due: int, old: str) -> None:
    """``due`` respondents inactive since ``old``: identity, finished session, a result (90 % consenting)."""
    answers = json.dumps(
        {
            "staff": {"value": "12", "band": None},
            "turnover": {"value": "1500000", "band": None},
            "online_share": {"value": "17", "band": None},
            "sector": {"value": "craft", "band": None},
        }
    )
    with storage.write():
        for n in range(due):
            rid = f"r{n:08d}"
            storage.execute(
                "insert into respondents (id, created_at, language, consent, consent_version, consent_month) "
                "values (?, ?, 'de', ?, 2, '2024-01')",
                [rid, old, 1 if n % 10 else 0],
            )
            storage.execute(
                "insert into identities (channel, channel_user_id, respondent_id, created_at) "
                "values ('telegram', ?, ?, ?)",
                [str(700_000_000 + n), rid, old],
            )
            storage.execute(
                "insert into sessions (respondent_id, state, answers, language, started_at, updated_at, "
                "finished_at, reply_pending) values (?, 'result', ?, 'de', ?, ?, ?, 0)",
                [rid, answers, old, old, old],
            )
            storage.execute(
                "insert into results (respondent_id, created_at, category, score, answers, step_ids) "
                "values (?, ?, 'small', 47, ?, '[]')",
                [rid, old, answers],
            )


async def retention_run(due: int) -> dict[str, Any]:
    from bot.telegram.jobs import retention_job
    from tests.support.harness import Harness

    workdir = Path(tempfile.mkdtemp(prefix="retention-"))
    bot = Harness(workdir / "bot.db")
    filled = time.monotonic()
    fill(bot.storage, due, "2020-01-15T10:00:00+00:00")
    filled = time.monotonic() - filled
    stalls: list[float] = []
    stall_times: list[float] = []
    replies: list[float] = []
    async with bot.app:
        await bot.send("/start", user=SECOND)
        context = MagicMock()
        context.bot_data = bot.app.bot_data
        done = asyncio.Event()

        async def watch_loop() -> None:
            while not done.is_set():
                began = time.monotonic()
                await asyncio.sleep(0.01)
                stalls.append(time.monotonic() - began - 0.01)
                stall_times.append(began)

        async def user() -> None:
            while not done.is_set():
                began = time.monotonic()
                await bot.send("/help", user=SECOND)
                replies.append(time.monotonic() - began)
                await asyncio.sleep(0.2)

        tasks = [asyncio.create_task(watch_loop()), asyncio.create_task(user())]
        await asyncio.sleep(5)  # the same user and loop without the pass: the machine's own stalls
        idle_stall, idle_replies = max(stalls, default=0.0), list(replies)
        stalls.clear()
        stall_times.clear()
        replies.clear()
        began = time.monotonic()
        await retention_job(context)
        seconds = time.monotonic() - began
        done.set()
        await asyncio.gather(*tasks)
    left = bot.storage.rows("select count(*) as n from identities")[0]["n"]
    bot.storage.close()
    return {
        "due": due,
        "fill": filled,
        "seconds": seconds,
        "stall": max(stalls, default=0.0),
        "stall_at": stall_times[stalls.index(max(stalls))] - began if stalls else 0.0,
        "stalls_over_50ms": sum(1 for stall in stalls if stall > 0.05),
        "ticks": len(stalls),
        "replies": replies,
        "left": left,
        "idle_stall": idle_stall,
        "idle_replies": idle_replies,
    }


def retention(args: argparse.Namespace) -> int:
    for due in args.sizes:
        figures = asyncio.run(retention_run(due))
        per = figures["seconds"] / due * 10_000
        print(
            f"retention of {due:,} due, {load()}: {figures['seconds']:.1f} s ({per:.2f} s per 10,000), "
            f"longest loop stall {figures['stall'] * 1000:.0f} ms ({figures['stall_at']:.1f} s in; "
            f"{figures['stalls_over_50ms']} of {figures['ticks']} ticks over 50 ms), a user's /help: {summary(figures['replies'])}; "
            f"identities left {figures['left']} (the active user's)\n"
            f"  the 5 s before, without the pass: longest stall {figures['idle_stall'] * 1000:.0f} ms, "
            f"/help {summary(figures['idle_replies'])}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("flood")
    one.add_argument("--messages", type=int, default=1000)
    one.add_argument("--samples", type=int, default=30, help="/help replies timed per phase")
    one.add_argument("--rounds", type=int, default=3, help="8 s windows with and without the 429, each")
    four = sub.add_parser("throttle")
    four.add_argument("--samples", type=int, default=30, help="/help replies timed per 8 s window")
    four.add_argument("--rounds", type=int, default=3, help="8 s windows with and without the 429, each")
    two = sub.add_parser("webhook")
    two.add_argument("--connections", type=int, default=2000)
    two.add_argument("--file-limit", type=int, default=1024)
    two.add_argument("--seconds", type=float, default=20.0)
    three = sub.add_parser("retention")
    three.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    args = parser.parse_args(argv)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "flood": flood,
        "throttle": throttle,
        "webhook": webhook,
        "retention": retention,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
