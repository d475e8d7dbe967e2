"""Broadcast to many chats through ``run_bot.py`` against the Bot API fake enforcing Telegram's limits.

Reports the achieved send rate as a share of the allowed rate (30/s × time scale), the 429 answers provoked,
and — in a second run SIGKILLed half-way and restarted — duplicates and missing messages.

    python benchmarks/broadcast.py                       # 10,000 chats, limits scaled 10x
    python benchmarks/broadcast.py --chats 2000 --time-scale 1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.broadcast_run import BroadcastOutcome, run_broadcast


def report(label: str, outcome: BroadcastOutcome) -> None:
    share = outcome.rate / outcome.allowed_rate
    print(
        f"{label:<22} {outcome.chats:>7,} chats  {outcome.seconds:7.1f} s  "
        f"{outcome.rate:7.1f}/s of {outcome.allowed_rate:.0f}/s allowed = {share:6.1%}  "
        f"429s: {outcome.violations}  duplicates: {outcome.duplicates}  missing: {outcome.missing}  "
        f"uncertain: {outcome.uncertain}"
    )
    for method, chat, description in outcome.refused:
        print(f"    429: {method} to {chat}: {description}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument(
        "--time-scale", type=float, default=10.0, help="the fake's limits × this, pacing alike"
    )
    parser.add_argument("--skip-kill", action="store_true", help="only the normal run")
    args = parser.parse_args()
    timeout = args.chats / (25 * args.time_scale) + 120
    with tempfile.TemporaryDirectory() as workdir:
        normal = run_broadcast(
            Path(workdir), chats=args.chats, time_scale=args.time_scale, kill_after=None, timeout=timeout
        )
    report("normal run", normal)
    failed = normal.rate < 0.97 * normal.allowed_rate or normal.violations > 0 or normal.duplicates > 0
    if not args.skip_kill:
        with tempfile.TemporaryDirectory() as workdir:
            killed = run_broadcast(
                Path(workdir),
                chats=args.chats,
                time_scale=args.time_scale,
                kill_after=args.chats // 2,
                timeout=timeout,
            )
        report("SIGKILL half-way", killed)
        failed = failed or killed.violations > 0 or killed.duplicates > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
