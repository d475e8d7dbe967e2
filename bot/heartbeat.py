"""Is the bot alive? The running bot touches a heartbeat file; ``run_bot.py health`` reads its age.

The file lives beside the database (on the container's volume, in systemd's state directory). A job of the
bot's own event loop writes it, so a bot that hangs, lost its polling loop or never started (no token, a
rejected token) stops beating and the health check fails after ``MAX_AGE`` seconds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

INTERVAL = 20  # seconds between beats
MAX_AGE = 90  # a heartbeat older than this means the bot is not alive (several missed beats)


def heartbeat_path(database_path: str) -> Path:
    """The heartbeat file of the bot that uses ``database_path``."""
    return Path(database_path + ".alive").expanduser()


def beat(path: Path, now: float | None = None) -> None:
    """Record that the bot is alive now (a tiny file replaced atomically, mode 600)."""
    stamp = time.time() if now is None else now
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(f"{stamp:.0f}\n")
    os.replace(temporary, path)


def stop(path: Path) -> None:
    """A clean stop: no heartbeat left that could look alive for a while."""
    path.unlink(missing_ok=True)


def age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last beat, or None when there is none."""
    try:
        stamp = float(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return (time.time() if now is None else now) - stamp


def health(database_path: str, now: float | None = None) -> tuple[bool, str]:
    """Whether the bot is alive, and one line saying why."""
    path = heartbeat_path(database_path)
    seconds = age(path, now)
    if seconds is None:
        return False, f"no heartbeat at {path}: the bot is not running"
    if seconds > MAX_AGE:
        return (
            False,
            f"last heartbeat {seconds:.0f} s ago (more than {MAX_AGE} s): the bot is hung or stopped",
        )
    return True, f"alive, last heartbeat {max(seconds, 0):.0f} s ago"
