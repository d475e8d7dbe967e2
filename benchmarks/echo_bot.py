"""The baseline of the HTTP and cold-start benchmarks: a bare python-telegram-bot echo bot that polls.

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot python benchmarks/echo_bot.py
    … python benchmarks/echo_bot.py --rate-limiter      # with the AIORateLimiter our bot uses

It replies to every text with the text and to every button with ``answer`` plus the button's data, on
python-telegram-bot's defaults (see ``benchmarks.common.build_echo_application``). Nothing of the bot itself
is imported, so its cold start is python-telegram-bot's own.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update

from benchmarks.common import build_echo_application


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bare PTB echo bot (benchmark baseline)")
    parser.add_argument("--rate-limiter", action="store_true", help="pace sends with AIORateLimiter, as ours")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.WARNING)
    application = build_echo_application(
        os.environ["TELEGRAM_BOT_TOKEN"],
        base_url=os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        rate_limiter=args.rate_limiter,
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
