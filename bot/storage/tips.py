"""Tip subscriptions, seen tips, broadcast runs and their deliveries (the ledger that makes sends exactly-once).

Subscriptions hold chat ids only; deliveries are written "sending" before and "sent" after each send, so an
interrupted run resumes without sending anything twice.
"""

from __future__ import annotations

from typing import cast

from bot.storage.db import Connection, now
from bot.storage.rows import BroadcastRow, DeliveryRow, PlannedDelivery, SubscriptionRow


class TipStore(Connection):
    def subscribe_tips(
        self,
        chat_id: int,
        *,
        kind: str,
        language: str,
        schedule: str = "weekly",
        weekday: int = 0,
        at: str = "09:00",
    ) -> None:
        """Subscribe a chat, or reactivate it keeping its earlier schedule."""
        stamp = now()
        self.execute(
            """
            insert into tip_subscriptions (chat_id, kind, language, schedule, weekday, at, active, created_at,
                                           updated_at)
            values (:chat_id, :kind, :language, :schedule, :weekday, :at, 1, :now, :now)
            on conflict (chat_id) do update set
                kind = excluded.kind, language = excluded.language, active = 1, updated_at = excluded.updated_at,
                deactivated_reason = null
            """,
            {
                "chat_id": chat_id,
                "kind": kind,
                "language": language,
                "schedule": schedule,
                "weekday": weekday,
                "at": at,
                "now": stamp,
            },
        )

    def unsubscribe_tips(self, chat_id: int, reason: str = "unsubscribed") -> bool:
        """Deactivate a chat's subscription; True if it was active."""
        cursor = self.execute(
            "update tip_subscriptions set active = 0, deactivated_reason = ?, updated_at = ? "
            "where chat_id = ? and active = 1",
            [reason, now(), chat_id],
        )
        return cursor.rowcount > 0

    def tip_subscription(self, chat_id: int) -> SubscriptionRow | None:
        return cast(
            SubscriptionRow | None, self.row("select * from tip_subscriptions where chat_id = ?", [chat_id])
        )

    def set_tip_schedule(self, chat_id: int, *, schedule: str, weekday: int, at: str) -> bool:
        cursor = self.execute(
            "update tip_subscriptions set schedule = ?, weekday = ?, at = ?, updated_at = ? where chat_id = ?",
            [schedule, weekday, at, now(), chat_id],
        )
        return cursor.rowcount > 0

    def set_tip_language(self, chat_id: int, language: str) -> None:
        self.execute(
            "update tip_subscriptions set language = ?, updated_at = ? where chat_id = ?",
            [language, now(), chat_id],
        )

    def active_tip_subscriptions(self) -> list[SubscriptionRow]:
        return cast(
            list[SubscriptionRow],
            self.rows("select * from tip_subscriptions where active = 1 order by chat_id"),
        )

    def tip_slots(self) -> list[tuple[str, int, str]]:
        """The distinct (schedule, weekday, at) of active subscriptions; daily slots have weekday 0."""
        rows = self.rows(
            "select distinct schedule, case when schedule = 'daily' then 0 else weekday end as weekday, at "
            "from tip_subscriptions where active = 1 order by 1, 2, 3"
        )
        return [(row["schedule"], int(row["weekday"]), row["at"]) for row in rows]

    def subscriptions_in_slot(self, schedule: str, weekday: int, at: str) -> list[SubscriptionRow]:
        return cast(
            list[SubscriptionRow],
            self.rows(
                "select * from tip_subscriptions where active = 1 and schedule = ? and at = ? "
                "and (schedule = 'daily' or weekday = ?) order by chat_id",
                [schedule, at, weekday],
            ),
        )

    def migrate_tip_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Follow a group that became a supergroup: its subscription and seen tips move to the new id."""
        with self.write():
            if self.tip_subscription(new_chat_id) is None:
                self.execute(
                    "update tip_subscriptions set chat_id = ?, kind = 'supergroup', updated_at = ? where chat_id = ?",
                    [new_chat_id, now(), old_chat_id],
                )
            else:
                self.execute("delete from tip_subscriptions where chat_id = ?", [old_chat_id])
            self.execute(
                "update or ignore tip_seen set chat_id = ? where chat_id = ?", [new_chat_id, old_chat_id]
            )
            self.execute("delete from tip_seen where chat_id = ?", [old_chat_id])

    def seen_tips(self, chat_id: int) -> set[str]:
        return {
            row["tip_id"] for row in self.rows("select tip_id from tip_seen where chat_id = ?", [chat_id])
        }

    def forget_seen_tips(self, chat_id: int) -> None:
        """Start a new round through the catalogue once a chat has seen every tip."""
        self.execute("delete from tip_seen where chat_id = ?", [chat_id])

    def latest_size_class(self, channel: str, user_id: int) -> str | None:
        """The size class of a private user's latest result, looked up only when a tip is chosen."""
        row = self.row(
            "select r.category from results r join identities i on i.respondent_id = r.respondent_id "
            "where i.channel = ? and i.channel_user_id = ? order by r.id desc limit 1",
            [channel, str(user_id)],
        )
        return None if row is None else str(row["category"])

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
            self.db.conn.executemany(
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
        return cast(BroadcastRow | None, self.row("select * from broadcasts where id = ?", [broadcast_id]))

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
        return cast(
            list[BroadcastRow], self.rows("select * from broadcasts where status = 'running' order by id")
        )

    def pending_deliveries(self, broadcast_id: int) -> list[DeliveryRow]:
        return cast(
            list[DeliveryRow],
            self.rows(
                "select * from deliveries where broadcast_id = ? and status = 'pending' order by rowid",
                [broadcast_id],
            ),
        )

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

    def forget_tip_chat(self, chat_id: int) -> None:
        """Erase a private chat's subscription, seen tips and delivery records (part of /deletedata)."""
        with self.write():
            for table in ("tip_subscriptions", "tip_seen", "deliveries"):
                self.execute(f"delete from {table} where chat_id = ?", [chat_id])
            self.execute("delete from deliveries where target_chat_id = ?", [chat_id])
