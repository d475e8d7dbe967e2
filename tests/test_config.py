"""Settings come from the environment; a mistake stops the start with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config
from bot.storage import Storage
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:ABCdefGhIJKlmNoPQRstuVWxyz_0123456789"


def test_defaults_without_token() -> None:
    config = load_config({})
    assert config.token is None and not config.uses_webhook
    assert config.api_base_url == "https://api.telegram.org/bot"
    assert config.database_path == "kmu_berater.db"


def test_full_configuration() -> None:
    config = load_config(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "ADMIN_IDS": "11, 22 33",
            "WEBHOOK_URL": "https://bot.example.de/telegram/kmu",
            "WEBHOOK_SECRET": "s3cret_-",
            "WEBHOOK_PORT": "9000",
        }
    )
    assert config.admin_ids == {11, 22, 33}
    assert config.uses_webhook and config.webhook_path == "telegram/kmu" and config.webhook_port == 9000
    assert TOKEN not in repr(config)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"WEBHOOK_URL": "https://x.example/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://x.example/hook", "WEBHOOK_SECRET": "a"}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "https://x.example/hook", "WEBHOOK_SECRET": "bad secret!"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT"),
        ({"TELEGRAM_API_BASE_URL": "ftp://nope"}, "TELEGRAM_API_BASE_URL"),
        ({"TIPS_TIMEZONE": "Mars/Olympus"}, "TIPS_TIMEZONE"),
        ({"TIPS_TIMEZONE": "Europe"}, "TIPS_TIMEZONE"),
        ({"REMINDERS_TIMEZONE": "Mars/Olympus"}, "REMINDERS_TIMEZONE"),
    ],
)
def test_mistakes_name_the_setting(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        load_config(env)


def test_reminders_keep_to_their_own_time_zone_or_the_tips_one() -> None:
    assert load_config({}).reminders_timezone == "Europe/Berlin"
    assert load_config({"TIPS_TIMEZONE": "Europe/Vienna"}).reminders_timezone == "Europe/Vienna"
    both = load_config({"TIPS_TIMEZONE": "Europe/Vienna", "REMINDERS_TIMEZONE": "America/New_York"})
    assert (both.timezone, both.reminders_timezone) == ("Europe/Vienna", "America/New_York")


def test_run_bot_reports_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    # In-process: the real-process smoke of the `telegram` command refuses a webhook address below.
    process = run_cli(env={"TELEGRAM_BOT_TOKEN": "oops", "DATABASE_PATH": str(tmp_path / "x.db"), "PATH": ""})
    assert process.returncode == 2
    assert process.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in process.stderr
    assert "Traceback" not in process.stderr


def test_webhook_mode_passes_secret_listen_and_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from telegram.ext import Application

    from bot.telegram import app
    from bot.telegram.app import run_telegram
    from bot.telegram.services import App

    seen: dict[str, object] = {}

    async def serve(application: App, config: Config) -> None:
        seen.update(
            secret_token=config.webhook_secret,
            url_path=config.webhook_path,
            listen=config.webhook_listen,
            port=config.webhook_port,
            webhook_url=config.webhook_url,
        )

    async def reachable(config: Config) -> str:
        return "@KmuBot"

    monkeypatch.setattr(app, "serve_webhook", serve)
    monkeypatch.setattr(
        app, "reach_bot_api", reachable
    )  # no Bot API here: the start's getMe is someone else's test
    monkeypatch.setattr(Application, "run_polling", lambda self, **kwargs: seen.update(polling=True))
    config = load_config(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_PATH": str(tmp_path / "w.db"),
            "WEBHOOK_URL": "https://bot.example.de/telegram/kmu",
            "WEBHOOK_SECRET": "s3cret",
            "WEBHOOK_LISTEN": "0.0.0.0",
            "WEBHOOK_PORT": "8080",
        }
    )
    assert run_telegram(config, Storage(config.database_path)) == 0
    assert seen["secret_token"] == "s3cret" and seen["url_path"] == "telegram/kmu"
    assert seen["listen"] == "0.0.0.0" and seen["port"] == 8080
    assert seen["webhook_url"] == "https://bot.example.de/telegram/kmu" and "polling" not in seen
    seen.clear()
    polling = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "p.db")})
    assert run_telegram(polling, Storage(polling.database_path)) == 0
    assert seen == {"polling": True}


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"RETENTION_MONTHS": "²"}, "RETENTION_MONTHS"),
        ({"WEBHOOK_PORT": "²"}, "WEBHOOK_PORT"),
        ({"WEBHOOK_PORT": "٣٠٠٠"}, "WEBHOOK_PORT"),
        ({"TIPS_TIMEZONE": "America"}, "TIPS_TIMEZONE"),
        ({"TIPS_TIMEZONE": "../../etc/passwd"}, "TIPS_TIMEZONE"),
        ({"WEBHOOK_LISTEN": "not an address!"}, "WEBHOOK_LISTEN"),
        ({"ADMIN_IDS": "12,-5"}, "ADMIN_IDS"),
        ({"ADMIN_IDS": "0"}, "ADMIN_IDS"),
        ({"ADMIN_IDS": "1" * 40}, "ADMIN_IDS"),
        ({"TIPS_BROADCAST_TIME_SCALE": "inf"}, "TIPS_BROADCAST_TIME_SCALE"),
        ({"TIPS_BROADCAST_TIME_SCALE": "nan"}, "TIPS_BROADCAST_TIME_SCALE"),
        ({"TIPS_BROADCAST_TIME_SCALE": "1e-300"}, "TIPS_BROADCAST_TIME_SCALE"),
    ],
)
def test_settings_that_used_to_crash_or_pass_name_the_setting(env: dict[str, str], name: str) -> None:
    with pytest.raises(ConfigError, match=name) as raised:
        load_config(env)
    assert "\n" not in str(raised.value)


def test_a_missing_german_catalog_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import i18n

    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with pytest.raises(ConfigError, match="de message catalog"):
            load_config({})
    finally:
        i18n.translations.cache_clear()


def test_a_webhook_address_in_use_exits_2_before_anything_is_registered(tmp_path: Path) -> None:
    import socket

    from tests.support.botapi import BotApiFake

    with BotApiFake(TOKEN) as fake, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        env = {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_FILE_URL": fake.base_file_url,
            "DATABASE_PATH": str(tmp_path / "w.db"),
            "WEBHOOK_URL": "https://bot.example.de/hook",
            "WEBHOOK_SECRET": "s3cret",
            "WEBHOOK_PORT": str(taken.getsockname()[1]),
            "PATH": "",
        }
        process = subprocess.run(
            [sys.executable, str(ROOT / "run_bot.py"), "telegram"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        registered = [c.method for c in fake.calls() if c.method != "getMe"]
    assert process.returncode == 2, process.stderr
    assert "WEBHOOK_LISTEN/WEBHOOK_PORT" in process.stderr and "Traceback" not in process.stderr
    assert process.stderr.strip().count("\n") == 0, process.stderr
    assert registered == []
