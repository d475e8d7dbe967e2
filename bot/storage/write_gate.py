"""One writer at a time per database file within this process, and the event loop's updates first.

The retention pass writes on a connection of its own in a worker thread while the bot writes on the event loop,
synchronously. Left to SQLite, the bot's ``BEGIN IMMEDIATE`` met the pass's write lock inside SQLite's busy
handler, which sleeps in growing steps (up to 100 ms each) and missed the short gaps between the pass's
transactions: the event loop stalled up to 640 ms at 100,000 due. Three parts here:

- every write transaction of this process holds the file's gate, so a writer waits on a lock that wakes it the
  moment the other thread commits, not at SQLite's next busy-handler step;
- an update on the event loop first *awaits* the gate (``loop_turn``), so while the pass's transaction runs
  the loop goes on, and the update's synchronous writes find the gate free;
- the pass defers (``one_writer(defer=True)``): it starts no transaction while updates are running, for at
  most ``DEFER_AT_MOST`` each time, so a stream of updates slows it down but cannot stop it.

Other processes (the ``retention`` command, a second instance) still meet SQLite's own lock and busy timeout.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time

# As long as SQLite's busy timeout: past it the writer goes on to SQLite, whose lock then decides.
WAIT_SECONDS = 30.0
# How long a deferring writer (the retention pass) lets the event loop's updates go first before each of its
# transactions; past it the pass takes its turn anyway, so a stream of updates slows it down but cannot stop it.
DEFER_AT_MOST = 0.25
POLL = 0.002  # seconds between two looks at the gate, on the loop (awaited) and in a deferring thread


class Gate:
    """The lock of one database file, and how many updates on the event loop want their turn."""

    __slots__ = ("lock", "wanted")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wanted = 0  # changed on the event loop only; read by deferring threads


_gates: dict[str, Gate] = {}
_guard = threading.Lock()


def gate_of(path: str) -> Gate | None:
    """The gate of a database file (shared by every connection of this process to it); none in memory."""
    if path == ":memory:" or path.startswith("file:"):
        return None
    gate = _gates.get(path)
    if gate is None:
        with _guard:
            real = os.path.realpath(os.path.expanduser(path))
            gate = _gates.get(real) or Gate()
            _gates[real] = _gates[path] = gate
    return gate


def one_writer(path: str, *, defer: bool = False) -> OneWriter:
    """Hold the file's gate for one write transaction (not re-entrant: nested writes join the outer one).

    ``defer``: a background writer lets updates on the event loop that want their turn go first (up to
    ``DEFER_AT_MOST``), and gives the gate straight back when one arrived while it was taking it.
    """
    return OneWriter(gate_of(path), defer)


class OneWriter:
    """``one_writer``'s context (a class, as ``LoopTurn``: every update enters it once)."""

    __slots__ = ("_defer", "_gate", "_taken")

    def __init__(self, gate: Gate | None, defer: bool) -> None:
        self._gate = gate
        self._defer = defer
        self._taken = False

    def __enter__(self) -> None:
        if self._gate is not None:
            self._taken = _take(self._gate, self._defer)

    def __exit__(self, *exc: object) -> None:
        if self._taken:
            self._taken = False
            assert self._gate is not None
            self._gate.lock.release()


def _take(gate: Gate, defer: bool) -> bool:
    if not defer:
        return gate.lock.acquire(timeout=WAIT_SECONDS)
    deadline = time.monotonic() + DEFER_AT_MOST
    while True:
        while gate.wanted and time.monotonic() < deadline:
            time.sleep(POLL)
        if not gate.lock.acquire(timeout=WAIT_SECONDS):
            return False
        if not gate.wanted or time.monotonic() >= deadline:
            return True
        gate.lock.release()  # an update came between the look and the lock: it goes first


def loop_turn(path: str) -> LoopTurn:
    """Around one update on the event loop: it starts once another thread's transaction has committed,
    awaiting that instead of blocking the loop, and deferring writers start none while it runs."""
    return LoopTurn(gate_of(path))


class LoopTurn:
    """``loop_turn``'s context (a class: a generator-based one cost twice as much on every update)."""

    __slots__ = ("_gate",)

    def __init__(self, gate: Gate | None) -> None:
        self._gate = gate

    async def __aenter__(self) -> None:
        gate = self._gate
        if gate is None:
            return
        gate.wanted += 1
        try:
            while gate.lock.locked():
                await asyncio.sleep(POLL)
        except BaseException:  # cancelled while waiting: the body never runs, so __aexit__ is not called
            gate.wanted -= 1
            raise

    async def __aexit__(self, *exc: object) -> None:
        if self._gate is not None:
            self._gate.wanted -= 1
