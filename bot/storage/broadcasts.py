"""Broadcast runs and their deliveries: the ledger that makes sends exactly-once.

Deliveries are written "sending" before and "sent" after each send, so an interrupted run resumes without
sending anything twice.
"""

from __future__ import annotations

from bot.storage.db import Store, now
from bot.storage.rows import BroadcastRow, DeliveryRow, PlannedDelivery, broadcast_row, delivery_row


class BroadcastStore(Store):
    """Runs (tip slots and admin broadcasts), who sends them (the lease), and one delivery row per chat."""

    def create_broadcast(
        self,
        kind: str,
        deliveries: list[PlannedDelivery],
        *,
        text: str | None = None,
        run_key: str | None = None,
        created_by: int | None = None,
        status: str = "running",
    ) -> int | None:
        """Store a run with one pending delivery per chat in one transaction; None if ``run_key`` exists."""
        with self.write():
            if run_key is not None and self.row("select 1 as x from broadcasts where run_key = ?", [run_key]):
                return None
            cursor = self.execute(
                "insert into broadcasts (kind, run_key, text, created_by, created_at, status) values (?, ?, ?, ?, ?, ?)",
                [kind, run_key, text, created_by, now(), status],
            )
            broadcast_id = int(cursor.lastrowid or 0)
            self.add_deliveries(broadcast_id, deliveries)
        return broadcast_id

    def add_deliveries(self, broadcast_id: int, deliveries: list[PlannedDelivery]) -> None:
        stamp = now()
        with self.write():
            self.connection.conn.executemany(
                "insert into deliveries (broadcast_id, chat_id, target_chat_id, tip_id, language, status, attempts, "
                "updated_at) values (?, ?, ?, ?, ?, 'pending', 0, ?)",
                (
                    (broadcast_id, d["chat_id"], d["chat_id"], d.get("tip_id"), d.get("language"), stamp)
                    for d in deliveries
                ),
            )

    def start_draft(
        self, broadcast_id: int, created_by: int, deliveries: list[PlannedDelivery], status_chat_id: int
    ) -> bool:
        """Turn an admin's draft into a running broadcast with its deliveries, once; False if it is no draft."""
        with self.write():
            cursor = self.execute(
                "update broadcasts set status = 'running', status_chat_id = ? "
                "where id = ? and status = 'draft' and created_by = ?",
                [status_chat_id, broadcast_id, created_by],
            )
            if cursor.rowcount == 0:
                return False
            self.add_deliveries(broadcast_id, deliveries)
        return True

    def take_broadcast_lease(
        self, broadcast_id: int, owner: str, until: float, *, expected_owner: str | None, now_epoch: float
    ) -> bool:
        """Become the run's sender if it still runs and its lease is ours, free, expired or ``expected_owner``'s."""
        cursor = self.execute(
            "update broadcasts set owner = ?, lease_until = ? where id = ? and status = 'running' "
            "and (owner is null or owner = ? or lease_until < ? or owner is ?)",
            [owner, until, broadcast_id, owner, now_epoch, expected_owner],
        )
        return cursor.rowcount > 0

    def renew_broadcast_lease(self, broadcast_id: int, owner: str, until: float) -> bool:
        """Extend the lease while it is still ours; False when another process has taken the run over."""
        cursor = self.execute(
            "update broadcasts set lease_until = ? where id = ? and owner = ?", [until, broadcast_id, owner]
        )
        return cursor.rowcount > 0

    def broadcast(self, broadcast_id: int) -> BroadcastRow | None:
        row = self.row("select * from broadcasts where id = ?", [broadcast_id])
        return None if row is None else broadcast_row(row)

    def set_broadcast_status(self, broadcast_id: int, status: str) -> None:
        finished = now() if status in ("done", "cancelled") else None
        self.execute(
            "update broadcasts set status = ?, finished_at = ? where id = ?", [status, finished, broadcast_id]
        )

    def set_broadcast_status_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        self.execute(
            "update broadcasts set status_chat_id = ?, status_message_id = ? where id = ?",
            [chat_id, message_id, broadcast_id],
        )

    def unfinished_broadcasts(self) -> list[BroadcastRow]:
        rows = self.rows("select * from broadcasts where status = 'running' order by id")
        return [broadcast_row(row) for row in rows]

    def pending_deliveries(self, broadcast_id: int) -> list[DeliveryRow]:
        rows = self.rows(
            "select * from deliveries where broadcast_id = ? and status = 'pending' order by rowid",
            [broadcast_id],
        )
        return [delivery_row(row) for row in rows]

    def settle_interrupted_deliveries(self, broadcast_id: int) -> int:
        """Mark sends cut off by a crash as "uncertain": they may have arrived, so they are never repeated."""
        cursor = self.execute(
            "update deliveries set status = 'uncertain', updated_at = ? where broadcast_id = ? and status = 'sending'",
            [now(), broadcast_id],
        )
        return cursor.rowcount

    def claim_delivery(self, broadcast_id: int, chat_id: int) -> bool:
        """Mark a pending delivery "sending", committed; False when it is no longer pending (someone else has it)."""
        cursor = self.execute(
            "update deliveries set status = 'sending', attempts = attempts + 1, updated_at = ? "
            "where broadcast_id = ? and chat_id = ? and status = 'pending'",
            [now(), broadcast_id, chat_id],
        )
        return cursor.rowcount > 0

    def mark_delivery(
        self,
        broadcast_id: int,
        chat_id: int,
        status: str,
        *,
        target_chat_id: int | None = None,
        error: str | None = None,
        message_id: int | None = None,
        seen_tip: str | None = None,
    ) -> None:
        """Record a delivery's new status, committed before the caller goes on (and a tip as seen)."""
        with self.write():
            updated = self.execute(
                "update deliveries set status = ?, error = coalesce(?, error), message_id = coalesce(?, message_id), "
                "target_chat_id = coalesce(?, target_chat_id), "
                "attempts = attempts + (case when ? = 'sending' then 1 else 0 end), updated_at = ? "
                "where broadcast_id = ? and chat_id = ?",
                [status, error, message_id, target_chat_id, status, now(), broadcast_id, chat_id],
            )
            # A /deletedata while the tip was on its way erased the delivery and the subscription: the tip
            # is not remembered for a chat that no longer wants anything kept.
            if seen_tip is not None and updated.rowcount > 0:
                target = target_chat_id if target_chat_id is not None else chat_id
                self.execute(
                    "insert or ignore into tip_seen (chat_id, tip_id, seen_at) select ?, ?, ? "
                    "where exists (select 1 from tip_subscriptions where chat_id = ? and active = 1)",
                    [target, seen_tip, now(), target],
                )

    def delivery_counts(self, broadcast_id: int) -> dict[str, int]:
        rows = self.rows(
            "select status, count(*) as n from deliveries where broadcast_id = ? group by status",
            [broadcast_id],
        )
        return {row["status"]: int(row["n"]) for row in rows}
