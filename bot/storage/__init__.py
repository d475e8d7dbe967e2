"""All persistence of the bot, in one SQLite file; nothing else in the project writes SQL.

``Storage`` is the one object the rest of the bot holds: one connection (the unit of work: ``write()`` is one
transaction, whichever stores write in it) and one small store per aggregate beside it: ``respondents``,
``sessions``, ``tips``, ``broadcasts``, ``stats`` and ``retention``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from bot.storage.broadcasts import BroadcastStore
from bot.storage.checkpoints import Checkpoint, checkpoint, leave_checkpoints_to_worker
from bot.storage.db import DEFAULT_DATABASE_PATH, Connection, Params, SchemaError
from bot.storage.followthrough import FollowThroughCounts
from bot.storage.followup import FollowupRow, FollowupStore, PlanProgressRow, ReminderRow
from bot.storage.respondents import RespondentStore
from bot.storage.retention import RetentionStore
from bot.storage.rows import (
    BroadcastRow,
    DeliveryRow,
    IdentityRow,
    PlannedDelivery,
    RespondentRow,
    ResultRow,
    SessionStateCount,
    ShareValueCount,
    StoredSession,
    SubscriptionRow,
    Visitor,
)
from bot.storage.sessions import SessionStore
from bot.storage.shares import SHARES
from bot.storage.stats import Banding, ConsentedResults, StatsStore
from bot.storage.tips import TipStore

if TYPE_CHECKING:
    from bot.storage.library import Database

__all__ = [
    "DEFAULT_DATABASE_PATH",
    "SHARES",
    "Banding",
    "BroadcastRow",
    "Checkpoint",
    "ConsentedResults",
    "DeliveryRow",
    "FollowupRow",
    "IdentityRow",
    "PersonalData",
    "PlanProgressRow",
    "PlannedDelivery",
    "ReminderRow",
    "RespondentRow",
    "ResultRow",
    "SchemaError",
    "SessionStateCount",
    "ShareValueCount",
    "Storage",
    "StoredSession",
    "SubscriptionRow",
    "Visitor",
]


class PersonalData(TypedDict):
    """Everything stored about one channel identity (the answer to an access request, GDPR Art. 15)."""

    identity: dict[str, object] | None
    respondent: RespondentRow | None
    session: StoredSession | None
    results: list[ResultRow]
    consent: dict[str, object] | None
    share_code: dict[str, object] | None
    tip_subscription: SubscriptionRow | None
    tips_seen: list[dict[str, object]]
    deliveries: list[dict[str, object]]
    broadcasts_created: list[dict[str, object]]
    session_times: dict[str, object] | None  # when the check was started, last answered and finished
    referral_arrival: list[dict[str, object]]  # the salted hash kept for arriving through a share code
    plan_progress: list[PlanProgressRow]
    followup: FollowupRow | None
    reminders: list[ReminderRow]


class Storage:
    """The bot's database: one connection, and a store per aggregate that writes through it."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.connection = Connection(path, read_only=read_only)
        self.respondents = RespondentStore(self.connection)
        self.sessions = SessionStore(self.connection)
        self.tips = TipStore(self.connection)
        self.broadcasts = BroadcastStore(self.connection)
        self.stats = StatsStore(self.connection)
        self.retention = RetentionStore(self.connection)
        self.followup = FollowupStore(self.connection)
        self.followthrough = FollowThroughCounts(self.connection)  # anonymous counts for /stats, export

    @property
    def path(self) -> str:
        return self.connection.path

    @property
    def db(self) -> Database:
        return self.connection.db

    def write(self) -> contextlib.AbstractContextManager[None]:
        """One transaction for everything written inside it, by any store (see ``Connection.write``)."""
        return self.connection.write()

    def close(self) -> None:
        self.connection.close()

    @property
    def checkpoints_off_loop(self) -> bool:
        """Whether the database is a file whose log a worker thread can checkpoint (not ``:memory:``)."""
        return self.path != ":memory:"

    def leave_checkpoints_to_worker(self) -> None:
        """From now on this connection's commits leave the log to ``checkpoint`` (see ``bot.storage.checkpoints``)."""
        leave_checkpoints_to_worker(self.connection.conn)

    def checkpoint(self) -> Checkpoint:
        """Copy the log into the database file on a connection of the calling thread (any thread)."""
        return checkpoint(self.path)

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return self.connection.rows(sql, params)

    def row(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        return self.connection.row(sql, params)

    def personal_data(self, channel: str, user_id: str | int, chat_id: int | None = None) -> PersonalData:
        """Every row keyed by the identity, its respondent id or its private chat (GDPR Art. 15)."""
        identity = self.respondents.identity(channel, user_id)
        chat_rows: dict[str, list[dict[str, object]]] = {"tip_seen": [], "deliveries": []}
        subscription = None
        if chat_id is not None:
            subscription = self.tips.tip_subscription(chat_id)
            chat_rows["tip_seen"] = self.rows(
                "select tip_id, seen_at from tip_seen where chat_id = ?", [chat_id]
            )
            chat_rows["deliveries"] = self.rows(
                "select broadcast_id, tip_id, language, status, attempts, error, message_id, updated_at "
                "from deliveries where chat_id = ? or target_chat_id = ? order by broadcast_id",
                [chat_id, chat_id],
            )
        created = self.rows(
            "select id, kind, text, created_at, status, finished_at from broadcasts where created_by = ? "
            "order by id",
            [_as_int(user_id)],
        )
        data = PersonalData(
            identity=None,
            respondent=None,
            session=None,
            results=[],
            consent=None,
            share_code=None,
            tip_subscription=subscription,
            tips_seen=chat_rows["tip_seen"],
            deliveries=chat_rows["deliveries"],
            broadcasts_created=created,
            session_times=None,
            referral_arrival=[],
            plan_progress=[],
            followup=None,
            reminders=[],
        )
        if identity is None:
            return data
        rid = identity["respondent_id"]
        respondent = self.row("select * from respondents where id = ?", [rid])
        shown = ("channel", "channel_user_id", "language_code", "created_at", "blocked_at")
        data["identity"] = {key: identity[key] for key in shown}  # type: ignore[literal-required]
        data["respondent"] = respondent  # type: ignore[typeddict-item]
        data["session"] = self.sessions.load_session(rid)
        data["session_times"] = self.row(
            "select started_at, updated_at, finished_at from sessions where respondent_id = ?", [rid]
        )
        data["referral_arrival"] = self.respondents.own_referral_arrivals(identity["channel_user_id"])
        data["results"] = self.sessions.latest_results(rid, limit=1000)
        data["plan_progress"] = self.followup.plan_progress(rid)
        data["followup"] = self.followup.followup(rid)
        data["reminders"] = self.followup.reminders_of(rid)
        if respondent is not None:
            data["consent"] = {
                "given": None if respondent["consent"] is None else bool(respondent["consent"]),
                "text_version": respondent["consent_version"],
                "month": respondent["consent_month"],
            }
            if respondent["referral_code"]:
                data["share_code"] = self.row(
                    "select code, arrivals from referrals where code = ?", [respondent["referral_code"]]
                )
        return data

    def forget_everything(self, channel: str, user_id: str | int, chat_id: int | None = None) -> bool:
        """Erase every row ``personal_data`` shows: the identity with everything under its respondent id
        (share code included), its private chat's tip records, and the user as author of broadcasts."""
        with self.write():
            found = self.respondents.forget(channel, user_id)
            if chat_id is not None:
                self.tips.forget_tip_chat(chat_id)
            authored = self.execute(
                "update broadcasts set created_by = null where created_by = ?", [_as_int(user_id)]
            )
            self.execute(  # a running broadcast still reports to its author's chat until it is done
                "update broadcasts set status_chat_id = null, status_message_id = null "
                "where status_chat_id = ? and status != 'running'",
                [chat_id],
            )
        return found or authored.rowcount > 0


def _as_int(user_id: str | int) -> int | None:
    try:
        return int(user_id)
    except ValueError:
        return None
