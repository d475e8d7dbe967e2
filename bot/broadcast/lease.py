"""Who sends a run: one process at a time holds its lease and renews it while it sends.

Another process (a second instance, or the same bot after a restart) takes a run over only when the lease has
run out, or at once when the holder was a process on this machine that no longer exists.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

from bot.storage import Storage

LEASE_SECONDS = 15.0


def new_owner() -> str:
    """This process's name as a lease holder: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_gone(owner: str | None) -> bool:
    """Whether ``owner`` was a process on this machine that has ended (its lease need not be waited out)."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


class Lease:
    """The lease of this process on broadcast runs."""

    def __init__(self, storage: Storage, owner: str | None = None, seconds: float = LEASE_SECONDS) -> None:
        self.storage = storage
        self.owner = owner or new_owner()
        self.seconds = seconds

    @property
    def heartbeat(self) -> float:
        """How often the holder renews: three chances before the lease runs out."""
        return self.seconds / 3

    def take(self, broadcast_id: int) -> bool:
        """Become the run's sender, unless another live process holds it."""
        row = self.storage.broadcasts.broadcast(broadcast_id)
        if row is None or row["status"] != "running":
            return False
        gone = row["owner"] if row["owner"] != self.owner and holder_is_gone(row["owner"]) else None
        now = time.time()
        return self.storage.broadcasts.take_broadcast_lease(
            broadcast_id, self.owner, now + self.seconds, expected_owner=gone, now_epoch=now
        )

    def renew(self, broadcast_id: int) -> bool:
        """Keep holding the run; False when another process has taken it over (stop sending then)."""
        return self.storage.broadcasts.renew_broadcast_lease(
            broadcast_id, self.owner, time.time() + self.seconds
        )
