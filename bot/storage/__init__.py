"""All persistence of the bot, in one SQLite file; nothing else in the project writes SQL.

``Storage`` is the one object the rest of the bot holds: one connection, with one store per aggregate
(respondents and identities, sessions and results, tips and deliveries, analytics) mixed in.
"""

from __future__ import annotations

from bot.storage.analytics import AnalyticsStore, Banding, ConsentedResults
from bot.storage.db import DEFAULT_DATABASE_PATH, SchemaError
from bot.storage.respondents import RespondentStore
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
from bot.storage.tips import TipStore

__all__ = [
    "DEFAULT_DATABASE_PATH",
    "SHARES",
    "Banding",
    "BroadcastRow",
    "ConsentedResults",
    "DeliveryRow",
    "IdentityRow",
    "PersonalData",
    "PlannedDelivery",
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

from typing import TypedDict


class PersonalData(TypedDict):
    """Everything stored about one channel identity (the answer to an access request, GDPR Art. 15)."""

    identity: dict[str, object] | None
    respondent: RespondentRow | None
    session: StoredSession | None
    results: list[ResultRow]
    tip_subscription: SubscriptionRow | None


class Storage(RespondentStore, SessionStore, TipStore, AnalyticsStore):
    """The bot's database."""

    def personal_data(self, channel: str, user_id: str | int, chat_id: int | None = None) -> PersonalData:
        """Everything stored about one channel identity, and the subscription of its private chat (if any)."""
        identity = self.identity(channel, user_id)
        subscription = self.tip_subscription(chat_id) if chat_id is not None else None
        if identity is None:
            return PersonalData(
                identity=None, respondent=None, session=None, results=[], tip_subscription=subscription
            )
        rid = identity["respondent_id"]
        respondent = self.row("select * from respondents where id = ?", [rid])
        shown = ("channel", "channel_user_id", "language_code", "created_at", "blocked_at")
        return PersonalData(
            identity={key: identity[key] for key in shown},  # type: ignore[literal-required]
            respondent=respondent,  # type: ignore[typeddict-item]
            session=self.load_session(rid),
            results=self.latest_results(rid, limit=1000),
            tip_subscription=subscription,
        )

    def forget_everything(self, channel: str, user_id: str | int, chat_id: int | None = None) -> bool:
        """Erase an identity with everything under its respondent id, and its private chat's tip records."""
        with self.write():
            found = self.forget(channel, user_id)
            if chat_id is not None:
                self.forget_tip_chat(chat_id)
        return found
