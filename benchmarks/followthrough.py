"""What the follow-through figures of /stats cost as stored data grow, and that the event loop does not pay it.

    python -m benchmarks.followthrough                    # 1,000 and 100,000 stored results
    python -m benchmarks.followthrough --sizes 1000,100000,1000000

The databases of ``benchmarks.scaling`` (one result per respondent, built once into its cache), with
follow-through added to a copy: a tenth of the respondents took the check again (a second result), a fifth are
linked to a Telegram identity, a tenth decided on reminders (half of them yes), a twentieth ticked two steps off
and reported a figure. Per size: the reads (``collect_follow_through``, median of three), and the longest stall
of the event loop (a 5 ms heartbeat) while /stats reads them as it does, in a worker thread over a read-only
connection, beside reading them on the loop.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Heartbeat, markdown_table
from benchmarks.scaling import prepared
from bot.analytics.followthrough import collect_follow_through, read_follow_through
from bot.storage import Storage


def add_follow_through(path: Path, seed: int = 21) -> None:
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("begin")
    rows = conn.execute("select respondent_id, score, answers from results").fetchall()
    for index, (rid, score, answers) in enumerate(rows):
        if index % 10 == 0:
            later = max(0, min(100, score + rng.randint(-30, 10)))
            conn.execute(
                "insert into results (respondent_id, created_at, category, score, answers, step_ids)"
                " values (?, '2026-06-01T10:00:00+00:00', 'small', ?, ?, '[]')",
                [rid, later, answers],
            )
        if index % 5 == 0:
            conn.execute(
                "insert into identities (channel, channel_user_id, respondent_id, created_at)"
                " values ('telegram', ?, ?, '2026-06-01T10:00:00+00:00')",
                [str(10_000_000 + index), rid],
            )
        if index % 10 == 0:
            conn.execute(
                "insert into followups (respondent_id, offered_on, opted_in, decided_on)"
                " values (?, '2026-06-01', ?, '2026-06-01')",
                [rid, index % 20 == 0],
            )
        if index % 20 == 0:
            for step in ("local_profile", "website_refresh"):
                conn.execute(
                    "insert into plan_progress (respondent_id, step_id, done, marked_on, kpi_value, kpi_on)"
                    " values (?, ?, 1, '2026-07-01', ?, '2026-07-01')",
                    [rid, step, str(rng.randint(0, 500))],
                )
    conn.execute("commit")
    conn.close()


async def measure(size: int, workdir: Path) -> list[str]:
    path, notes = prepared(size, workdir)
    add_follow_through(path)
    storage = Storage(path)
    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        figures = collect_follow_through(storage)
        seconds.append(time.perf_counter() - started)
    with Heartbeat() as threaded:
        await asyncio.to_thread(read_follow_through, storage)
        await asyncio.sleep(0.02)
    with Heartbeat() as on_loop:
        await asyncio.sleep(0.01)
        collect_follow_through(storage)
        await asyncio.sleep(0.02)
    storage.close()
    return [
        f"{size:,}",
        f"{statistics.median(seconds) * 1000:.0f} ms",
        f"{threaded.longest * 1000:.1f} ms",
        f"{on_loop.longest * 1000:.0f} ms",
        f"{figures.respondents:,} / {figures.retests:,}",
        notes or "cached",
    ]


async def run(sizes: list[int]) -> str:
    with tempfile.TemporaryDirectory() as workdir:
        rows = [await measure(size, Path(workdir)) for size in sizes]
    header = [
        "stored results",
        "follow-through reads",
        "loop stall, read in a thread (as /stats)",
        "loop stall, read on the loop",
        "answered the offer / re-tests",
        "database",
    ]
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated numbers of stored results")
    args = parser.parse_args(argv)
    print(asyncio.run(run([int(size) for size in args.sizes.split(",")])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
