"""The records tests read (calls, injected faults) and the fake's own state of chats and messages."""

from __future__ import annotations

import collections
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.botapi.limits import JSONDict

# --------------------------------------------------------------------------------------------------
# Records shared with tests.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRecord:
    """One request the bot made. ``time`` is ``time.monotonic()`` at completion; ``status`` 0 = dropped."""

    method: str
    params: JSONDict
    time: float
    chat_id: int | str | None
    status: int
    description: str | None = None
    result: Any = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Fault:
    """An injected failure; see ``BotApiFake.inject``. ``remaining`` None means it never runs out."""

    method: str | None
    error: int | str
    retry_after: int = 1
    remaining: int | None = 1
    chat_id: int | str | None = None
    description: str | None = None
    delay: float = 6.0
    takes_effect: bool | None = None
    hits: int = 0

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is None:
            if method in ("getUpdates", "getMe"):
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    @property
    def applies_effect(self) -> bool:
        """Whether the request still takes effect: by default yes for "timeout", no for "drop"."""
        if self.takes_effect is not None:
            return self.takes_effect
        return self.error == "timeout"


@dataclass
class _RandomFaults:
    rng: random.Random
    rate: float
    errors: tuple[int | str, ...]
    methods: frozenset[str] | None  # lower-case names; None = every method but getMe
    retry_after: int
    delay: float


@dataclass
class _Limits:
    global_per_second: float | None
    per_chat_per_second: float | None
    per_group_per_minute: float | None
    time_scale: float

    def allowed(self, base: float | None) -> int | None:
        return None if base is None else max(1, math.floor(base * self.time_scale))


@dataclass
class _Message:
    data: JSONDict
    from_bot: bool
    version: int = 0
    deleted: bool = False
    reply_keyboard: JSONDict | None = None  # a reply keyboard sent along (Telegram does not echo it)


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    bot_rights: dict[str, bool] = field(default_factory=dict)
    messages: dict[int, _Message] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    next_message_id: int = 1
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None
    reply_keyboard: tuple[int, JSONDict] | None = None
    sends_second: collections.deque[float] = field(default_factory=collections.deque)
    sends_minute: collections.deque[float] = field(default_factory=collections.deque)


def _inline_buttons(markup: JSONDict | None) -> list[JSONDict]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def _reply_keyboard_labels(markup: JSONDict | None) -> list[str]:
    if not markup or "keyboard" not in markup:
        return []
    return [b if isinstance(b, str) else str(b.get("text", "")) for row in markup["keyboard"] for b in row]


def _api(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        function._api_method = name  # type: ignore[attr-defined]
        return function

    return mark


class _Outcome:
    __slots__ = ("body", "delay", "drop", "status")

    def __init__(self, status: int, body: bytes | None, *, delay: float = 0.0, drop: bool = False) -> None:
        self.status = status
        self.body = body
        self.delay = delay
        self.drop = drop
