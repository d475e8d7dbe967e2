"""KMU Digital-Berater: the one entry point.

python run_bot.py            Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal advisor
python run_bot.py console    the advisor in the terminal (--lang de|en, --json, --new/--resume)
python run_bot.py telegram   the Telegram bot (polling, or webhook when WEBHOOK_URL is set)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def _default_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value.lower().startswith("en"):
            return "en"
        if value.lower().startswith("de"):
            return "de"
    return "de"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run_bot.py", description="KMU Digital-Berater")
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="run the advisor in the terminal")
    console.add_argument(
        "--lang", choices=("de", "en"), default=None, help="language (default: from LANG, else de)"
    )
    console.add_argument("--json", action="store_true", help="print the result as JSON on the last line")
    resume = console.add_mutually_exclusive_group()
    resume.add_argument(
        "--resume", dest="resume", action="store_true", default=None, help="continue a saved session"
    )
    resume.add_argument("--new", dest="resume", action="store_false", help="start a new session")
    sub.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    command = args.command or ("telegram" if config.token else "console")
    if command == "console":
        from bot.console import run_console
        from bot.storage import Storage

        try:
            storage = Storage(config.database_path)
        except Exception as error:
            print(f"Cannot open the database {config.database_path!r}: {error}", file=sys.stderr)
            return 2
        return run_console(
            storage,
            language=args.lang or _default_language(),
            json_output=args.json,
            resume=args.resume,
        )
    if not config.token:
        print("Configuration error: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    from bot.telegram_app import run_telegram

    return run_telegram(config)


if __name__ == "__main__":
    sys.exit(main())
