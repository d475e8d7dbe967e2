"""The health check says whether the bot is alive: a heartbeat the running bot writes, read by ``run_bot.py health``."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.heartbeat import INTERVAL, MAX_AGE, beat, health, heartbeat_path, stop
from tests.support.e2e_support import BotProcess, running_fake
from tests.support.load import scaled

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("age", "alive", "says"),
    [
        (None, False, "the bot is not running"),
        (5, True, "alive, last heartbeat 5 s ago"),
        (MAX_AGE - 1, True, "alive"),
        (MAX_AGE + 1, False, "hung or stopped"),
    ],
)
def test_health_follows_the_heartbeats_age(tmp_path: Path, age: int | None, alive: bool, says: str) -> None:
    database = str(tmp_path / "bot.db")
    now = 1_800_000_000.0
    if age is not None:
        beat(heartbeat_path(database), now=now - age)
    ok, line = health(database, now=now)
    assert ok is alive and says in line


def test_the_heartbeat_is_private_and_a_clean_stop_removes_it(tmp_path: Path) -> None:
    path = heartbeat_path(str(tmp_path / "bot.db"))
    beat(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stop(path)
    assert not path.exists()
    assert health(str(tmp_path / "bot.db"))[0] is False


def health_command(database: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "health"],
        env={**env, "DATABASE_PATH": str(database)},
        cwd=database.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.e2e
def test_the_running_bot_is_healthy_and_a_stopped_or_frozen_one_is_not(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    assert health_command(database).returncode == 1  # no bot, no token: unhealthy
    with running_fake() as fake, BotProcess(fake, database, tmp_path / "bot.log") as bot:
        polling_since = time.time()
        deadline = time.monotonic() + scaled(30)
        while not heartbeat_path(str(database)).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        # The first beat comes as the bot starts, not one interval later (a container would wait for it).
        assert float(heartbeat_path(str(database)).read_text()) - polling_since < INTERVAL / 2, bot.log_tail()
        alive = health_command(database)
        assert alive.returncode == 0, alive.stdout + bot.log_tail()
        assert alive.stdout.startswith("healthy: alive")
        assert bot.process is not None
        os.kill(bot.process.pid, signal.SIGSTOP)  # a hung bot: its event loop no longer runs
        try:
            # A stopped process writes nothing, so waiting out a beat interval (20 s) would test the kernel;
            # what the health check makes of the last beat the bot wrote, MAX_AGE later, is what matters.
            stamp = float(heartbeat_path(str(database)).read_text())
            hung, line = health(str(database), now=stamp + MAX_AGE + 1)
            assert not hung and "hung or stopped" in line, line
            assert health(str(database), now=stamp + MAX_AGE - 1)[0]
        finally:
            os.kill(bot.process.pid, signal.SIGCONT)
        bot.process.send_signal(signal.SIGTERM)
        bot.process.wait(timeout=30)
    stopped = health_command(database)
    assert stopped.returncode == 1 and "not running" in stopped.stdout


@pytest.mark.e2e
def test_a_webhook_bot_beats_and_a_clean_stop_removes_its_heartbeat(tmp_path: Path) -> None:
    import socket

    from tests.support.e2e_support import TOKEN

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = tmp_path / "bot.db"
    with running_fake() as fake:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.base_url,
            DATABASE_PATH=str(database),
            WEBHOOK_URL="https://bot.example.de/telegram/kmu",
            WEBHOOK_SECRET="s3cret",
            WEBHOOK_PORT=str(port),
        )
        with (tmp_path / "bot.log").open("wb") as log:
            bot = subprocess.Popen(
                [sys.executable, str(ROOT / "run_bot.py"), "telegram"],
                env=env,
                cwd=tmp_path,
                stdout=log,
                stderr=log,
            )
        try:
            deadline = time.monotonic() + 60
            while not heartbeat_path(str(database)).exists() and time.monotonic() < deadline:
                assert bot.poll() is None, (tmp_path / "bot.log").read_text()
                time.sleep(0.2)
            assert health_command(database).returncode == 0, (tmp_path / "bot.log").read_text()
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
    assert not heartbeat_path(str(database)).exists()
    assert health_command(database).returncode == 1
