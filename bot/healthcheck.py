"""``python run_bot.py check``: is this deployment ready to run? One line per check, for operators.

Checks the configuration, the database (schema version, integrity, WAL), what users will get (a chart and a
small PDF report drawn here, in this environment: matplotlib needs a writable cache, fpdf2 the fonts) and,
unless offline, the token with getMe and, with a webhook, Telegram's view of it (getWebhookInfo). The database
is only read: a database that does not exist yet is fine when its folder is writable, since the bot creates it
at start. Nothing printed contains the token.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from dialogs.screens import Result


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # passes, but the operator should act

    def line(self) -> str:
        mark = "warn" if self.ok and self.warning else "ok  " if self.ok else "FAIL"
        return f"{mark}  {self.name}: {self.detail}"


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


def check_privacy_contact(config: Config) -> Check:
    """A warning (not a failure) while /privacy cannot name the controller."""
    if config.privacy_contact:
        return Check("privacy", True, "PRIVACY_CONTACT set; /privacy names the controller")
    return Check(
        "privacy",
        True,
        "PRIVACY_CONTACT is not set: /privacy cannot name the controller (GDPR Art. 13(1)(a)); set it before going live",
        warning=True,
    )


def check_rendering() -> Check:
    """Draw a chart and build a small PDF report as the bot would, here; FAIL with the reason if either fails."""
    import time
    from datetime import date

    from bot.chart import draw_split_chart
    from bot.i18n import Translator
    from bot.report import build_report

    started = time.perf_counter()
    try:
        result = _sample_result()
        profile = result.profile
        shares = (profile.online_share, profile.social_share, profile.controlling_share)
        chart = draw_split_chart(shares, Translator("de").language)  # the chat's chart, drawn here uncached
        pdf = build_report(result, Translator("de").language, date.today())
    except Exception as error:  # any failure here is exactly what a user would meet as "report failed"
        reason = " ".join(str(error).split()) or type(error).__name__
        return Check("chart and PDF", False, f"{type(error).__name__}: {reason}")
    if not chart.startswith(b"\x89PNG") or not pdf.startswith(b"%PDF"):
        return Check("chart and PDF", False, "the chart or the report came out empty")
    elapsed = time.perf_counter() - started
    return Check(
        "chart and PDF",
        True,
        f"chart {len(chart) // 1024} KB and report {len(pdf) // 1024} KB built in {elapsed:.1f} s",
    )


def _sample_result() -> Result:
    """A small firm selling to businesses: its report has every section, the charts included."""
    from decimal import Decimal

    from dialogs.advice import build_advice
    from dialogs.classification import classify_sme
    from dialogs.group import Group
    from dialogs.profile import CompanyProfile
    from dialogs.screens import Result

    profile = CompanyProfile(
        staff=Decimal(12),
        turnover=Decimal(1_500_000),
        balance_sheet=None,
        group=Group(),
        website="outdated",
        social_presence="occasional",
        online_share=Decimal(15),
        social_share=Decimal(3),
        controlling_share=Decimal(1),
        results_check="partly",
        referral="occasional",
        customers="business",
    )
    classification = classify_sme(profile.staff, profile.turnover, profile.balance_sheet, group=profile.group)
    return Result(profile, classification, build_advice(profile, classification))


async def _webhook_info(config: Config) -> str:
    from telegram import Bot

    assert config.token is not None
    bot = Bot(config.token, base_url=config.api_base_url, base_file_url=config.api_file_url)
    info = await bot.get_webhook_info(read_timeout=10, connect_timeout=10)
    if info.url == config.webhook_url:
        registered = "registered at the configured URL"
    elif not info.url:
        registered = "not registered yet (the bot registers it at start)"
    else:
        registered = f"registered at another URL ({info.url})"
    last = ""
    if info.last_error_message:
        when = info.last_error_date.isoformat(timespec="minutes") if info.last_error_date else "?"
        last = f"; last error {when}: {info.last_error_message}"
    return f"{registered}, {info.pending_update_count} pending update(s){last}"


def check_webhook(config: Config) -> Check:
    """Telegram's view of the webhook: where it posts, how many updates wait, the last delivery error."""
    from telegram.error import TelegramError

    try:
        detail = asyncio.run(_webhook_info(config))
    except TelegramError as error:
        return Check("webhook", False, f"getWebhookInfo failed: {type(error).__name__}")
    ok = not detail.startswith("registered at another URL")
    return Check("webhook", ok, detail, warning=ok and ("last error" in detail or "not registered" in detail))


def run_checks(
    *, offline: bool, env: Mapping[str, str] | None = None, print_line: Callable[[str], None] = print
) -> int:
    """Run every check, print one line each; 0 when all pass, 1 otherwise."""
    config_check, config = check_config(env, needs_token=not offline)
    checks = [config_check]
    print_line(config_check.line())
    if config is not None:
        for result in (
            check_database(config.database_path),
            check_rendering(),
            check_privacy_contact(config),
        ):
            checks.append(result)
            print_line(result.line())
    if offline:
        print_line("skip  telegram: --offline")
    elif config is not None and config.token:
        telegram_check = check_telegram(config)
        checks.append(telegram_check)
        print_line(telegram_check.line())
        if telegram_check.ok and config.uses_webhook:
            webhook_check = check_webhook(config)
            checks.append(webhook_check)
            print_line(webhook_check.line())
    return 0 if all(check.ok for check in checks) else 1
