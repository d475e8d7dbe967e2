"""The SQLite connection: pragmas, the schema's migrations, write transactions and the schema-version check."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

DEFAULT_DATABASE_PATH = "kmu_berater.db"

migrations = Migrations("kmu_berater")

Params = Sequence[Any] | Mapping[str, Any]


class SchemaError(RuntimeError):
    """The database was written by a newer version of the bot; this version must not change it."""


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
    # A channel hands out an update again when the bot died before confirming it; applying an answer twice
    # would store it for the next question too. Its id is committed with the answer, so it is seen only once.
    db.table("processed_updates").create({"update_id": int, "processed_at": str}, pk="update_id")


@migrations()
def m004_reply_pending(db: Database) -> None:
    # Set with every committed answer, cleared once the reply is out: still set at the next message means
    # the user never saw the reply (crash, dropped connection), so that message is no answer to a new question.
    db.table("sessions").add_column("reply_pending", int, not_null_default=0)


@migrations()
def m005_broadcast_lease(db: Database) -> None:
    # The process sending a run holds it by a lease it renews while it sends; another process takes the run
    # over only when the lease has run out (or its holder on this machine is gone), so no run has two senders.
    db.table("broadcasts").add_column("owner", str)
    db.table("broadcasts").add_column("lease_until", float)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_schema(db: Database) -> None:
    """Refuse a database with migrations this version does not know (it was written by a newer version)."""
    known = [migration.name for migration in migrations._migrations]
    applied = [migration.name for migration in migrations.applied(db)]
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise SchemaError(
            f"the database has schema version {len(applied)} ({applied[-1]}), this version of the bot knows "
            f"schema version {len(known)} ({known[-1]}); run the newer version of the bot or restore a backup"
        )


class Connection:
    """One SQLite connection with its pragmas and the schema brought up to date; the base of every store."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        """Open (and bring up to date) the database; ``read_only`` opens it for reading only, changing nothing:
        no WAL switch, no migrations (for the export, which may run on a read-only copy)."""
        self.path = str(path or os.environ.get("DATABASE_PATH") or DEFAULT_DATABASE_PATH)
        if read_only:
            uri = Path(self.path).expanduser().resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
            self.db = Database(conn)
            self.db.execute("PRAGMA busy_timeout=30000")
            check_schema(self.db)  # also reads the file: a file that is no database fails here
            return
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
        check_schema(self.db)
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

        A deferred transaction that reads first and writes later fails at once with "database is locked"
        when another process wrote in between; taking the lock up front lets ``busy_timeout`` wait instead.
        Nested use joins the outer transaction (a savepoint), so callers can group several writes into one.
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

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.db.conn.execute(sql, params)

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as dicts, read straight from the connection (sqlite-utils' query adds a savepoint per call)."""
        cursor = self.db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def row(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None
