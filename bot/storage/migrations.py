"""The schema and its history: one sqlite-utils migration per change, applied in order on open.

A database keeps the names of the migrations it ran; ``bot.storage.db`` refuses one that ran a migration this
version does not know (it was written by a newer version). The migrations are listed in ``SCHEMA`` and handed
to sqlite-utils' ``Migrations`` only when one is due (``migration_set``): a start on a current database
reads the names it ran and needs neither sqlite-utils nor its import (~30 ms of CPU).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from bot.storage.count_triggers import STATISTICS_COUNTS, execute_script

if TYPE_CHECKING:
    from bot.storage.library import Database, Migrations

SET_NAME = "kmu_berater"  # the migration set's name in sqlite-utils' table of applied migrations


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


def m003_processed_updates(db: Database) -> None:
    # A channel hands out an update again when the bot died before confirming it; applying an answer twice
    # would store it for the next question too. Its id is committed with the answer, so it is seen only once.
    db.table("processed_updates").create({"update_id": int, "processed_at": str}, pk="update_id")


def m004_reply_pending(db: Database) -> None:
    # Set with every committed answer, cleared once the reply is out: still set at the next message means
    # the user never saw the reply (crash, dropped connection), so that message is no answer to a new question.
    db.table("sessions").add_column("reply_pending", int, not_null_default=0)


def m005_statistics_counts(db: Database) -> None:
    # /stats and the peer benchmark read counts kept up to date by triggers instead of scanning every result
    # (a scan of a million results took half a minute and blocked the bot). Every write path stays as it was:
    # the triggers follow inserts and deletes of results, consent changes, sessions, respondents and referrals.
    execute_script(db, STATISTICS_COUNTS)


def m006_privacy(db: Database) -> None:
    # Consent is recorded with the version of the text the user saw and the month of the decision.
    db.table("respondents").add_column("consent_version", int)
    db.table("respondents").add_column("consent_month", str)
    # A salt per share code, and one salted hash of each Telegram account that arrived through it: an arrival
    # counts once per account without storing who; the hashes go with the code.
    db.table("referrals").add_column("salt", str)
    db.execute("update referrals set salt = lower(hex(randomblob(16)))")
    db.table("referral_arrivals").create(
        {"code": str, "account_hash": str, "month": str},
        pk=("code", "account_hash"),
        foreign_keys=[("code", "referrals", "code")],
    )
    # Retention moves a kept result to a fresh respondent id: the statistics' copy of it moves along.
    db.execute(
        """
        create trigger results_moved after update of respondent_id on results begin
            update result_latest set respondent_id = new.respondent_id where result_id = new.id;
        end
        """
    )


def m007_broadcast_lease(db: Database) -> None:
    # The process sending a run holds it by a lease it renews while it sends; another process takes the run
    # over only when the lease has run out (or its holder on this machine is gone), so no run has two senders.
    db.table("broadcasts").add_column("owner", str)
    db.table("broadcasts").add_column("lease_until", float)


def m008_followup(db: Database) -> None:
    # Follow-through after a result: steps ticked off, the opt-in to reminders, and the reminders themselves.
    # Every row hangs on the pseudonymous respondent id (no chat id: the chat is looked up through the
    # identity when a reminder is sent) and goes with the respondent, whichever way it is erased.
    execute_script(
        db,
        """
        create table plan_progress (
            respondent_id text not null references respondents (id) on delete cascade,
            step_id text not null,
            done integer not null,
            marked_on text not null,
            kpi_value text,
            kpi_on text,
            primary key (respondent_id, step_id)
        );
        create table followups (
            respondent_id text primary key references respondents (id) on delete cascade,
            offered_on text,
            opted_in integer,
            decided_on text,
            awaiting_kpi_step text,
            report_result_id integer
        );
        create table reminders (
            id integer primary key,
            respondent_id text not null references respondents (id) on delete cascade,
            kind text not null,
            ref text not null,
            due_at text not null,
            status text not null default 'pending',
            owner text,
            claimed_at real,
            sent_at text,
            error text,
            unique (respondent_id, kind, ref, due_at)
        );
        create index reminders_due on reminders (status, due_at);
        create index reminders_respondent on reminders (respondent_id);
        """,
    )


# Every migration, in the order they run; a new one is added at the end (a test fails for one left out).
SCHEMA: tuple[Callable[[Database], None], ...] = (
    m001_initial,
    m002_tips,
    m003_processed_updates,
    m004_reply_pending,
    m005_statistics_counts,
    m006_privacy,
    m007_broadcast_lease,
    m008_followup,
)
KNOWN = tuple(migration.__name__ for migration in SCHEMA)


@cache
def migration_set() -> Migrations:
    """``SCHEMA`` as sqlite-utils' migration set (imports sqlite-utils: only when a migration is due)."""
    from bot.storage.library import Migrations

    migrations = Migrations(SET_NAME)
    for migration in SCHEMA:
        migrations()(migration)
    return migrations
