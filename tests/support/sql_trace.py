"""Counting what a piece of code asks of SQLite: statements, and commits (explicit, or autocommitted writes)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.storage import Storage

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass
class SqlTrace:
    statements: list[str] = field(default_factory=list)

    def __call__(self, statement: str) -> None:
        text = " ".join(statement.split())
        # Python reports each statement a trigger runs (the statistics counts) as a repeat of the statement that
        # fired it; what the code asked of SQLite is that statement once.
        if not self.statements or self.statements[-1] != text:
            self.statements.append(text)

    @property
    def commits(self) -> int:
        """Transactions that ended in a commit, counting each write outside a transaction as one."""
        commits = 0
        depth = 0  # open transaction (BEGIN) or outermost savepoint
        for statement in self.statements:
            word = statement.split(" ", 1)[0].upper()
            if word == "BEGIN":
                depth = 1
            elif word == "SAVEPOINT":
                depth += 1
            elif word == "RELEASE" and depth:
                depth -= 1
                commits += depth == 0
            elif word == "COMMIT" or word == "END":
                commits += 1
                depth = 0
            elif word == "ROLLBACK" and not statement.upper().startswith("ROLLBACK TO"):
                depth = 0
            elif word in _WRITES and depth == 0:
                commits += 1
        return commits

    def clear(self) -> None:
        self.statements.clear()


@contextlib.contextmanager
def traced(storage: Storage) -> Iterator[SqlTrace]:
    """Record every statement run on the storage's connection inside the block."""
    trace = SqlTrace()
    storage.db.conn.set_trace_callback(trace)
    try:
        yield trace
    finally:
        storage.db.conn.set_trace_callback(None)
