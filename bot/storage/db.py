"""The SQLite connection (the unit of work every store writes in): pragmas, migrations, transactions, schema check."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bot.storage.migrations import KNOWN, SET_NAME, migration_set
from bot.storage.write_gate import OneWriter, one_writer

if TYPE_CHECKING:
    from bot.storage.library import Database

DEFAULT_DATABASE_PATH = "kmu_berater.db"

Params = Sequence[Any] | Mapping[str, Any]


class SchemaError(RuntimeError):
    """The database was written by a newer version of the bot; this version must not change it."""


_stamp: tuple[int, str] = (-1, "")  # the last second written out, and how


def now() -> str:
    """The time in UTC to the second, ISO 8601 (written out once a second: every update stores it twice)."""
    global _stamp
    second = int(time.time())
    if second != _stamp[0]:
        _stamp = (second, datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds"))
    return _stamp[1]


@dataclass(frozen=True)
class SchemaStatus:
    """A database's schema against this version's migrations."""

    applied: tuple[str, ...]  # migrations the database has, in the order they ran
    known: tuple[str, ...]  # this version's migrations

    @property
    def unknown(self) -> tuple[str, ...]:
        """Applied but not known here: the database was written by a newer version."""
        return tuple(name for name in self.applied if name not in self.known)

    @property
    def pending(self) -> tuple[str, ...]:
        """Known but not applied yet: they run when the bot next opens the database."""
        return tuple(name for name in self.known if name not in self.applied)


def schema_status(conn: sqlite3.Connection) -> SchemaStatus:
    """Which of this version's migrations the database has, and which it has that this version does not know.

    Read from sqlite-utils' table of applied migrations directly: a start whose schema is current then needs
    no sqlite-utils at all."""
    table = "_sqlite_migrations"
    if (
        conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [table]).fetchone()
        is None
    ):
        return SchemaStatus((), KNOWN)
    ran = conn.execute(f"select name from {table} where migration_set = ? order by rowid", [SET_NAME])
    return SchemaStatus(tuple(row[0] for row in ran), KNOWN)


@dataclass(frozen=True)
class DatabaseHealth:
    """What a health check reads of a database file: its integrity, journal mode and schema."""

    integrity: tuple[str, ...]  # ("ok",) when sound
    journal_mode: str
    schema: SchemaStatus


def inspect_database(path: str | Path) -> DatabaseHealth:
    """Read a database file's health without changing it (raises ``sqlite3.Error`` when it cannot be read)."""
    uri = Path(path).expanduser().resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=10)
    try:
        integrity = tuple(row[0] for row in connection.execute("PRAGMA integrity_check"))
        journal = str(connection.execute("PRAGMA journal_mode").fetchone()[0])
        return DatabaseHealth(integrity, journal, schema_status(connection))
    finally:
        connection.close()


def check_schema(conn: sqlite3.Connection) -> SchemaStatus:
    """Refuse a database with migrations this version does not know (it was written by a newer version)."""
    status = schema_status(conn)
    applied, known, unknown = status.applied, status.known, status.unknown
    if unknown:
        raise SchemaError(
            f"the database has schema version {len(applied)} ({applied[-1]}), this version of the bot knows "
            f"schema version {len(known)} ({known[-1]}); run the newer version of the bot or restore a backup"
        )
    return status


def _create_private(path: Path) -> None:
    """Create an absent database file readable by its owner only (SQLite gives its -wal and -shm files the
    same mode); the answers in it are personal data, whatever the process's umask."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Connection:
    """One SQLite connection with its pragmas and the schema brought up to date; the base of every store.

    The stores use the ``sqlite3`` connection (``conn``); sqlite-utils' ``Database`` over it (``db``) is made on
    first use: for a migration, the WAL switch of a new file, a nested transaction, the tests' builders.
    """

    # A background writer (the retention pass) sets this: its transactions let the event loop's updates go
    # first (see ``bot.storage.write_gate``).
    defers = False

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        """Open (and bring up to date) the database; ``read_only`` opens it for reading only, changing nothing:
        no WAL switch, no migrations (for the export, which may run on a read-only copy)."""
        self.path = str(path or os.environ.get("DATABASE_PATH") or DEFAULT_DATABASE_PATH)
        self._db: Database | None = None
        if read_only:
            uri = Path(self.path).expanduser().resolve().as_uri() + "?mode=ro"
            self.conn = sqlite3.connect(
                uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False
            )
            self.conn.execute("PRAGMA busy_timeout=30000")
            check_schema(self.conn)  # also reads the file: a file that is no database fails here
            return
        if self.path != ":memory:":
            Path(self.path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
            _create_private(Path(self.path).expanduser())
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        if self.path != ":memory:" and self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.enable_wal()
        # WAL + NORMAL: a committed transaction survives a killed process; only a power loss may lose the last one.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=30000")
        if check_schema(self.conn).pending:
            migration_set().apply(self.db)

    @classmethod
    def over(cls, conn: sqlite3.Connection, path: str) -> Connection:
        """A connection object over an open ``conn`` (no pragmas, no schema check): e.g. an in-memory copy."""
        connection = cls.__new__(cls)
        connection.path, connection.conn, connection._db = path, conn, None
        return connection

    @property
    def db(self) -> Database:
        """sqlite-utils' ``Database`` over this connection, made (and sqlite-utils imported) on first use."""
        if self._db is None:
            from bot.storage.library import Database

            # No sqlite-utils plugins: the bot's connection runs only its own code, and looking for plugins
            # reads the metadata of every installed package (~15 ms of CPU and ~1.4 MB).
            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def write(self) -> contextlib.AbstractContextManager[None]:
        """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

        A deferred transaction that reads first and writes later fails at once with "database is locked"
        when another process wrote in between; taking the lock up front lets ``busy_timeout`` wait instead.
        Nested use joins the outer transaction (a savepoint), so callers can group several writes into one.
        """
        return _Transaction(self)

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as dicts, read straight from the connection (sqlite-utils' query adds a savepoint per call)."""
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def row(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None


class _Transaction:
    """``Connection.write``'s context: a class, where the generator-based one (with the write gate's inside
    it) cost every update a few microseconds of its own."""

    __slots__ = ("_connection", "_nested", "_writer")

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._nested: contextlib.AbstractContextManager[object] | None = None
        self._writer: OneWriter | None = None

    def __enter__(self) -> None:
        connection = self._connection
        conn = connection.conn
        if conn.in_transaction:
            self._nested = connection.db.atomic()
            self._nested.__enter__()
            return
        # another thread writing: wait for its commit
        writer = self._writer = one_writer(connection.path, defer=connection.defers)
        writer.__enter__()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._writer = None
            writer.__exit__(None, None, None)
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._nested is not None:
            nested, self._nested = self._nested, None
            nested.__exit__(kind, error, trace)
            return
        writer, self._writer = self._writer, None
        assert writer is not None
        try:
            conn = self._connection.conn
            if kind is not None:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            else:
                conn.execute("COMMIT")
        finally:
            writer.__exit__(None, None, None)


class Store:
    """One aggregate's statements over the shared connection, so that stores write in one transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def write(self) -> contextlib.AbstractContextManager[None]:
        return self.connection.write()

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return self.connection.rows(sql, params)

    def row(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        return self.connection.row(sql, params)
