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
)


@dataclass(frozen=True)
class Start:
    loaded: set[str]  # the modules imported to start
    later: str  # what importing numpy after the start, and using it, printed


@pytest.fixture(scope="module")
def start() -> Start:
    """One process: the start's imports, the modules they loaded, then numpy imported and used after them."""
    code = (
        f"import json, sys; {STARTUP}; print(json.dumps(sorted(sys.modules)), flush=True)\n"
        "try:\n    import numpy, sqlite_utils; print(numpy.zeros(2).sum())\n"
        "except Exception as error:\n    print(repr(error))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    modules, later = done.stdout.splitlines()
    return Start(set(json.loads(modules)), later.strip())


@pytest.mark.parametrize("package", NOT_AT_START)
def test_the_start_leaves_out(start: Start, package: str) -> None:
    assert not {name for name in start.loaded if name == package or name.startswith(package + ".")}


def test_the_storage_library_still_loads(start: Start) -> None:
    assert {"sqlite_utils", "telegram.ext", "bot.telegram.handlers.report"} <= start.loaded


def test_numpy_loads_later_all_the_same(start: Start) -> None:
    assert start.later == "0.0"
