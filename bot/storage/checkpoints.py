"""The write-ahead log copied into the database file by a worker thread instead of by an update's commit.

Left to SQLite's default, the commit that takes the log past 1,000 pages copies the log back into the file and
syncs it, on the event loop: every ~70th result paid milliseconds for everyone's writes, and a page written by
every update (a count, the tail of the results) was copied once per 1,000 pages. The running bot checkpoints
every few seconds in a worker thread on a connection of its own instead. A PASSIVE checkpoint takes no lock a
writer needs, so updates commit meanwhile; a page written many times between two checkpoints is copied once.
The commits still checkpoint themselves once the log passes ``BACKSTOP_PAGES``, should the worker stall.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

INTERVAL = 5.0  # seconds between two checkpoints of the running bot
BACKSTOP_PAGES = 10_000  # ~40 MB of log: past it, a commit checkpoints on its own (SQLite's default is 1,000)


@dataclass(frozen=True)
class Checkpoint:
    """What one checkpoint did: frames in the log, and how many of them are now in the database file."""

    log_frames: int
    copied_frames: int
    blocked: bool  # a reader or writer held frames back; the next checkpoint takes them


def leave_checkpoints_to_worker(conn: sqlite3.Connection) -> None:
    """Let ``conn``'s commits checkpoint only past the backstop (the worker does it before then)."""
    conn.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")


def checkpoint(path: str) -> Checkpoint:
    """Copy what the log holds into the database file, on a connection of this thread (PASSIVE: no writer waits)."""
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        blocked, log_frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    return Checkpoint(max(log_frames, 0), max(copied, 0), bool(blocked))
