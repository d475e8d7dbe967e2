"""``python run_bot.py check``: is this deployment ready to run? One line per check, for operators.

Checks the configuration, the database (schema version, integrity, WAL) and, unless offline, the token with
getMe. The database is only read: a database that does not exist yet is fine when its folder is writable,
since the bot creates it at start. Nothing printed contains the token.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config, ConfigError, load_config


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def check_config(env: Mapping[str, str] | None = None, *, needs_token: bool) -> tuple[Check, Config | None]:
    try:
        config = load_config(env)
    except ConfigError as error:
        return Check("configuration", False, str(error)), None
    if needs_token and not config.token:
        return Check(
            "configuration", False, "TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)"
        ), config
    mode = f"webhook on port {config.webhook_port}" if config.uses_webhook else "polling"
    admins = len(config.admin_ids)
    token = "token set" if config.token else "no token (terminal only)"
    return Check(
        "configuration", True, f"{token}, {mode}, {admins} admin(s), tips in {config.timezone}"
    ), config


def check_database(path: str) -> Check:
    """Schema version against this code's migrations, ``PRAGMA integrity_check`` and WAL, read-only."""
    from bot.storage.db import inspect_database

    file = Path(path).expanduser()
    if not file.exists():
        folder = file.resolve().parent
        if folder.is_dir() and os.access(folder, os.W_OK):
            return Check("database", True, f"{path} does not exist yet; the bot creates it at start")
        return Check("database", False, f"{path} does not exist and its folder {folder} is not writable")
    try:
        health = inspect_database(file)
    except sqlite3.Error as error:
        return Check("database", False, f"cannot read {path}: {error}")
    schema = health.schema
    problems = []
    if health.integrity != ("ok",):
        problems.append("integrity_check: " + "; ".join(health.integrity[:3]))
    if health.journal_mode.lower() != "wal":
        problems.append(f"journal mode {health.journal_mode}, expected wal")
    if schema.unknown:
        problems.append(f"schema is newer than this code ({', '.join(schema.unknown)})")
    version = f"schema {len(schema.applied)}/{len(schema.known)}"
    if problems:
        return Check("database", False, f"{path}: {version}; " + "; ".join(problems))
    note = f", {len(schema.pending)} migration(s) run at the next start" if schema.pending else ""
    return Check("database", True, f"{path}: {version}{note}, integrity ok, WAL")


async def _get_me(config: Config) -> str:
    from telegram import Bot

    assert config.token is not None
    bot = Bot(config.token, base_url=config.api_base_url, base_file_url=config.api_file_url)
    me = await bot.get_me(read_timeout=10, connect_timeout=10)
    return f"@{me.username} (id {me.id})"


def check_telegram(config: Config) -> Check:
    """getMe with the configured token and Bot API URL."""
    from telegram.error import InvalidToken, TelegramError

    try:
        return Check("telegram", True, "getMe answered " + asyncio.run(_get_me(config)))
    except InvalidToken:
        return Check("telegram", False, "the Bot API refused the token (revoked or mistyped?)")
    except TelegramError as error:
        return Check("telegram", False, f"getMe failed: {type(error).__name__}: {error}")


def run_checks(
    *, offline: bool, env: Mapping[str, str] | None = None, print_line: Callable[[str], None] = print
) -> int:
    """Run every check, print one line each; 0 when all pass, 1 otherwise."""
    config_check, config = check_config(env, needs_token=not offline)
    checks = [config_check]
    print_line(config_check.line())
    if config is not None:
        database_check = check_database(config.database_path)
        checks.append(database_check)
        print_line(database_check.line())
    if offline:
        print_line("skip  telegram: --offline")
    elif config is not None and config.token:
        telegram_check = check_telegram(config)
        checks.append(telegram_check)
        print_line(telegram_check.line())
    return 0 if all(check.ok for check in checks) else 1
