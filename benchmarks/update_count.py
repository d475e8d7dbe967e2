"""What one update costs in counts that do not move with the machine's load: SQL statements and Python calls.

    python -m benchmarks.update_count              # 100 users: their answers, then their results
    python -m benchmarks.update_count --users 300

CPU seconds on a shared machine move by a third from run to run (``benchmarks.throughput`` compares within a
run for that reason); these counts do not, so a change to the update path can be judged by them in seconds.
The bot is ours as ``benchmarks.throughput`` builds it (``Bot("ours")``), on the same in-process Bot API.
Statements are counted by SQLite's trace callback (a trigger's statements included, as SQLite reports them);
function calls by cProfile (Python and C calls, PTB's included), without the updates' parsing from JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import QUESTIONS_SCRIPT, RESULT_STEP
from benchmarks.throughput import Bot

WARM_UP = 2  # /start and the consent: the first contact, counted apart by the trace tests


async def counted(bot: Bot, users: Sequence[int], steps: Sequence[str]) -> tuple[float, float]:
    """Statements and function calls per update for ``steps`` of every user."""
    updates = [bot.update(user_id, step) for step in steps for user_id in users]
    statements: list[str] = []
    assert bot.storage is not None
    conn = bot.storage.connection.conn
    conn.set_trace_callback(statements.append)
    profile = cProfile.Profile()
    try:
        profile.enable()
        for update in updates:
            await bot.app.process_update(update)
        profile.disable()
    finally:
        conn.set_trace_callback(None)
    calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
    return len(statements) / len(updates), calls / len(updates)


async def measure(users: int) -> str:
    with tempfile.TemporaryDirectory(prefix="kmu-update-count-") as tmp:
        bot = Bot("ours", Path(tmp))
        try:
            async with bot.app:
                await counted(bot, [0], (*QUESTIONS_SCRIPT, RESULT_STEP))  # imports and caches, once
                user_ids = list(range(1, users + 1))
                await counted(bot, user_ids, QUESTIONS_SCRIPT[:WARM_UP])
                question = await counted(bot, user_ids, QUESTIONS_SCRIPT[WARM_UP:])
                result = await counted(bot, user_ids, (RESULT_STEP,))
        finally:
            bot.close()
    return "\n".join(
        [
            "| update | SQL statements (triggers' included) | Python function calls |",
            "|---|---:|---:|",
            f"| question (answer typed or pressed) | {question[0]:.1f} | {question[1]:,.0f} |",
            f"| result (summary confirmed) | {result[0]:.1f} | {result[1]:,.0f} |",
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args(argv)
    print(asyncio.run(measure(args.users)))


if __name__ == "__main__":
    main()
