"""The replies' rate limiter: Telegram's overall budget shared with the broadcasts, and each chat on its own.

PTB's ``AIORateLimiter`` pauses every request on any 429, so one chat's "retry after 8" held every other chat's
reply for 8 seconds. Here a 429 holds only the chat it names; the overall ~30 a second is counted through the
broadcast pacer's ``on_the_wire``, so replies sent beside a broadcast share its budget instead of adding to it.
A group also keeps its 20 messages a minute, counted together with the broadcasts into it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.broadcast.pacer import ChatPacer

log = logging.getLogger(__name__)

# Calls that do not put a message into a chat and are not counted by Telegram's flood limits.
UNCOUNTED = frozenset({"answerCallbackQuery", "getMe", "getUpdates", "setWebhook", "deleteWebhook"})
# Retries after a 429 before the error reaches the handler; each waits the chat's own retry_after.
MAX_RETRIES = 3


class ReplyLimiter(BaseRateLimiter[int]):
    """Per-chat pauses and group limits, the overall limit through the shared pacer."""

    def __init__(self, pacer_of: Callable[[], ChatPacer], *, max_retries: int = MAX_RETRIES) -> None:
        self._pacer_of = pacer_of
        self._max_retries = max_retries
        self._paused_until: dict[int | str, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up: the state is a few dictionaries."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat = _chat_key(data.get("chat_id"))
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        for attempt in range(retries + 1):
            await self._wait_for_chat(chat)
            try:
                async with self._counted(chat, endpoint):
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = error.retry_after
                wait = seconds if isinstance(seconds, int | float) else seconds.total_seconds()
                if chat is not None:
                    self._pause(chat, wait + 0.1)
                if attempt == retries:
                    raise
                log.info("Rate limit for one chat: retrying after %.1f s", wait)
                if chat is None:
                    await asyncio.sleep(wait + 0.1)
        raise AssertionError("unreachable")

    def _pause(self, chat: int | str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._paused_until[chat] = max(self._paused_until.get(chat, 0.0), until)
        if isinstance(chat, int):
            self._pacer_of().pause_chat(chat, seconds)  # the broadcasts honour it too
        if len(self._paused_until) > 1024:  # forget pauses that are over
            now = time.monotonic()
            for key in [key for key, end in self._paused_until.items() if end <= now]:
                del self._paused_until[key]

    async def _wait_for_chat(self, chat: int | str | None) -> None:
        """Wait out this chat's own 429, and a group's 20 a minute; other chats are not held."""
        if chat is None:
            return
        while (wait := self._paused_until.get(chat, 0.0) - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        if isinstance(chat, int) and chat < 0:
            pacer = self._pacer_of()
            while (ready := pacer.ready_at(chat, time.monotonic())) > time.monotonic():
                await asyncio.sleep(ready - time.monotonic())
            pacer.note_send(chat, time.monotonic())

    @contextlib.asynccontextmanager
    async def _counted(self, chat: int | str | None, endpoint: str) -> AsyncIterator[None]:
        if chat is None or endpoint in UNCOUNTED:
            yield
            return
        async with self._pacer_of().on_the_wire():
            yield


def _chat_key(chat_id: object) -> int | str | None:
    if chat_id is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(str(chat_id))
    return str(chat_id)
