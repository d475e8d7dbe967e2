"""End to end: ``run_bot.py`` broadcasts against the Bot API fake enforcing Telegram's limits, is SIGKILLed
mid-way, restarts, and every subscriber has the message exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.broadcast_run import run_broadcast

pytestmark = pytest.mark.e2e


def test_broadcast_survives_a_kill_without_duplicates_or_429(tmp_path: Path) -> None:
    outcome = run_broadcast(tmp_path, chats=200, time_scale=2, kill_after=80, timeout=60)
    log = (tmp_path / "bot.log").read_text()
    assert "Resuming run" in log, "the bot was killed after the run had finished"
    assert outcome.duplicates == 0
    # A send cut off by the kill is never repeated and is counted as uncertain; on a local fake it had
    # always arrived, so nobody is missing either.
    assert outcome.missing <= outcome.uncertain
    assert outcome.delivered + outcome.missing == 200
    assert outcome.violations == 0
    assert outcome.reports == 1


def test_a_second_instance_on_the_same_database_sends_nothing_twice(tmp_path: Path) -> None:
    outcome = run_broadcast(
        tmp_path, chats=400, time_scale=2, kill_after=None, timeout=90, second_instance_after=40
    )
    assert "Bot @" in (tmp_path / "bot2.log").read_text(), "the second instance did not start"
    assert outcome.duplicates == 0
    assert outcome.delivered == 400 and outcome.missing == 0 and outcome.uncertain == 0
    assert outcome.reports == 1
