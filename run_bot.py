"""KMU Digital-Berater: the one entry point.

python run_bot.py            Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal advisor
python run_bot.py console    the advisor in the terminal (--lang de|en, --json, --new/--resume)
python run_bot.py telegram   the Telegram bot (polling, or webhook when WEBHOOK_URL is set)
python run_bot.py export     the anonymous export for admins (--format csv|json|xlsx --output FILE)
python run_bot.py retention  apply the retention rules now (--dry-run: only count what is due)
python run_bot.py diagram    the dialogue's state diagram in Mermaid (kept in dialogs/dialogue.mmd)
python run_bot.py check      check a deployment: configuration, database, chart and PDF, getMe (--offline: without)
python run_bot.py health     is the running bot alive? (its heartbeat; the container's health check)

Settings come from the environment; a .env file in the working directory fills in what is not set.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.storage import Storage


def _default_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value.lower().startswith("en"):
            return "en"
        if value.lower().startswith("de"):
            return "de"
    return "de"


def _console_options(suppress: bool) -> argparse.ArgumentParser:
    """The terminal options, accepted both before and after the ``console`` command."""
    default = argparse.SUPPRESS if suppress else None
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--lang", choices=("de", "en"), default=default, help="language (default: from LANG, else de)"
    )
    options.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print the result as JSON on the last line",
    )
    options.add_argument(
        "--pdf", metavar="FILE", default=default, help="write the result as a PDF report to FILE at the end"
    )
    options.add_argument(
        "--declaration",
        metavar="FILE",
        default=default,
        help="write the SME declaration worksheet (PDF) to FILE at the end",
    )
    resume = options.add_mutually_exclusive_group()
    resume.add_argument(
        "--resume", dest="resume", action="store_true", default=default, help="continue a saved session"
    )
    resume.add_argument(
        "--new", dest="resume", action="store_false", default=default, help="start a new session"
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_bot.py", description="KMU Digital-Berater", parents=[_console_options(suppress=False)]
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser(
        "console", help="run the advisor in the terminal", parents=[_console_options(suppress=True)]
    )
    sub.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    sub.add_parser("diagram", help="print the dialogue's state diagram (Mermaid), generated from the machine")
    check = sub.add_parser("check", help="check the configuration, the database and the token (getMe)")
    check.add_argument(
        "--offline", action="store_true", help="skip the calls to Telegram (getMe, getWebhookInfo)"
    )
    sub.add_parser("health", help="exit 0 when the running bot's heartbeat is fresh, else 1")
    export = sub.add_parser("export", help="write the anonymous export of consenting respondents")
    export.add_argument(
        "--format", choices=("csv", "json", "xlsx"), default="csv", help="file format (default: csv)"
    )
    export.add_argument("--output", required=True, help="file to write")
    export.add_argument(
        "--since", type=_month, default=None, help="only results from this month on (YYYY-MM)"
    )
    export.add_argument(
        "--k", type=int, default=5, help="suppress combinations held by fewer than k respondents"
    )
    export.add_argument(
        "--follow-through",
        action="store_true",
        help="write the follow-through figures (opt-ins, steps done, re-tests, reported figures) instead",
    )
    export.add_argument(
        "--lang", choices=("de", "en"), default=None, help="cells as labels in this language (default: codes)"
    )
    export.add_argument(
        "--dialect",
        choices=("excel", "excel-de"),
        default="excel",
        help="CSV: excel (commas) or excel-de (semicolons, UTF-8 BOM, decimal commas) for a German Excel",
    )
    retention = sub.add_parser(
        "retention", help="remove what the retention rules say is due (the bot also does it daily)"
    )
    retention.add_argument("--dry-run", action="store_true", help="only count what is due; change nothing")
    return parser


def _month(text: str) -> str:
    from bot.export import parse_month

    try:
        return parse_month(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot.environment import load_environment

    load_environment()
    if args.command == "diagram":  # python run_bot.py diagram > dialogs/dialogue.mmd
        from dialogs.machine import mermaid_diagram

        print(mermaid_diagram())
        return 0
    if args.command == "check":
        from bot.healthcheck import run_checks

        return run_checks(offline=args.offline)
    if args.command == "health":
        return _health()
    # The bot's start imports and builds objects that live as long as the process; meanwhile the cyclic
    # collector would walk them again and again (a quarter of the start's CPU beyond the bare library's). It
    # is off until the application is built, then they are frozen out of its walks (``run_telegram``).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _configured(args)
    finally:
        if collecting:
            gc.enable()


def _configured(args: argparse.Namespace) -> int:
    """The commands that read the configuration: the bot itself, the terminal advisor, export, retention."""
    from bot.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    command = args.command or ("telegram" if config.token else "console")
    if command != "telegram":
        gc.enable()
    if command == "console":
        from bot.console import run_console

        storage = _open_storage(config.database_path)
        if storage is None:
            return 2
        return run_console(
            storage,
            language=args.lang or _default_language(),
            json_output=args.json,
            resume=args.resume,
            pdf_path=args.pdf,
            declaration_path=getattr(args, "declaration", None),
        )
    if command == "export":
        return _export(config.database_path, args)
    if command == "retention":
        return _retention(config.database_path, config.retention_months, dry_run=args.dry_run)
    if not config.token:
        print("Configuration error: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    from bot.logs import configure_logging

    configure_logging(
        config.log_level, config.log_format
    )  # libraries that log tokens or payloads stay capped
    from bot.telegram.app import run_telegram

    storage = _open_storage(config.database_path)
    if storage is None:
        return 2
    return run_telegram(config, storage)


def _health() -> int:
    """One line on whether the running bot's heartbeat is fresh; exit 0 when it is."""
    from bot.config import ConfigError, load_config
    from bot.heartbeat import health

    try:
        config = load_config()
    except ConfigError as error:
        print(f"unhealthy: configuration error: {error}")
        return 1
    alive, line = health(config.database_path)
    print(("healthy: " if alive else "unhealthy: ") + line)
    return 0 if alive else 1


def _open_storage(database_path: str, *, read_only: bool = False) -> Storage | None:
    """The database, or None after one line on stderr saying why it cannot be used."""
    import sqlite3

    from bot.storage import SchemaError, Storage

    try:
        storage = Storage(database_path, read_only=read_only)
        if not read_only:
            storage.sessions.forget_processed_updates()  # also proves that the database takes writes
    except SchemaError as error:
        print(f"Cannot use the database {database_path!r}: {error}", file=sys.stderr)
        return None
    except (sqlite3.Error, OSError) as error:
        print(f"Cannot open the database {database_path!r}: {_reason(error)}", file=sys.stderr)
        return None
    return storage


def _reason(error: BaseException) -> str:
    """An error as one line: its message without the traceback."""
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _export(database_path: str, args: argparse.Namespace) -> int:
    """Write the anonymous export from the shell."""
    import sqlite3

    from bot.export_file import export_to_file

    if args.k < 2:
        print("--k must be at least 2: with k = 1 nothing would be suppressed", file=sys.stderr)
        return 2
    if not os.path.exists(database_path):
        print(f"No database at {database_path!r} (set DATABASE_PATH)", file=sys.stderr)
        return 2
    if os.path.isdir(args.output):
        print(f"Cannot write the export to {args.output!r}: it is a directory", file=sys.stderr)
        return 2
    storage = _open_storage(database_path, read_only=True)
    if storage is None:
        return 2
    try:
        if args.follow_through:
            from bot.followthrough_export import follow_through_to_file

            return follow_through_to_file(storage, args.output, fmt=args.format, k=args.k)
        return export_to_file(
            storage,
            args.output,
            fmt=args.format,
            k=args.k,
            since=args.since,
            language=args.lang,
            dialect=args.dialect,
        )
    except OSError as error:
        print(f"Cannot write the export to {args.output!r}: {_reason(error)}", file=sys.stderr)
        return 2
    except sqlite3.Error as error:
        print(f"Cannot read the database {database_path!r}: {_reason(error)}", file=sys.stderr)
        return 2
    finally:
        storage.close()


def _retention(database_path: str, months: int, *, dry_run: bool) -> int:
    """Apply (or count) the retention rules from the shell; prints counts, never an id."""
    from bot.retention_run import retention_command

    return retention_command(database_path, months, dry_run=dry_run)


if __name__ == "__main__":
    sys.exit(main())
