"""What the Telegram bot imports to start: only what its first update needs. Charts, PDF reports, exports and
numpy are imported when first used, so a restart reaches its first poll sooner."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What ``run_bot.py telegram`` imports before it polls.
STARTUP = "import bot.config, bot.logs, bot.storage, bot.telegram.app"
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


@pytest.fixture(scope="module")
def start() -> Start:
    """One process: the start's imports, the modules they loaded, then each of ``LATER``."""
    later = "".join(
        f"try:\n    {line}\nexcept Exception as error:\n    print(repr(error))\n" for line in LATER
    )
    code = f"import json, sys; {STARTUP}; print(json.dumps(sorted(sys.modules)), flush=True)\n{later}"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    modules, *printed = done.stdout.splitlines()
    return Start(set(json.loads(modules)), [line.strip() for line in printed])


@pytest.mark.parametrize("package", NOT_AT_START)
def test_the_start_leaves_out(start: Start, package: str) -> None:
    assert not {name for name in start.loaded if name == package or name.startswith(package + ".")}


def test_the_storage_library_still_loads(start: Start) -> None:
    assert {"sqlite_utils", "telegram.ext", "bot.telegram.handlers.report"} <= start.loaded


def test_sqlite_utils_still_parses_dates_when_asked(start: Start) -> None:
    assert start.later[1] == "2019-10-05T12:04:00"


def test_numpy_loads_later_all_the_same(start: Start) -> None:
    assert start.later[0] == "0.0"


# A whole questionnaire up to its result with the chart, in a fresh interpreter: what it leaves imported.
RESULT = """
import asyncio, json, sys, tempfile
from pathlib import Path
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
