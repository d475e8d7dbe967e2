"""Cost as stored data grow: the result step, the peer-benchmark refresh and /stats at 1 k, 100 k and 1 M results.

    python -m benchmarks.scaling                          # 1,000 and 100,000 stored results
    python -m benchmarks.scaling --sizes 1000,100000,1000000

Each size is a database of that many respondents, each with one result (90 % consenting, twelve months, mixed
typed figures and bands), a session (80 % finished, the rest stopped at some question) and, for a third, a
share code with a few arrivals. It is built once into a cache under the temporary directory
(``kmu-scaling/<size>.db``; the 1 M one takes a few minutes) and copied for every run, so the bot's writes never
reach the cache. A cache built before a new migration is upgraded once and written back.

Per size, in one process, with the real ``Application`` on the tests' in-process Bot API (rate limiter off):

- **result step**: warm-up users finish first (charts, catalogs and the peer benchmark are loaded), then
  ``--users`` users answer every question and confirm the summary; CPU and wall time of each confirmation
  (``process_update``), medians.
- **peer-benchmark refresh**: what a result pays when the benchmark's cache has expired, now (a fresh
  ``PeerBenchmark``) beside the median scan the bot used before (``Storage.consented_share_medians``).
- **/stats**: an admin's ``/stats`` update through the real handler (text, then the chart drawn on a thread),
  and the longest stall of the event loop meanwhile (a 5 ms heartbeat task); the reads alone
  (``collect_statistics``, on the loop) beside the reads /stats made before (the storage scans).
- **correctness**: the figures now read equal those of the scans.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import Application

from benchmarks.common import (
    QUESTIONS_SCRIPT,
    RESULT_STEP,
    TOKEN,
    Heartbeat,
    QuietRequest,
    UpdatePayloads,
    markdown_table,
    without_rate_limiter,
)
from benchmarks.export import _answers
from bot.analytics import peers
from bot.analytics import statistics as bot_statistics
from bot.config import load_config
from bot.storage import Storage
from bot.telegram.app import build_application

CACHE = Path(tempfile.gettempdir()) / "kmu-scaling"
ADMIN_ID = 4242
CATEGORIES = ("micro", "small", "medium", "small_midcap", "large")
UNFINISHED_STATES = ("consent", "staff", "turnover", "balance_sheet", "website", "online_share", "summary")
T = TypeVar("T")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


# --- the stored data --------------------------------------------------------------------------------


def build(path: Path, size: int, seed: int = 12) -> None:
    """A database of ``size`` respondents with one result each, written in bulk through plain SQL."""
    Storage(path).close()  # the schema, every migration applied
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("begin")
    batch = 20_000
    for start in range(0, size, batch):
        respondents, sessions, results, referrals = [], [], [], []
        for index in range(start, min(start + batch, size)):
            rid = f"{rng.getrandbits(128):032x}"
            month = f"2025-{index % 12 + 1:02d}"
            created = f"{month}-{index % 28 + 1:02d}T10:00:00+00:00"
            code = f"c{index:09d}" if index % 3 == 0 else None
            respondents.append(
                (rid, created, "de" if rng.random() < 0.8 else "en", int(rng.random() < 0.9), code)
            )
            answers = json.dumps(_answers(rng), sort_keys=True)
            finished = rng.random() < 0.8
            state = "result" if finished else rng.choice(UNFINISHED_STATES)
            sessions.append((rid, state, answers, "de", created, created, created if finished else None))
            results.append((rid, created, rng.choice(CATEGORIES), rng.randint(0, 100), answers, "[]"))
            if code is not None:
                referrals.append((code, rng.choice((0, 0, 1, 2))))
        conn.executemany(
            "insert into respondents (id, created_at, language, consent, referral_code) values (?, ?, ?, ?, ?)",
            respondents,
        )
        conn.executemany(
            "insert into sessions (respondent_id, state, answers, language, started_at, updated_at, finished_at)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            sessions,
        )
        conn.executemany(
            "insert into results (respondent_id, created_at, category, score, answers, step_ids)"
            " values (?, ?, ?, ?, ?, ?)",
            results,
        )
        conn.executemany("insert into referrals (code, arrivals) values (?, ?)", referrals)
    conn.execute("commit")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def prepared(size: int, workdir: Path) -> tuple[Path, str]:
    """A private copy of the cached database of ``size`` (built or upgraded first when needed)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"{size}.db"
    notes = []
    if not cached.exists():
        started = time.perf_counter()
        partial = cached.with_suffix(".partial")
        for leftover in CACHE.glob(f"{size}.partial*"):
            leftover.unlink()
        build(partial, size)
        partial.rename(cached)
        notes.append(f"built in {time.perf_counter() - started:.0f} s")
    work = workdir / f"{size}.db"
    shutil.copyfile(cached, work)
    started = time.perf_counter()
    Storage(work).close()  # applies migrations newer than the cache
    upgraded = time.perf_counter() - started
    if upgraded > 1.0:
        checkpoint(work)
        shutil.copyfile(work, cached)
        notes.append(f"cache upgraded to the newest migrations in {upgraded:.0f} s")
    return work, "; ".join(notes)


def checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# --- measuring ----------------------------------------------------------------------------------------


def timed(function: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median wall seconds of ``repeat`` calls, and the last call's value."""
    seconds: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), value


@dataclass(frozen=True)
class Finished:
    """Medians of a round of questionnaires: CPU per question and per result update, the result's wall time,
    and the longest stall of the event loop during the results."""

    question_cpu: float
    result_cpu: float
    result_wall: float
    result_stall: float


@dataclass
class Figures:
    size: int
    now: Finished
    before: Finished
    refresh_before: float
    refresh_now: float
    stats_reads_before: float
    stats_reads_now: float
    stats_stall: float
    stats_wall: float
    equal: bool
    notes: str


def scan_statistics(storage: Storage) -> tuple[Any, ...]:
    """The reads /stats made before: scans of results, sessions and respondents."""
    return (
        storage.stats.respondent_count(),
        storage.stats.session_funnel(),
        storage.stats.consented_category_counts(),
        storage.stats.consented_share_medians(),
        storage.respondents.referral_arrivals(),
    )


def read_statistics(storage: Storage) -> tuple[Any, ...]:
    stats = bot_statistics.collect_statistics(storage)
    funnel = (stats.started, stats.finished, list(stats.unfinished_by_state))
    return (stats.respondents, funnel, list(stats.categories), stats.medians, stats.referral_arrivals)


async def measure_size(size: int, users: int, workdir: Path) -> Figures:
    database, notes = prepared(size, workdir)
    storage = Storage(database)
    repeat = 1 if size >= 1_000_000 else 3
    try:
        refresh_before, _ = timed(lambda: storage.stats.consented_share_medians(["online_share"]), repeat)
        refresh_now, _ = timed(lambda: peers.PeerBenchmark(storage, ttl=0).online_share("small"), repeat)
        stats_reads_before, before = timed(lambda: scan_statistics(storage), repeat)
        stats_reads_now, now = timed(lambda: read_statistics(storage), 3)
        equal = now == before

        config = load_config(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(database), "ADMIN_IDS": str(ADMIN_ID)}
        )
        request = QuietRequest()
        application: AnyApplication = build_application(
            config, storage, request=request, updates_request=QuietRequest()
        )
        without_rate_limiter(application)
        payloads = UpdatePayloads()
        heartbeat = Heartbeat()

        def update(payload: dict[str, Any]) -> Update:
            return Update.de_json(payload, application.bot)

        async with application:
            base = 10_000_000
            # Warm-up: imports, catalogs, the chart cache and the peer benchmark's first read.
            for user in range(base, base + 2):
                for step in (*QUESTIONS_SCRIPT, RESULT_STEP):
                    await application.process_update(update(payloads.step(user, step)))
            await application.process_update(update(payloads.message(ADMIN_ID, "/stats")))

            async def finish(user_ids: range) -> Finished:
                """Every question, then the confirmation, for each user; CPU of each update, stalls."""
                question_cpu: list[float] = []
                for step in QUESTIONS_SCRIPT:
                    for user in user_ids:
                        item = update(payloads.step(user, step))
                        cpu = time.process_time()
                        await application.process_update(item)
                        question_cpu.append(time.process_time() - cpu)
                result_cpu: list[float] = []
                result_wall: list[float] = []
                with heartbeat:
                    for user in user_ids:
                        item = update(payloads.step(user, RESULT_STEP))
                        cpu, wall = time.process_time(), time.perf_counter()
                        await application.process_update(item)
                        result_wall.append(time.perf_counter() - wall)
                        result_cpu.append(time.process_time() - cpu)
                        await asyncio.sleep(heartbeat.interval * 2)
                finished = sum(1 for user in user_ids if state_of(storage, user) == "result")
                if finished != len(user_ids):
                    raise RuntimeError(f"only {finished} of {len(user_ids)} users reached the result")
                return Finished(
                    statistics.median(question_cpu),
                    statistics.median(result_cpu),
                    statistics.median(result_wall),
                    heartbeat.longest,
                )

            now_counted = await finish(range(base + 10, base + 10 + users))
            with heartbeat:
                wall = time.perf_counter()
                await application.process_update(update(payloads.message(ADMIN_ID, "/stats")))
                stats_wall = time.perf_counter() - wall
                await asyncio.sleep(heartbeat.interval * 2)
            stats_stall = heartbeat.longest
            sent = [c for c in request.calls if c[0] == "sendPhoto"]
            if not sent:
                raise RuntimeError("/stats sent no chart")
            # The same steps without the triggers that keep the counts: what a result cost before.
            for (trigger,) in storage.db.execute(
                "select name from sqlite_master where type = 'trigger'"
            ).fetchall():
                storage.db.execute(f"drop trigger {trigger}")
            before_counts = await finish(range(base + 10 + users, base + 10 + 2 * users))
    finally:
        storage.close()
    return Figures(
        size=size,
        now=now_counted,
        before=before_counts,
        refresh_before=refresh_before,
        refresh_now=refresh_now,
        stats_reads_before=stats_reads_before,
        stats_reads_now=stats_reads_now,
        stats_stall=stats_stall,
        stats_wall=stats_wall,
        equal=equal,
        notes=notes,
    )


def state_of(storage: Storage, user: int) -> str | None:
    respondent = storage.respondents.find_respondent("telegram", user)
    session = storage.sessions.load_session(respondent) if respondent else None
    return None if session is None else str(session["state"])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(figures: Sequence[Figures]) -> str:
    base = figures[0]
    steps = [
        [
            f"{f.size:,}",
            ms(f.now.result_cpu),
            f"{f.now.result_cpu / base.now.result_cpu:.2f}x",
            ms(f.before.result_cpu),
            f"{f.before.result_cpu / base.before.result_cpu:.2f}x",
            ms(f.now.result_wall),
            ms(f.now.result_stall),
            ms(f.now.question_cpu),
            ms(f.before.question_cpu),
        ]
        for f in figures
    ]
    reads = [
        [
            f"{f.size:,}",
            ms(f.refresh_now),
            ms(f.refresh_before),
            ms(f.stats_reads_now),
            ms(f.stats_reads_before),
            ms(f.stats_stall),
            ms(f.stats_wall),
            "yes" if f.equal else "NO",
        ]
        for f in figures
    ]
    first = markdown_table(
        [
            "stored results",
            "result step CPU",
            f"× at {base.size:,}",
            "before: no count triggers",
            f"× at {base.size:,}",
            "result step wall",
            "longest loop stall during results",
            "question CPU",
            "before: no count triggers",
        ],
        steps,
    )
    second = markdown_table(
        [
            "stored results",
            "peer refresh",
            "before: median scan",
            "/stats reads",
            "before: scans",
            "/stats longest loop stall (text and chart)",
            "/stats update wall",
            "same figures as the scans",
        ],
        reads,
    )
    return f"{first}\n\n{second}"


async def run(sizes: Sequence[int], users: int) -> str:
    figures = []
    with tempfile.TemporaryDirectory(prefix="kmu-scaling-") as tmp:
        for size in sizes:
            started = time.perf_counter()
            found = await measure_size(size, users, Path(tmp))
            for stale in Path(tmp).glob(f"{size}.db*"):
                stale.unlink()
            figures.append(found)
            extra = f" ({found.notes})" if found.notes else ""
            print(f"# {size:,} stored: {time.perf_counter() - started:.0f} s{extra}", file=sys.stderr)
    return report(figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,100000", help="stored results, comma-separated")
    parser.add_argument("--users", type=int, default=30, help="users finishing per size (default: 30)")
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    print(asyncio.run(run(sizes, args.users)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
