"""One writer at a time per database file within this process, handed over the moment the other one commits.

The retention pass writes on a connection of its own in a worker thread while the bot writes on the event loop.
Left to SQLite, the bot's ``BEGIN IMMEDIATE`` meets the pass's write lock inside SQLite's busy handler, which
sleeps in growing steps (up to 100 ms each) and so misses the short gaps between the pass's transactions: the
event loop stalled up to 640 ms at 100,000 due. With this gate the bot waits on a lock that wakes it as soon as
the pass's current transaction commits (one transaction, a few tens of milliseconds at most), and the pass
waits for the bot in the same way. Other processes (the ``retention`` command, a second instance) still meet
SQLite's own lock and busy timeout.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

# As long as SQLite's busy timeout: past it the writer goes on to SQLite, whose lock then decides.
WAIT_SECONDS = 30.0

_gates: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def gate_of(path: str) -> threading.Lock | None:
    """The gate of a database file (shared by every connection of this process to it); none in memory."""
    if path == ":memory:" or path.startswith("file:"):
        return None
    gate = _gates.get(path)
    if gate is None:
        with _guard:
            real = os.path.realpath(os.path.expanduser(path))
            gate = _gates.get(real) or threading.Lock()
            _gates[real] = _gates[path] = gate
    return gate


@contextlib.contextmanager
def one_writer(path: str) -> Iterator[None]:
    """Hold the file's gate for one write transaction (not re-entrant: nested writes join the outer one)."""
    gate = gate_of(path)
    taken = gate is not None and gate.acquire(timeout=WAIT_SECONDS)
    try:
        yield
    finally:
        if taken and gate is not None:
            gate.release()
