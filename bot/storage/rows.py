"""Typed rows the stores return: what a caller may read, by name and type."""

from __future__ import annotations

from typing import Any, Required, TypedDict


class StoredSession(TypedDict):
    """A session as stored: the engine's ``Session.to_dict()`` plus the reply-pending mark."""

    state: str
    answers: dict[str, Any]
    language: str
    reply_pending: int  # the token of the reply not known to be delivered; 0: none


class Visitor(TypedDict):
    """What one read tells about a channel identity at the start of an update."""

    respondent_id: str
    consent: bool | None
    consent_version: int | None
    blocked: bool
    language: str | None
    referral_code: str | None
    session: StoredSession | None


class ResultRow(TypedDict):
    id: int
    respondent_id: str
    created_at: str
    category: str
    score: int
    answers: dict[str, Any]
    step_ids: list[str]


class IdentityRow(TypedDict):
    channel: str
    channel_user_id: str
    respondent_id: str
    language_code: str | None
    blocked_at: str | None
    created_at: str


class RespondentRow(TypedDict):
    id: str
    created_at: str
    language: str | None
    consent: int | None
    referral_code: str | None
    consent_version: int | None
    consent_month: str | None


class SubscriptionRow(TypedDict):
    chat_id: int
    kind: str
    language: str
    schedule: str
    weekday: int | None
    at: str
    active: int
    created_at: str
    updated_at: str
    deactivated_reason: str | None


class BroadcastRow(TypedDict):
    id: int
    kind: str
    run_key: str | None
    text: str | None
    created_by: int | None
    created_at: str
    status: str
    finished_at: str | None
    status_chat_id: int | None
    status_message_id: int | None
    owner: str | None
    lease_until: float | None


class DeliveryRow(TypedDict):
    broadcast_id: int
    chat_id: int
    target_chat_id: int
    tip_id: str | None
    language: str | None
    status: str
    attempts: int
    error: str | None
    message_id: int | None
    updated_at: str


class PlannedDelivery(TypedDict, total=False):
    """One chat a run is to reach, with the tip chosen for it (none for an admin broadcast)."""

    chat_id: Required[int]
    tip_id: str | None
    language: str | None


class SessionStateCount(TypedDict):
    """How many sessions stand at one question (``state``), finished or not."""

    state: str
    finished: bool
    n: int


class ShareValueCount(TypedDict):
    """How many consenting respondents' latest results of a size class hold one value of a share."""

    share: str
    category: str
    value: float
    n: int


# Row builders: a row read by name into its typed shape, so that a renamed column fails here, not downstream.


def identity_row(row: dict[str, Any]) -> IdentityRow:
    return IdentityRow(
        channel=str(row["channel"]),
        channel_user_id=str(row["channel_user_id"]),
        respondent_id=str(row["respondent_id"]),
        language_code=row["language_code"],
        blocked_at=row["blocked_at"],
        created_at=str(row["created_at"]),
    )


def subscription_row(row: dict[str, Any]) -> SubscriptionRow:
    return SubscriptionRow(
        chat_id=int(row["chat_id"]),
        kind=str(row["kind"]),
        language=str(row["language"]),
        schedule=str(row["schedule"]),
        weekday=row["weekday"],
        at=str(row["at"]),
        active=int(row["active"]),
        created_at=str(row["created_at"]),
        updated_at=str(row["updated_at"]),
        deactivated_reason=row["deactivated_reason"],
    )


def broadcast_row(row: dict[str, Any]) -> BroadcastRow:
    return BroadcastRow(
        id=int(row["id"]),
        kind=str(row["kind"]),
        run_key=row["run_key"],
        text=row["text"],
        created_by=row["created_by"],
        created_at=str(row["created_at"]),
        status=str(row["status"]),
        finished_at=row["finished_at"],
        status_chat_id=row["status_chat_id"],
        status_message_id=row["status_message_id"],
        owner=row["owner"],
        lease_until=row["lease_until"],
    )


def delivery_row(row: dict[str, Any]) -> DeliveryRow:
    return DeliveryRow(
        broadcast_id=int(row["broadcast_id"]),
        chat_id=int(row["chat_id"]),
        target_chat_id=int(row["target_chat_id"]),
        tip_id=row["tip_id"],
        language=row["language"],
        status=str(row["status"]),
        attempts=int(row["attempts"]),
        error=row["error"],
        message_id=row["message_id"],
        updated_at=str(row["updated_at"]),
    )
