"""A fresh database's schema, migrated once per test process and copied into every new empty database.

Running the migrations through sqlite-utils costs about 25 ms per database, and the quick suite opens hundreds
(the ``storage`` fixture, the harness, the property tests). An empty database gets the same pages by SQLite's
backup API from one database the real migrations built in this process; a database that already holds tables,
or a partial run (``stop_before``), runs the migrations themselves, so every upgrade path is still tested.
``tests/test_fresh_schema.py`` holds the copy to what the migrations build.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from bot.storage.library import Database
from bot.storage.migrations import migration_set


def _is_empty(db: Database) -> bool:
    return db.execute("select count(*) from sqlite_master").fetchone()[0] == 0


@contextlib.contextmanager
def copied_schema() -> Iterator[None]:
    """Inside, ``migration_set().apply`` on an empty database copies the schema the real migrations built once."""
    migrations = migration_set()
    real_apply = migrations.apply
    template = Database(sqlite3.connect(":memory:"))
    real_apply(template)

    def apply(db: Database, *, stop_before: Any = None) -> None:
        if stop_before is None and _is_empty(db):
            template.conn.backup(db.conn)
            return
        real_apply(db, stop_before=stop_before)

    migrations.apply = apply  # type: ignore[method-assign]
    try:
        yield
    finally:
        del migrations.apply  # the method of the class again
        template.close()
