"""Our bot as ``python run_bot.py telegram`` runs it, minus the AIORateLimiter: a diagnostic for the HTTP benchmark.

The deployed bot paces every send to Telegram's 30 messages per second; with many users at once that pace,
not the bot, sets the reply latency. Run without it, the same code shows what it costs by itself.
Never deploy this: Telegram answers bursts beyond its limits with 429 errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run_bot
from bot.telegram import app as telegram_app


def no_rate_limiter(**_: Any) -> None:
    """Stands in for ``AIORateLimiter(...)``: PTB's builder takes None as "no rate limiter"."""
    return None


if __name__ == "__main__":
    telegram_app.AIORateLimiter = no_rate_limiter  # type: ignore[assignment,misc]
    sys.exit(run_bot.main(["telegram"]))
