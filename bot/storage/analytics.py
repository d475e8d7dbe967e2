"""All persistence of the bot, in one SQLite file through sqlite-utils; nothing else in the project writes SQL.

Answers live under a random respondent id. Channel identities (a Telegram user id, the terminal) are kept in
a separate table that only links to that id, so exports can leave identities out by construction.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

DEFAULT_DATABASE_PATH = "kmu_berater.db"

migrations = Migrations("kmu_berater")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("respondents").create(
        {"id": str, "created_at": str, "language": str, "consent": int, "referral_code": str},
        pk="id",
        not_null={"created_at"},
    )
    db.table("respondents").create_index(["referral_code"], unique=True)
    db.table("identities").create(
        {
            "channel": str,
            "channel_user_id": str,
            "respondent_id": str,
            "language_code": str,
            "blocked_at": str,
            "created_at": str,
        },
        pk=("channel", "channel_user_id"),
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db.table("identities").create_index(["respondent_id"])
    db.table("sessions").create(
        {
            "respondent_id": str,
            "state": str,
            "answers": str,
            "language": str,
            "started_at": str,
            "updated_at": str,
            "finished_at": str,
        },
        pk="respondent_id",
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db.table("results").create(
        {
            "id": int,
            "respondent_id": str,
            "created_at": str,
            "category": str,
            "score": int,
            "answers": str,
            "step_ids": str,
        },
        pk="id",
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db.table("results").create_index(["respondent_id", "created_at"])
    db.table("referrals").create({"code": str, "arrivals": int}, pk="code")


# --- tips and broadcasts (issue 4) ---------------------------------------------------------------


@migrations()
def m002_tips(db: Database) -> None:
    # A subscription names a chat, never a respondent: a private chat's size class is looked up through
    # the identity only at send time, and groups and channels have none.
    db.table("tip_subscriptions").create(
        {
            "chat_id": int,
            "kind": str,  # private, group, supergroup, channel
            "language": str,
            "schedule": str,  # daily or weekly
            "weekday": int,  # 0 = Monday … 6 = Sunday (ignored for daily)
            "at": str,  # "HH:MM" in the configured time zone
            "active": int,
            "created_at": str,
            "updated_at": str,
            "deactivated_reason": str,
        },
        pk="chat_id",
        not_null={"kind", "language", "schedule", "at", "active"},
    )
    db.table("tip_seen").create({"chat_id": int, "tip_id": str, "seen_at": str}, pk=("chat_id", "tip_id"))
    db.table("broadcasts").create(
        {
            "id": int,
            "kind": str,  # tips (a scheduled run) or admin
            "run_key": str,  # a scheduled run's slot and date, so a job firing twice starts one run
            "text": str,
            "created_by": int,
            "created_at": str,
            "status": str,  # draft, running, done, cancelled
            "finished_at": str,
            "status_chat_id": int,
            "status_message_id": int,
        },
        pk="id",
    )
    db.table("broadcasts").create_index(["run_key"], unique=True)
    db.table("deliveries").create(
        {
            "broadcast_id": int,
            "chat_id": int,  # the chat as it was addressed when the run was prepared
            "target_chat_id": int,  # where it goes now (differs after a group migrated)
            "tip_id": str,
            "language": str,
            "status": str,  # pending, sending, sent, failed, blocked, uncertain
            "attempts": int,
            "error": str,
            "message_id": int,
            "updated_at": str,
        },
        pk=("broadcast_id", "chat_id"),
        foreign_keys=[("broadcast_id", "broadcasts", "id")],
    )
    db.table("deliveries").create_index(["broadcast_id", "status"])


@migrations()
def m003_processed_updates(db: Database) -> None:
    # Telegram hands out an update again when the bot died before confirming it; applying an answer twice
    # would store it for the next question too. Its id is committed with the answer, so it is seen only once.
    db.table("processed_updates").create({"update_id": int, "processed_at": str}, pk="update_id")


@migrations()
def m004_reply_pending(db: Database) -> None:
    # Set with every committed answer, cleared once the reply is out: still set at the next message means
    # the user never saw the reply (crash, dropped connection), so that message is no answer to a new question.
    db.table("sessions").add_column("reply_pending", int, not_null_default=0)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Storage:
    """The bot's database: respondents, their sessions and results, and the link to channel identities."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path or os.environ.get("DATABASE_PATH") or DEFAULT_DATABASE_PATH)
        if self.path != ":memory:":
            Path(self.path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db = Database(conn)
        if self.path != ":memory:":
            self.db.enable_wal()
        # WAL + NORMAL: a committed transaction survives a killed process; only a power loss may lose the last one.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=30000")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

        A deferred transaction that reads first and writes later fails at once with "database is locked"
        when another process wrote in between; taking the lock up front lets ``busy_timeout`` wait instead.
        Nested use becomes a savepoint.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # --- identities -------------------------------------------------------------------------------

    def respondent_for(self, channel: str, user_id: str | int, *, language_code: str | None = None) -> str:
        """The respondent id linked to a channel identity, creating both on first contact.

        A user who writes again has evidently unblocked the bot, so a "blocked" mark is cleared here.
        """
        row = self._identity(channel, user_id)
        if row is not None:
            if row["blocked_at"]:
                self.mark_blocked(channel, user_id, blocked=False)
            return str(row["respondent_id"])
        respondent_id = secrets.token_hex(16)
        with self.write():
            self.db.table("respondents").insert({"id": respondent_id, "created_at": now()})
            self.db.table("identities").insert(
                {
                    "channel": channel,
                    "channel_user_id": str(user_id),
                    "respondent_id": respondent_id,
                    "language_code": language_code,
                    "created_at": now(),
                }
            )
        return respondent_id

    def find_respondent(self, channel: str, user_id: str | int) -> str | None:
        row = self._identity(channel, user_id)
        return None if row is None else str(row["respondent_id"])

    def _identity(self, channel: str, user_id: str | int) -> dict[str, Any] | None:
        rows = list(
            self.db.query(
                "select * from identities where channel = ? and channel_user_id = ?", [channel, str(user_id)]
            )
        )
        return rows[0] if rows else None

    def new_respondent_for(self, channel: str, user_id: str | int) -> str:
        """Give an identity a fresh respondent (e.g. a terminal run that starts anew)."""
        self.forget(channel, user_id)
        return self.respondent_for(channel, user_id)

    # --- sessions ---------------------------------------------------------------------------------

    def load_session(self, respondent_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from sessions where respondent_id = ?", [respondent_id]))
        if not rows:
            return None
        row = rows[0]
        try:
            answers = json.loads(row["answers"] or "{}")
        except ValueError:
            answers = {}
        return {
            "state": row["state"],
            "answers": answers,
            "language": row["language"],
            "reply_pending": bool(row["reply_pending"]),
        }

    def save_session(
        self,
        respondent_id: str,
        session: Mapping[str, Any],
        *,
        finished: bool = False,
        update_id: int | None = None,
        reply_pending: bool = False,
    ) -> None:
        """Commit the session before the channel replies, so nothing acknowledged is ever lost.

        ``update_id`` (a Telegram update) is committed in the same transaction: see ``is_processed``.
        """
        stamp = now()
        with self.write():
            if update_id is not None:
                self.db.execute(
                    "insert or ignore into processed_updates (update_id, processed_at) values (?, ?)",
                    [update_id, stamp],
                )
            self.db.execute(
                """
                insert into sessions (respondent_id, state, answers, language, started_at, updated_at, finished_at,
                                      reply_pending)
                values (:rid, :state, :answers, :language, :now, :now, :finished, :pending)
                on conflict (respondent_id) do update set
                    state = excluded.state, answers = excluded.answers, language = excluded.language,
                    updated_at = excluded.updated_at, reply_pending = excluded.reply_pending,
                    finished_at = coalesce(excluded.finished_at, sessions.finished_at)
                """,
                {
                    "rid": respondent_id,
                    "state": session["state"],
                    "answers": json.dumps(session["answers"], sort_keys=True),
                    "language": session["language"],
                    "now": stamp,
                    "finished": stamp if finished else None,
                    "pending": int(reply_pending),
                },
            )
            self.db.execute(
                "update respondents set language = ? where id = ?", [session["language"], respondent_id]
            )

    def mark_replied(self, respondent_id: str) -> None:
        """The reply to the last committed answer has been delivered."""
        self.db.execute("update sessions set reply_pending = 0 where respondent_id = ?", [respondent_id])

    def is_processed(self, update_id: int) -> bool:
        """Whether the changes of this Telegram update are already committed (it was handed out again)."""
        rows = self.db.execute("select 1 from processed_updates where update_id = ?", [update_id]).fetchall()
        return bool(rows)

    def forget_processed_updates(self, older_than_days: int = 7) -> None:
        """Telegram redelivers only unconfirmed updates of the last moments; a week of ids is plenty."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        self.db.execute("delete from processed_updates where processed_at < ?", [cutoff])

    # --- results ----------------------------------------------------------------------------------

    def save_result(
        self,
        respondent_id: str,
        *,
        category: str,
        score: int,
        answers: Mapping[str, Any],
        step_ids: list[str],
    ) -> None:
        self.db.table("results").insert(
            {
                "respondent_id": respondent_id,
                "created_at": now(),
                "category": category,
                "score": score,
                "answers": json.dumps(answers, sort_keys=True),
                "step_ids": json.dumps(step_ids),
            }
        )

    def latest_results(self, respondent_id: str, limit: int = 2) -> list[dict[str, Any]]:
        rows = self.db.query(
            "select * from results where respondent_id = ? order by id desc limit ?", [respondent_id, limit]
        )
        return [
            {**row, "answers": json.loads(row["answers"]), "step_ids": json.loads(row["step_ids"])}
            for row in rows
        ]

    # --- consent, referrals, reachability ------------------------------------------------------------

    def consent(self, respondent_id: str) -> bool | None:
        """Whether the respondent agreed to keep anonymous answers for statistics (None: not asked yet)."""
        rows = list(self.db.query("select consent from respondents where id = ?", [respondent_id]))
        if not rows or rows[0]["consent"] is None:
            return None
        return bool(rows[0]["consent"])

    def set_consent(self, respondent_id: str, consent: bool) -> None:
        self.db.execute("update respondents set consent = ? where id = ?", [int(consent), respondent_id])

    def referral_code(self, respondent_id: str) -> str:
        """The respondent's own share code, made on first use; it is never exported."""
        rows = list(self.db.query("select referral_code from respondents where id = ?", [respondent_id]))
        if rows and rows[0]["referral_code"]:
            return str(rows[0]["referral_code"])
        code = secrets.token_urlsafe(6)
        with self.write():
            self.db.execute("update respondents set referral_code = ? where id = ?", [code, respondent_id])
            self.db.execute("insert or ignore into referrals (code, arrivals) values (?, 0)", [code])
        return code

    def count_referral_arrival(self, code: str) -> bool:
        """Count one newcomer who arrived through ``code``, without linking the two people."""
        cursor = self.db.execute("update referrals set arrivals = arrivals + 1 where code = ?", [code])
        return cursor.rowcount > 0

    def referral_arrivals(self) -> int:
        return int(next(iter(self.db.query("select coalesce(sum(arrivals), 0) as n from referrals")))["n"])

    def mark_blocked(self, channel: str, user_id: str | int, blocked: bool = True) -> None:
        """Remember that a user blocked the bot (or unblocked it by writing again)."""
        self.db.execute(
            "update identities set blocked_at = ? where channel = ? and channel_user_id = ?",
            [now() if blocked else None, channel, str(user_id)],
        )

    def is_blocked(self, channel: str, user_id: str | int) -> bool:
        row = self._identity(channel, user_id)
        return bool(row and row["blocked_at"])

    def erase_answers(self, respondent_id: str) -> None:
        """Drop stored answers and results but keep the identity (used when consent was refused)."""
        with self.write():
            self.db.execute("delete from results where respondent_id = ?", [respondent_id])
            self.db.execute("update sessions set answers = '{}' where respondent_id = ?", [respondent_id])

    def personal_data(self, channel: str, user_id: str | int) -> dict[str, Any]:
        """Everything stored about one channel identity, for the user's access request (GDPR Art. 15)."""
        identity = self._identity(channel, user_id)
        if identity is None:
            return {"identity": None}
        rid = identity["respondent_id"]
        respondent = next(iter(self.db.query("select * from respondents where id = ?", [rid])), None)
        return {
            "identity": {
                k: identity[k]
                for k in ("channel", "channel_user_id", "language_code", "created_at", "blocked_at")
            },
            "respondent": respondent,
            "session": self.load_session(rid),
            "results": self.latest_results(rid, limit=1000),
            # A private chat's id is the user's id: its tip subscription belongs to the user too.
            "tip_subscription": self.tip_subscription(int(user_id))
            if str(user_id).lstrip("-").isdigit()
            else None,
        }

    # --- tips and broadcasts (issue 4) -------------------------------------------------------------
    # Subscriptions hold chat ids only; deliveries are written "sending" before and "sent" after each
    # send, so an interrupted run resumes without sending anything twice.

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
        self.db.execute(
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
        cursor = self.db.execute(
            "update tip_subscriptions set active = 0, deactivated_reason = ?, updated_at = ? "
            "where chat_id = ? and active = 1",
            [reason, now(), chat_id],
        )
        return cursor.rowcount > 0

    def tip_subscription(self, chat_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from tip_subscriptions where chat_id = ?", [chat_id]))
        return rows[0] if rows else None

    def set_tip_schedule(self, chat_id: int, *, schedule: str, weekday: int, at: str) -> bool:
        cursor = self.db.execute(
            "update tip_subscriptions set schedule = ?, weekday = ?, at = ?, updated_at = ? where chat_id = ?",
            [schedule, weekday, at, now(), chat_id],
        )
        return cursor.rowcount > 0

    def set_tip_language(self, chat_id: int, language: str) -> None:
        self.db.execute(
            "update tip_subscriptions set language = ?, updated_at = ? where chat_id = ?",
            [language, now(), chat_id],
        )

    def active_tip_subscriptions(self) -> list[dict[str, Any]]:
        return list(self.db.query("select * from tip_subscriptions where active = 1 order by chat_id"))

    def tip_slots(self) -> list[tuple[str, int, str]]:
        """The distinct (schedule, weekday, at) of active subscriptions; daily slots have weekday 0."""
        rows = self.db.query(
            "select distinct schedule, case when schedule = 'daily' then 0 else weekday end as weekday, at "
            "from tip_subscriptions where active = 1 order by 1, 2, 3"
        )
        return [(row["schedule"], int(row["weekday"]), row["at"]) for row in rows]

    def subscriptions_in_slot(self, schedule: str, weekday: int, at: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select * from tip_subscriptions where active = 1 and schedule = ? and at = ? "
                "and (schedule = 'daily' or weekday = ?) order by chat_id",
                [schedule, at, weekday],
            )
        )

    def migrate_tip_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Follow a group that became a supergroup: its subscription and seen tips move to the new id."""
        with self.write():
            if self.tip_subscription(new_chat_id) is None:
                self.db.execute(
                    "update tip_subscriptions set chat_id = ?, kind = 'supergroup', updated_at = ? where chat_id = ?",
                    [new_chat_id, now(), old_chat_id],
                )
            else:
                self.db.execute("delete from tip_subscriptions where chat_id = ?", [old_chat_id])
            self.db.execute(
                "update or ignore tip_seen set chat_id = ? where chat_id = ?", [new_chat_id, old_chat_id]
            )
            self.db.execute("delete from tip_seen where chat_id = ?", [old_chat_id])

    def seen_tips(self, chat_id: int) -> set[str]:
        return {
            row["tip_id"] for row in self.db.query("select tip_id from tip_seen where chat_id = ?", [chat_id])
        }

    def forget_seen_tips(self, chat_id: int) -> None:
        """Start a new round through the catalogue once a chat has seen every tip."""
        self.db.execute("delete from tip_seen where chat_id = ?", [chat_id])

    def latest_size_class(self, channel: str, user_id: int) -> str | None:
        """The size class of a private user's latest result, looked up only when a tip is chosen."""
        respondent_id = self.find_respondent(channel, user_id)
        if respondent_id is None:
            return None
        rows = list(
            self.db.query(
                "select category from results where respondent_id = ? order by id desc limit 1",
                [respondent_id],
            )
        )
        return str(rows[0]["category"]) if rows else None

    def create_broadcast(
        self,
        kind: str,
        deliveries: list[dict[str, Any]],
        *,
        text: str | None = None,
        run_key: str | None = None,
        created_by: int | None = None,
        status: str = "running",
    ) -> int | None:
        """Store a run with one pending delivery per chat in one transaction; None if ``run_key`` exists."""
        with self.write():
            if run_key is not None and list(
                self.db.query("select 1 from broadcasts where run_key = ?", [run_key])
            ):
                return None
            cursor = self.db.execute(
                "insert into broadcasts (kind, run_key, text, created_by, created_at, status) values (?, ?, ?, ?, ?, ?)",
                [kind, run_key, text, created_by, now(), status],
            )
            broadcast_id = int(cursor.lastrowid or 0)
            self.add_deliveries(broadcast_id, deliveries)
        return broadcast_id

    def add_deliveries(self, broadcast_id: int, deliveries: list[dict[str, Any]]) -> None:
        stamp = now()
        self.db.table("deliveries").insert_all(
            (
                {
                    "broadcast_id": broadcast_id,
                    "chat_id": d["chat_id"],
                    "target_chat_id": d["chat_id"],
                    "tip_id": d.get("tip_id"),
                    "language": d.get("language"),
                    "status": "pending",
                    "attempts": 0,
                    "updated_at": stamp,
                }
                for d in deliveries
            ),
            batch_size=1000,
        )

    def broadcast(self, broadcast_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from broadcasts where id = ?", [broadcast_id]))
        return rows[0] if rows else None

    def set_broadcast_status(self, broadcast_id: int, status: str) -> None:
        finished = now() if status in ("done", "cancelled") else None
        self.db.execute(
            "update broadcasts set status = ?, finished_at = ? where id = ?", [status, finished, broadcast_id]
        )

    def set_broadcast_status_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        self.db.execute(
            "update broadcasts set status_chat_id = ?, status_message_id = ? where id = ?",
            [chat_id, message_id, broadcast_id],
        )

    def unfinished_broadcasts(self) -> list[dict[str, Any]]:
        return list(self.db.query("select * from broadcasts where status = 'running' order by id"))

    def pending_deliveries(self, broadcast_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select * from deliveries where broadcast_id = ? and status = 'pending' order by rowid",
                [broadcast_id],
            )
        )

    def settle_interrupted_deliveries(self, broadcast_id: int) -> int:
        """Mark sends cut off by a crash as "uncertain": they may have arrived, so they are never repeated."""
        cursor = self.db.execute(
            "update deliveries set status = 'uncertain', updated_at = ? where broadcast_id = ? and status = 'sending'",
            [now(), broadcast_id],
        )
        return cursor.rowcount

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
            self.db.execute(
                "update deliveries set status = ?, error = coalesce(?, error), message_id = coalesce(?, message_id), "
                "target_chat_id = coalesce(?, target_chat_id), "
                "attempts = attempts + (case when ? = 'sending' then 1 else 0 end), updated_at = ? "
                "where broadcast_id = ? and chat_id = ?",
                [status, error, message_id, target_chat_id, status, now(), broadcast_id, chat_id],
            )
            if seen_tip is not None:
                self.db.execute(
                    "insert or ignore into tip_seen (chat_id, tip_id, seen_at) values (?, ?, ?)",
                    [target_chat_id if target_chat_id is not None else chat_id, seen_tip, now()],
                )

    def delivery_counts(self, broadcast_id: int) -> dict[str, int]:
        rows = self.db.query(
            "select status, count(*) as n from deliveries where broadcast_id = ? group by status",
            [broadcast_id],
        )
        return {row["status"]: int(row["n"]) for row in rows}

    def forget_tip_chat(self, chat_id: int) -> None:
        """Erase a private chat's subscription, seen tips and delivery records (part of /deletedata)."""
        with self.write():
            for table in ("tip_subscriptions", "tip_seen", "deliveries"):
                self.db.execute(f"delete from {table} where chat_id = ?", [chat_id])

    # --- end of tips and broadcasts ------------------------------------------------------------------

    # --- erasure ----------------------------------------------------------------------------------

    def forget(self, channel: str, user_id: str | int) -> bool:
        """Erase an identity with everything stored under its respondent id; True if there was anything."""
        respondent_id = self.find_respondent(channel, user_id)
        if respondent_id is None:
            return False
        with self.write():
            self.db.execute("delete from identities where respondent_id = ?", [respondent_id])
            self.db.execute("delete from sessions where respondent_id = ?", [respondent_id])
            self.db.execute("delete from results where respondent_id = ?", [respondent_id])
            self.db.execute("delete from respondents where id = ?", [respondent_id])
            # issue 4: a private chat's tip subscription and delivery records go too
            if channel == "telegram" and str(user_id).lstrip("-").isdigit():
                self.forget_tip_chat(int(user_id))
        return True

    def table_counts(self) -> Iterator[tuple[str, int]]:
        for name in ("respondents", "identities", "sessions", "results"):
            yield name, self.db[name].count

    # --- anonymous analytics (issue 5: admin export, statistics, peer benchmark) ----------------------
    # Only consenting respondents' latest results are read here, and never an identity or referral code.

    def consented_results(
        self, *, bandings: Sequence[Banding], values: Sequence[str], since: str | None = None
    ) -> ConsentedResults:
        """A read-only snapshot of consenting respondents' latest results (created from ``since``, "YYYY-MM").

        ``bandings`` turn number answers into band keys in SQL; ``values`` are answers read as they are stored.
        Use it as a context manager: counts and rows then come from one consistent snapshot.
        """
        return ConsentedResults(self, bandings, values, since)

    def respondent_count(self) -> int:
        return int(self.db.execute("select count(*) from respondents").fetchone()[0])

    def session_funnel(self) -> tuple[int, int, list[tuple[str, int]]]:
        """Sessions started, sessions finished, and unfinished sessions per current state (most first)."""
        started, finished = self.db.execute("select count(*), count(finished_at) from sessions").fetchone()
        states = self.db.execute(
            "select state, count(*) as n from sessions where finished_at is null group by state order by n desc, state"
        ).fetchall()
        return int(started), int(finished), [(str(state), int(n)) for state, n in states]

    def consented_category_counts(self) -> list[tuple[str, int]]:
        """How many consenting respondents' latest results fall into each size class."""
        rows = self.db.execute(
            f"select category, count(*) as n from ({_LATEST_CONSENTED}) group by category order by n desc, category",
            {"since": None},
        ).fetchall()
        return [(str(category), int(n)) for category, n in rows]

    def consented_share_medians(
        self, names: Sequence[str] = ("online_share", "social_share", "controlling_share")
    ) -> dict[str, dict[str, tuple[float, int]]]:
        """Median online, social-media and controlling shares per size class: {category: {share: (median, n)}}.

        Social-media and controlling shares count as 0 when nothing goes online, as the advisor assumes when it
        skips those questions. Medians are computed in SQL with window functions, so memory stays flat.
        """
        online = "cast(json_extract(answers, '$.online_share.value') as real)"
        shares = {
            "online_share": online,
            "social_share": f"case when {online} = 0 then 0.0"
            " else coalesce(cast(json_extract(answers, '$.social_share.value') as real), 0.0) end",
            "controlling_share": f"case when {online} = 0 then 0.0"
            " else coalesce(cast(json_extract(answers, '$.controlling_share.value') as real), 0.0) end",
        }
        medians: dict[str, dict[str, tuple[float, int]]] = {}
        for name in names:
            expression = shares[name]
            query = f"""
                with picked as (
                    select category, {expression} as x from ({_LATEST_CONSENTED}) where {online} is not null
                ),
                ranked as (
                    select category, x, row_number() over (partition by category order by x) as i,
                           count(*) over (partition by category) as n
                    from picked
                )
                select category, avg(x), max(n) from ranked where i in ((n + 1) / 2, (n + 2) / 2) group by category
            """
            for category, median, n in self.db.execute(query, {"since": None}).fetchall():
                medians.setdefault(str(category), {})[name] = (float(median), int(n))
        return medians


# Each consenting respondent's latest result; ``:since`` ("YYYY-MM" or null) filters on its creation date.
_LATEST_CONSENTED = """
    select r.created_at, r.category, r.score, r.answers, p.language
    from results r join respondents p on p.id = r.respondent_id
    where p.consent = 1
      and r.id = (select max(x.id) from results x where x.respondent_id = r.respondent_id)
      and (:since is null or r.created_at >= :since)
"""

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Banding:
    """How SQL puts a number answer into a band: bands in order, each with its exclusive upper bound.

    A stored band key is kept when it is one of ``bands`` or ``other_keys`` (e.g. "unknown"); a typed number
    falls into the first band whose bound it stays below (``None``: no bound).
    """

    question_id: str
    bands: tuple[tuple[str, float | None], ...]
    other_keys: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        return f"{self.question_id}_band"


class ConsentedResults:
    """A read-only snapshot for an export: group counts of the quasi-identifiers first, then rows in chunks.

    File databases are read over a connection of its own inside one transaction, so both passes see the same
    data while the bot keeps writing, and the export may run in another thread.
    """

    def __init__(
        self, storage: Storage, bandings: Sequence[Banding], values: Sequence[str], since: str | None
    ):
        for name in [b.question_id for b in bandings] + list(values):
            if not _NAME.match(name):
                raise ValueError(f"not a question id: {name!r}")
        self.storage = storage
        self.since = since
        self.params: dict[str, Any] = {"since": since}
        columns = ["substr(created_at, 1, 7) as month", "coalesce(language, '') as language"]
        for banding in bandings:
            columns.append(f"{self._band_sql(banding)} as {banding.column}")
        for name in values:
            self.params[f"path_{name}"] = f"$.{name}.value"
            columns.append(f"json_extract(answers, :path_{name}) as {name}")
        columns += ["category", "score"]
        self.quasi_identifiers: tuple[str, ...] = ("month", "language", *(b.column for b in bandings))
        self._from = f"(select {', '.join(columns)} from ({_LATEST_CONSENTED}))"
        self._conn: sqlite3.Connection | None = None
        self._own = False

    def _band_sql(self, banding: Banding) -> str:
        prefix = banding.question_id
        self.params[f"{prefix}_bandpath"] = f"$.{prefix}.band"
        self.params[f"{prefix}_valuepath"] = f"$.{prefix}.value"
        band, value = (
            f"json_extract(answers, :{prefix}_bandpath)",
            f"json_extract(answers, :{prefix}_valuepath)",
        )
        known = [key for key, _ in banding.bands] + list(banding.other_keys)
        for index, key in enumerate(known):
            self.params[f"{prefix}_key{index}"] = key
        listed = ", ".join(f":{prefix}_key{i}" for i in range(len(known)))
        parts = [f"case when {band} in ({listed}) then {band}", f"when {value} is null then null"]
        for index, (_key, upper) in enumerate(banding.bands):
            if upper is None:
                parts.append(f"else :{prefix}_key{index}")
                break
            self.params[f"{prefix}_upper{index}"] = upper
            parts.append(f"when cast({value} as real) < :{prefix}_upper{index} then :{prefix}_key{index}")
        parts.append("end")
        return " ".join(parts)

    def __enter__(self) -> ConsentedResults:
        path = self.storage.path
        if path == ":memory:":
            self._conn = self.storage.db.conn
        else:
            uri = Path(path).expanduser().resolve().as_uri() + "?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.execute("begin")
            self._own = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None and self._own:
            self._conn.execute("rollback")
            self._conn.close()
        self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("use ConsentedResults as a context manager")
        return self._conn

    def group_counts(self) -> Iterator[tuple[tuple[Any, ...], int]]:
        """How many respondents share each combination of the quasi-identifiers."""
        keys = ", ".join(self.quasi_identifiers)
        cursor = self.conn.execute(f"select {keys}, count(*) from {self._from} group by {keys}", self.params)
        for row in cursor:
            yield tuple(row[:-1]), int(row[-1])

    def rows(self, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
        """All rows in a fresh random order (so a row's position tells nothing), fetched ``chunk_size`` at a time."""
        cursor = self.conn.execute(f"select * from {self._from} order by random()", self.params)
        names = [d[0] for d in cursor.description]
        while chunk := cursor.fetchmany(chunk_size):
            for row in chunk:
                yield dict(zip(names, row, strict=True))
