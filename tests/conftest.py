"""Shared test settings (hypothesis runs deterministically and without deadlines in CI) and the bot fixture."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from bot.storage import Storage
    from tests.support.harness import Harness

# The bot opts in to PTB's timedelta durations (bot/telegram/__init__.py); every test process runs the same way.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Temporary files (tmp_path, and with them the tests' databases) go to the memory-backed /dev/shm where there is
# one and TMPDIR names no other place: a new SQLite file in WAL mode waits for the disk several times (about
# 17 ms on this machine's disk-backed /tmp), and the suite creates a few hundred. No test depends on the disk:
# a killed process loses nothing either way, and none cuts the power. pytest keeps the last three runs' files
# (~150 MB), so a small /dev/shm (a container's is 64 MB by default) is left alone.
SHM = "/dev/shm"
if (
    "TMPDIR" not in os.environ
    and os.path.isdir(SHM)
    and os.access(SHM, os.W_OK)
    and shutil.disk_usage(SHM).free >= 2 * 2**30
):
    tempfile.tempdir = SHM

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True, scope="session")
def _fresh_schema_copied() -> Iterator[None]:
    """New empty databases in this process get the migrated schema by copy (tests/support/fresh_schema.py)."""
    # The bot, its storage and PTB load here, not when the conftest does: the xdist controller, which runs
    # no test, then never imports them.
    from tests.support.fresh_schema import copied_schema

    with copied_schema():
        yield


@pytest.fixture
def storage() -> Iterator[Storage]:
    """A fresh in-memory database with the whole schema (the one storage fixture of the suite)."""
    from bot.storage import Storage

    database = Storage(":memory:")
    yield database
    database.close()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot with a fresh database, started and stopped around the test."""
    from tests.support.harness import Harness

    harness = Harness(tmp_path / "bot.db")
    async with harness.app:
        yield harness


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the long end-to-end tests first, so that parallel workers fill the rest of the time with quick ones."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """Put the root logger and the libraries' loggers back after each test: a test that configures logging
    at DEBUG would otherwise leave a handler on a closed capture stream for the rest of its worker."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # The loggers themselves, not getLogger(name) for each: that takes the logging lock hundreds of times a test.
    # A name held only by a placeholder (a logger's parent never asked for) counts as a logger at NOTSET.
    levels = {
        name: logger.level if isinstance(logger, logging.Logger) else logging.NOTSET
        for name, logger in list(logging.root.manager.loggerDict.items())
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    # Only the loggers a test changed: each setLevel clears every logger's cache, so setting all of them
    # (hundreds, after the libraries load) costs quadratic time after every test of the suite.
    for name, logger in list(logging.root.manager.loggerDict.items()):
        old = levels.get(name)
        if old is not None and isinstance(logger, logging.Logger) and logger.level != old:
            logger.setLevel(old)
