"""The entry point refuses what it cannot use with one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage.migrations import migration_set
from tests.support.cli import run_cli, subprocess_run
from tests.support.harness import add_respondent
from tests.support.telegram_fakes import TOKEN


def run_bot(database: Path, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
    """``run_bot.py *args`` on ``database``: in this process, or as a real one for a command's smoke test."""
    env = {**os.environ, "DATABASE_PATH": str(database), "TELEGRAM_BOT_TOKEN": TOKEN}
    env.pop("WEBHOOK_URL", None)
    return (subprocess_run if process else run_cli)(*args, env=env)


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def newer_database(path: Path) -> None:
    Storage(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) "
            "values ('kmu_berater', 'm099_from_the_future', '2030-01-01')"
        )


@pytest.mark.parametrize("command", [("telegram",), ("console",), ("export", "--output", "x.csv")])
def test_a_newer_schema_is_refused_naming_both_versions(tmp_path: Path, command: tuple[str, ...]) -> None:
    database = tmp_path / "bot.db"
    newer_database(database)
    # The real-process smoke of `telegram` and `export`; the console has its own (tests/test_console.py).
    line = one_line_refusal(run_bot(database, *command, process=command[0] != "console"))
    known = len(migration_set()._migrations)
    assert f"schema version {known + 1} (m099_from_the_future)" in line
    assert f"schema version {known} (" in line


@pytest.mark.parametrize("command", [("telegram",), ("console",), ("export", "--output", "x.csv")])
def test_a_file_that_is_no_database_is_refused(tmp_path: Path, command: tuple[str, ...]) -> None:
    database = tmp_path / "bot.db"
    database.write_bytes(b"this is no database " * 500)
    assert "bot.db" in one_line_refusal(run_bot(database, *command))


def test_the_export_reads_a_database_without_changing_it(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    storage = Storage(database)
    for user_id in range(6):
        add_respondent(storage, 100 + user_id)
    storage.db.execute("PRAGMA journal_mode=DELETE")  # as a copy handed over for analysis would be
    storage.close()
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    database.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        result = run_bot(database, "export", "--output", str(tmp_path.parent / f"{tmp_path.name}.csv"))
    finally:
        tmp_path.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert not (tmp_path / "bot.db-wal").exists()
    assert len((tmp_path.parent / f"{tmp_path.name}.csv").read_text().splitlines()) == 1 + 6
    assert ",Respondents exported,6" in (tmp_path.parent / f"{tmp_path.name}.codebook.csv").read_text()


@pytest.mark.parametrize("output", ["a_directory", "a_file/export.csv"])
def test_an_output_that_cannot_be_written_is_refused(tmp_path: Path, output: str) -> None:
    database = tmp_path / "bot.db"
    Storage(database).close()
    (tmp_path / "a_directory").mkdir()
    (tmp_path / "a_file").write_text("")
    line = one_line_refusal(run_bot(database, "export", "--output", str(tmp_path / output)))
    assert output.split("/")[0] in line
