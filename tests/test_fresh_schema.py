"""The schema copied into a new test database (``tests/support/fresh_schema.py``) is the one the migrations
build: same tables, indexes, views, triggers and migration records, WAL kept on a file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import Storage
from bot.storage.library import Database
from bot.storage.migrations import migration_set


def _schema(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    master = conn.execute(
        "select type, name, tbl_name, sql from sqlite_master order by type, name"
    ).fetchall()
    applied = conn.execute("select migration_set, name from _sqlite_migrations order by id").fetchall()
    return [*master, *applied]


def _migrated() -> list[tuple[object, ...]]:
    db = Database(sqlite3.connect(":memory:"))
    type(migration_set()).apply(
        migration_set(), db
    )  # the class's method: the real migrations, whatever the suite patched
    return _schema(db.conn)


def test_a_new_database_in_memory_has_the_migrated_schema() -> None:
    storage = Storage(":memory:")
    assert _schema(storage.db.conn) == _migrated()
    storage.close()


def test_a_new_database_file_has_the_migrated_schema_in_wal_mode(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.db")
    assert _schema(storage.db.conn) == _migrated()
    assert storage.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert storage.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    storage.close()
    reopened = Storage(tmp_path / "bot.db")  # opens as a database of this version: nothing left to migrate
    assert _schema(reopened.db.conn) == _migrated()
    reopened.close()
