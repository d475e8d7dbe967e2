"""Delivery receipts: which reply went out, named by the token of the answer it replied to.

A session row carries the token of its pending reply (0: none). A receipt clears it only while it still names
that reply, so a receipt held too long (by this process, while another one answered the respondent since)
can never vouch for a newer reply that may not have arrived. Receipts cost no commit of their own: they are
written in the transaction of the next update this process handles, whoever it is from, or soon after the
reply when the process is idle; another process behind the same webhook then reads them from the database.
"""

from __future__ import annotations

import secrets

from bot.storage import Storage


class Receipts:
    """The receipts this process holds until its next transaction writes them."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._held: dict[str, int] = {}  # respondent id -> token of the reply delivered

    @staticmethod
    def new_token(update_id: int | None) -> int:
        """The token of a reply: the update's id (unique per bot), else a random one (never 0 or 1, the
        mark of rows written before tokens)."""
        return update_id if update_id is not None and update_id > 1 else 2 + secrets.randbelow(2**31)

    def add(self, respondent_id: str, token: int) -> None:
        self._held[respondent_id] = token

    def confirms(self, respondent_id: str, pending: int) -> bool:
        """Whether the reply ``pending`` is known to be out; the respondent's receipt is taken either way
        (the session row about to be written replaces the mark)."""
        held = self._held.pop(respondent_id, None)
        return pending == 0 or held == pending

    def write_held(self) -> int:
        """Write the receipts held, in the caller's transaction; returns how many."""
        if not self._held:
            return 0
        held, self._held = self._held, {}
        self.storage.sessions.mark_replied(held.items())
        return len(held)

    def flush(self) -> int:
        """Write the receipts held in a transaction of their own (an idle process, a clean stop)."""
        if not self._held:
            return 0
        with self.storage.write():
            return self.write_held()
