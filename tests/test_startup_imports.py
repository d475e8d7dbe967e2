"""What the Telegram bot imports to start: only what its first update needs. Charts, PDF reports, exports,
numpy, the result's statistics and follow-through, and sqlite-utils on a current database are imported when
first used, so a restart reaches its first poll sooner; the collector is off while the bot builds itself."""

from __future__ import annotations

import gc
import json
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What ``run_bot.py telegram`` does before it polls, on a database an earlier start brought up to date: its
# imports, the database opened (schema checked, a write), the application built with every handler.
STARTUP = """
import json, sys
import bot.config, bot.logs, bot.storage, bot.telegram.app
storage = bot.storage.Storage(sys.argv[1])
storage.sessions.forget_processed_updates()
config = bot.config.load_config({"TELEGRAM_BOT_TOKEN": "123456:TEST-token-for-offline-tests-only", "DATABASE_PATH": sys.argv[1]})
app = bot.telegram.app.build_application(config, storage)
print(json.dumps(sorted(sys.modules)), flush=True)
"""
NOT_AT_START = (
    "numpy",
    "pandas",
    "matplotlib",
    "fpdf",
    "babel.messages",
    "bot.report",
    "bot.export",
    "bot.xlsx",
    "bot.analytics.chart",
    "dateutil.parser",  # sqlite-utils' command line parses dates with it
    "dateutil.tz",
    # sqlite-utils makes the schema (migrations, the WAL switch of a new file); a current one is only read
    "sqlite_utils",
    "pluggy",
    "bot.analytics.statistics",  # /stats and the peer line of the first result
    "dialogs.declaration",  # the statistics bands stored with a result
    "bot.followup.service",  # the follow-through after a result
    "bot.telegram.reminders",  # the first due reminder
)


@dataclass(frozen=True)
class Start:
    loaded: set[str]  # the modules imported to start
    later: list[str]  # what each check after the start printed (see ``LATER``)


# Run after the start, in the same process, each on its own: libraries the start leaves out still work.
LATER = (
    "import numpy, sqlite_utils; print(numpy.zeros(2).sum())",
    "from sqlite_utils import recipes; print(recipes.parsedatetime('5th October 2019 12:04'))",
)


def _python(code: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Start:
    """One process: the start on a database an earlier process made, the modules it loaded, then ``LATER``."""
    database = str(tmp_path_factory.mktemp("start") / "bot.db")
    _python("import sys; from bot.storage import Storage; Storage(sys.argv[1]).close()", database)
    later = "".join(
        f"try:\n    {line}\nexcept Exception as error:\n    print(repr(error))\n" for line in LATER
    )
    modules, *printed = _python(STARTUP + later, database)
    return Start(set(json.loads(modules)), [line.strip() for line in printed])


@pytest.mark.parametrize("package", NOT_AT_START)
def test_the_start_leaves_out(start: Start, package: str) -> None:
    assert not {name for name in start.loaded if name == package or name.startswith(package + ".")}


def test_the_start_is_a_real_one(start: Start) -> None:
    assert {"telegram.ext", "bot.telegram.handlers.report", "bot.storage.migrations"} <= start.loaded


# A database without this version's schema: sqlite-utils is imported and brings it up to date.
NEW = """
import sys
from bot.storage import Storage
from bot.storage.db import schema_status
storage = Storage(sys.argv[1])
print("sqlite_utils" in sys.modules, schema_status(storage.connection.conn).pending, flush=True)
"""

# A database written by a newer version is refused at the start, sqlite-utils or not.
NEWER = """
import sys
from bot.storage import SchemaError, Storage
try:
    Storage(sys.argv[1])
except SchemaError as error:
    print("refused:", error)
print("sqlite_utils" in sys.modules)
"""


def test_a_new_database_gets_its_schema_through_sqlite_utils(tmp_path: Path) -> None:
    assert _python(NEW, str(tmp_path / "bot.db")) == ["True ()"]


def test_a_newer_schema_is_refused_without_sqlite_utils(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    _python("import sys; from bot.storage import Storage; Storage(sys.argv[1]).close()", str(database))
    with sqlite3.connect(database) as conn:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) values ('kmu_berater', 'm999', 'x')"
        )
    conn.close()
    refused, imported = _python(NEWER, str(database))
    assert refused.startswith("refused: the database has schema version") and "(m999)" in refused
    assert imported == "False"


def test_every_migration_is_in_the_schema() -> None:
    from bot.storage import migrations

    defined = [name for name in vars(migrations) if re.fullmatch(r"m\d{3}_\w+", name)]
    assert list(migrations.KNOWN) == defined


def test_sqlite_utils_still_parses_dates_when_asked(start: Start) -> None:
    assert start.later[1] == "2019-10-05T12:04:00"


def test_numpy_loads_later_all_the_same(start: Start) -> None:
    assert start.later[0] == "0.0"


# A whole questionnaire up to its result with the chart, in a fresh interpreter: what it leaves imported.
RESULT = """
import asyncio, json, sys, tempfile
from pathlib import Path
from typing import Any
from tests.support.harness import Harness, answer_all, consent

async def result() -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        bot = Harness(Path(folder) / "bot.db")
        async with bot.app:
            await consent(bot)
            await answer_all(bot)
            await bot.press("ok|summary")
        bot.storage.close()
    return [api for api, _ in bot.request.calls]

calls = asyncio.run(result())
print(json.dumps({"calls": calls, "modules": sorted(sys.modules)}))
"""


def test_a_result_with_its_chart_leaves_out_matplotlib_and_numpy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RESULT], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert "sendPhoto" in found["calls"]  # the chart was drawn and sent
    assert "PIL.Image" in found["modules"]
    for package in ("matplotlib", "numpy"):
        assert not {name for name in found["modules"] if name == package or name.startswith(package + ".")}


def test_the_storage_looks_for_no_sqlite_utils_plugins(tmp_path: Path) -> None:
    """Looking for plugins reads every installed package's metadata at each start; the bot runs none."""
    import sqlite3

    import sqlite_utils
    from sqlite_utils.plugins import pm

    from bot.storage import Storage

    class Planted:
        @sqlite_utils.hookimpl
        def prepare_connection(self, conn: sqlite3.Connection) -> None:
            conn.create_function("planted", 0, lambda: 1)

    pm.register(Planted(), name="planted")
    try:
        storage = Storage(tmp_path / "bot.db")
        with pytest.raises(sqlite3.OperationalError, match="no such function"):
            storage.db.execute("select planted()")
        storage.close()
    finally:
        pm.unregister(name="planted")


def test_the_collector_is_off_for_the_start_and_on_for_the_running_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start runs without the cyclic collector; the polling bot has it back, the start's objects frozen."""
    from telegram.ext import Application

    import run_bot
    from bot import logs
    from bot.config import Config
    from bot.telegram import app
    from tests.support.telegram_fakes import TOKEN

    seen: dict[str, object] = {}

    async def reachable(config: Config) -> str:
        seen["start"] = gc.isenabled()
        return "@KmuBot"

    def polling(self: Application[Any, Any, Any, Any, Any, Any], **kwargs: object) -> None:
        seen["polling"] = (gc.isenabled(), gc.get_freeze_count() > 0)

    monkeypatch.setattr(app, "reach_bot_api", reachable)
    monkeypatch.setattr(Application, "run_polling", polling)
    monkeypatch.setattr(logs, "configure_logging", lambda *args: None)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    try:
        assert run_bot.main(["telegram"]) == 0
    finally:
        gc.unfreeze()
    assert seen == {"start": False, "polling": (True, True)}
    assert gc.isenabled()


def test_a_start_that_fails_leaves_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import run_bot

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    assert run_bot.main(["telegram"]) == 2
    assert gc.isenabled()
