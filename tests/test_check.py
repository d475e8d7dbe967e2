"""``python run_bot.py check``: one line per check, non-zero on failure; getMe against the local Bot API fake."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.healthcheck import run_checks
from bot.storage import Storage
from bot.storage.migrations import migration_set
from tests.support.botapi import BotApiFake
from tests.support.cli import run_cli, subprocess_run
from tests.support.rendering import render_once

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token-for-offline-tests-only"


@pytest.fixture(autouse=True)
def rendering_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chart-and-PDF check drawn once per worker and its line reused; only the tests named ``*report*`` or
    ``*chart*`` are about it (they draw their own)."""
    if "report" in request.node.name or "chart" in request.node.name:
        return
    render_once(monkeypatch)


@pytest.fixture
def fake() -> Iterator[BotApiFake]:
    with BotApiFake(TOKEN, bot_username="KmuCheckBot") as server:
        yield server


def check(env: dict[str, str], *, offline: bool) -> tuple[int, list[str]]:
    lines: list[str] = []
    status = run_checks(offline=offline, env=env, print_line=lines.append)
    return status, lines


def database(tmp_path: Path) -> str:
    path = tmp_path / "bot.db"
    Storage(path).close()
    return str(path)


def test_offline_check_of_a_sound_database(tmp_path: Path) -> None:
    status, lines = check({"DATABASE_PATH": database(tmp_path)}, offline=True)
    assert status == 0, lines
    assert [line.split()[0] for line in lines] == ["ok", "ok", "ok", "warn", "skip"]
    every = len(migration_set()._migrations)  # all of this version's migrations, applied at the bot's start
    assert (
        every >= 5
        and f"schema {every}/{every}" in lines[1]
        and "integrity ok" in lines[1]
        and "WAL" in lines[1]
    )


def test_a_database_not_created_yet_is_fine_when_its_folder_is_writable(tmp_path: Path) -> None:
    status, lines = check({"DATABASE_PATH": str(tmp_path / "new.db")}, offline=True)
    assert status == 0 and "creates it at start" in lines[1]
    assert not (tmp_path / "new.db").exists()  # the check only reads


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_a_database_folder_without_write_access_fails(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    status, lines = check({"DATABASE_PATH": str(folder / "bot.db")}, offline=True)
    assert status == 1 and lines[1].startswith("FAIL")


def test_a_corrupt_database_fails(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.write_bytes(b"this is not SQLite" * 100)
    status, lines = check({"DATABASE_PATH": str(path)}, offline=True)
    assert status == 1 and lines[1].startswith("FAIL  database")


def test_a_database_outside_wal_mode_fails(tmp_path: Path) -> None:
    path = database(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    status, lines = check({"DATABASE_PATH": path}, offline=True)
    assert status == 1 and "expected wal" in lines[1]


def test_a_database_newer_than_the_code_fails(tmp_path: Path) -> None:
    path = database(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) values"
            " ('kmu_berater', 'm999_from_the_future', '2030-01-01')"
        )
    status, lines = check({"DATABASE_PATH": path}, offline=True)
    assert status == 1 and "newer than this code" in lines[1]


def test_a_malformed_setting_fails_with_its_message(tmp_path: Path) -> None:
    status, lines = check({"DATABASE_PATH": database(tmp_path), "WEBHOOK_PORT": "99999"}, offline=True)
    assert status == 1 and lines[0].startswith("FAIL  configuration") and "WEBHOOK_PORT" in lines[0]


def test_online_check_needs_a_token(tmp_path: Path) -> None:
    status, lines = check({"DATABASE_PATH": database(tmp_path)}, offline=False)
    assert status == 1 and "TELEGRAM_BOT_TOKEN" in lines[0]


def test_get_me_against_the_bot_api(fake: BotApiFake, tmp_path: Path) -> None:
    env = {
        "DATABASE_PATH": database(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
    }
    status, lines = check(env, offline=False)
    assert status == 0, lines
    assert lines[4] == "ok    telegram: getMe answered @KmuCheckBot (id 123456)"
    assert all(TOKEN not in line and TOKEN.split(":")[1] not in line for line in lines)


def test_a_refused_token_fails(fake: BotApiFake, tmp_path: Path) -> None:
    env = {
        "DATABASE_PATH": database(tmp_path),
        "TELEGRAM_BOT_TOKEN": "123456:another-token-the-api-does-not-know",
        "TELEGRAM_API_BASE_URL": fake.base_url,
    }
    status, lines = check(env, offline=False)
    assert status == 1 and lines[4].startswith("FAIL  telegram") and "refused the token" in lines[4]


def test_an_unreachable_bot_api_fails(tmp_path: Path) -> None:
    env = {
        "DATABASE_PATH": database(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",  # the discard port: nothing listens
    }
    status, lines = check(env, offline=False)
    assert status == 1 and lines[4].startswith("FAIL  telegram: getMe failed")


def run_bot_check(*args: str, env: dict[str, str], process: bool = False) -> subprocess.CompletedProcess[str]:
    """``run_bot.py check``, in this process unless ``process`` (the command's one real-process smoke test)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_"))}
    run = subprocess_run if process else run_cli
    return run("check", *args, env={**base, **env})


def test_the_command_line_prints_one_line_per_check(fake: BotApiFake, tmp_path: Path) -> None:
    path = database(tmp_path)
    offline = run_bot_check("--offline", env={"DATABASE_PATH": path})
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert len(offline.stdout.splitlines()) == 5
    online = run_bot_check(
        env={"DATABASE_PATH": path, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url},
        process=True,  # a real process: no library logs the token on its stderr either
    )
    assert online.returncode == 0, online.stdout + online.stderr
    assert "@KmuCheckBot" in online.stdout and TOKEN not in online.stdout + online.stderr
    broken = run_bot_check("--offline", env={"DATABASE_PATH": path, "TELEGRAM_BOT_TOKEN": "not-a-token"})
    assert broken.returncode == 1 and "FAIL  configuration" in broken.stdout


def test_the_check_builds_a_chart_and_a_report_here(tmp_path: Path) -> None:
    status, lines = check(
        {"DATABASE_PATH": database(tmp_path), "PRIVACY_CONTACT": "Muster GmbH"}, offline=True
    )
    assert status == 0, lines
    assert lines[2].startswith("ok    chart and PDF: chart ") and "report" in lines[2]


def test_a_report_that_cannot_be_built_fails_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.report.layout

    def no_fonts() -> dict[str, Path]:
        raise FileNotFoundError("DejaVuSans.ttf")

    monkeypatch.setattr(bot.report.layout, "_font_files", no_fonts)
    status, lines = check({"DATABASE_PATH": database(tmp_path)}, offline=True)
    assert status == 1
    assert lines[2] == "FAIL  chart and PDF: FileNotFoundError: DejaVuSans.ttf"


def test_a_missing_privacy_contact_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    status, lines = check({"DATABASE_PATH": database(tmp_path)}, offline=True)
    assert status == 0
    assert lines[3].startswith("warn  privacy: PRIVACY_CONTACT is not set")
    _, lines = check({"DATABASE_PATH": database(tmp_path), "PRIVACY_CONTACT": "Muster GmbH"}, offline=True)
    assert lines[3].startswith("ok    privacy")


def test_webhook_mode_shows_telegrams_view_of_the_webhook(fake: BotApiFake, tmp_path: Path) -> None:
    url = "https://bot.example.de/telegram/kmu"
    env = {
        "DATABASE_PATH": database(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "WEBHOOK_URL": url,
        "WEBHOOK_SECRET": "s3cret",
        "PRIVACY_CONTACT": "Muster GmbH",
    }
    status, lines = check(env, offline=False)
    assert status == 0
    assert (
        lines[5] == "warn  webhook: not registered yet (the bot registers it at start), 0 pending update(s)"
    )
    fake.user(42).send("/start")
    import asyncio

    from telegram import Bot

    asyncio.run(Bot(TOKEN, base_url=fake.base_url).set_webhook(url, secret_token="s3cret"))
    status, lines = check(env, offline=False)
    # The fake tries to deliver the waiting update to the (unreachable) URL, as Telegram would.
    assert status == 0, lines
    assert lines[5].startswith(
        "warn  webhook: registered at the configured URL, 1 pending update(s); last error"
    )
    assert "Connection failed" in lines[5] and TOKEN not in lines[5]
    other = {**env, "WEBHOOK_URL": "https://other.example.de/kmu"}
    status, lines = check(other, offline=False)
    assert status == 1 and lines[5].startswith(
        "FAIL  webhook: registered at another URL (https://bot.example.de"
    )
