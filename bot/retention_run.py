"""Running the retention pass: the bot's daily job off the event loop, and the ``retention`` command.

The job works on a connection of its own in a worker thread, in short transactions with a pause between
them, so the bot keeps answering while 100,000 respondents are retired. The command says in one line why a
file cannot be used (no database, a directory, a newer schema, damaged, read-only, locked) and exits 2; its
dry run reads an in-memory copy, so nothing on disk changes (no migration, no switch to WAL).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from collections.abc import Generator
from pathlib import Path

from bot.storage import SchemaError, Storage

# Seconds between two transactions of the daily job: a bot's write waiting at the write gate takes it then (the
# gate hands over at once; the pause only keeps this thread from taking it straight back).
PAUSE = 0.005
CLI_BUSY_MS = 10_000  # how long the command waits for a lock held by the running bot before it gives up


async def retention_off_loop(storage: Storage, months: int) -> dict[str, int]:
    """The daily pass in a worker thread on a connection of its own, in short transactions with a pause
    between them (an in-memory database has one connection: on the loop, awaiting between steps)."""
    if storage.path == ":memory:":
        steps = storage.retention.retention_steps(months)
        while True:
            done, counts = _step(storage, steps)
            if done:
                return counts
            await asyncio.sleep(0)
    return await asyncio.to_thread(_pass, storage.path, months)


def _pass(path: str, months: int) -> dict[str, int]:
    own = Storage(path)  # a connection of this thread: the bot's stays with the event loop
    # Its commits do not checkpoint while holding the write lock; ``_step`` checkpoints after releasing it.
    own.execute("PRAGMA wal_autocheckpoint=0")
    own.connection.defers = True  # updates on the event loop write first; see bot.storage.write_gate
    try:
        steps = own.retention.retention_steps(months)
        while True:
            done, counts = _step(own, steps)
            if done:
                return counts
            time.sleep(PAUSE)  # the bot's own writes take the lock now
    finally:
        own.close()


def _step(own: Storage, steps: Generator[None, None, dict[str, int]]) -> tuple[bool, dict[str, int]]:
    try:
        next(steps)
    except StopIteration as finished:
        return True, dict(finished.value)
    own.execute("PRAGMA wal_checkpoint(PASSIVE)")  # in this thread, not in the bot's next commit
    return False, {}


def retention_command(database_path: str, months: int, *, dry_run: bool) -> int:
    """Apply (or count) the retention rules from the shell; prints counts, never an id; 2 on any refusal."""
    path = Path(database_path)
    if not path.exists():
        return _refuse(f"No database at {database_path!r} (set DATABASE_PATH)")
    if path.is_dir():
        return _refuse(f"Cannot use {database_path!r}: it is a directory, not a database file")
    try:
        counts = _counted_copy(path, months) if dry_run else _applied(database_path, months)
    except SchemaError as error:
        return _refuse(f"Cannot use the database {database_path!r}: {error}")
    except (sqlite3.Error, OSError) as error:
        return _refuse(f"Cannot apply retention to {database_path!r}: {_reason(error)}")
    head = "Due (dry run, nothing changed)" if dry_run else "Removed"
    print(f"{head}, after {months} months without activity:")
    for name, n in counts.items():
        print(f"  {name.replace('_', ' ')}: {n}")
    return 0


def _applied(database_path: str, months: int) -> dict[str, int]:
    storage = Storage(database_path)
    try:
        storage.execute(f"PRAGMA busy_timeout={int(CLI_BUSY_MS)}")
        return storage.retention.apply_retention(months)
    finally:
        storage.close()


def _counted_copy(path: Path, months: int) -> dict[str, int]:
    """Count on an in-memory copy brought to the current schema; the file is only read."""
    storage = Storage(path, read_only=True)  # refuses a newer schema; garbage fails here
    try:
        storage.execute(f"PRAGMA busy_timeout={int(CLI_BUSY_MS)}")
        integrity = storage.execute("PRAGMA quick_check").fetchone()[0]
        if integrity != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({integrity})")
        return storage.retention.apply_retention(months, dry_run=True)
    finally:
        storage.close()


def _refuse(line: str) -> int:
    print(line, file=sys.stderr)
    return 2


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    if "locked" in text:
        text += " (the bot or another command is writing; try again later)"
    if isinstance(error, OSError) and error.filename and os.fspath(error.filename) not in text:
        text += f": {error.filename}"
    return text
