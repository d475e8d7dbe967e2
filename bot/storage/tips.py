"""Tip subscriptions and the tips each chat has seen; subscriptions hold chat ids only."""

from __future__ import annotations

from bot.storage.db import Store, now
from bot.storage.rows import SubscriptionRow, subscription_row


class TipStore(Store):
    """Who subscribed to tips, on which schedule, and which tips they have seen."""

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
        row = self.row("select * from tip_subscriptions where chat_id = ?", [chat_id])
        return None if row is None else subscription_row(row)

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
        rows = self.rows("select * from tip_subscriptions where active = 1 order by chat_id")
        return [subscription_row(row) for row in rows]

    def tip_slots(self) -> list[tuple[str, int, str]]:
        """The distinct (schedule, weekday, at) of active subscriptions; daily slots have weekday 0."""
        rows = self.rows(
            "select distinct schedule, case when schedule = 'daily' then 0 else weekday end as weekday, at "
            "from tip_subscriptions where active = 1 order by 1, 2, 3"
        )
        return [(row["schedule"], int(row["weekday"]), row["at"]) for row in rows]

    def subscriptions_in_slot(self, schedule: str, weekday: int, at: str) -> list[SubscriptionRow]:
        rows = self.rows(
            "select * from tip_subscriptions where active = 1 and schedule = ? and at = ? "
            "and (schedule = 'daily' or weekday = ?) order by chat_id",
            [schedule, at, weekday],
        )
        return [subscription_row(row) for row in rows]

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
        """The size class of a private user's latest result, looked up only when a tip is chosen; "not_sme" for
        a company held by public bodies, which is no SME whatever its figures."""
        row = self.row(
            "select r.category, json_extract(r.answers, '$.enterprise_type.value') as enterprise_type "
            "from results r join identities i on i.respondent_id = r.respondent_id "
            "where i.channel = ? and i.channel_user_id = ? order by r.id desc limit 1",
            [channel, str(user_id)],
        )
        if row is None:
            return None
        return "not_sme" if row["enterprise_type"] == "not_sme" else str(row["category"])

    def forget_tip_chat(self, chat_id: int) -> None:
        """Erase a private chat's subscription, seen tips and delivery records (part of /deletedata)."""
        with self.write():
            for table in ("tip_subscriptions", "tip_seen", "deliveries"):
                self.execute(f"delete from {table} where chat_id = ?", [chat_id])
            self.execute("delete from deliveries where target_chat_id = ?", [chat_id])
