"""HTTP requests to the Bot API with retries for failures that cannot have delivered anything."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# Calls that change nothing twice when repeated; a read timeout on them is retried too.
IDEMPOTENT_METHODS = frozenset(
    {
        "getMe",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "sendChatAction",
        "answerCallbackQuery",
        "editMessageText",
        "editMessageReplyMarkup",
        "setMyCommands",
        "deleteMyCommands",
        "getMyCommands",
        "deleteWebhook",
        "setWebhook",
        "deleteMessage",
    }
)


class RetryingRequest(HTTPXRequest):
    """Retry connections that failed before the request was sent, and idempotent calls.

    A send whose answer timed out or came back as a server error (5xx) is not repeated, since Telegram may
    have delivered it already: one missing acknowledgement is better than a message shown twice.
    """

    def __init__(self, *args: Any, attempts: int = 4, backoff: float = 0.5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.backoff = backoff

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                code, payload = await super().do_request(url, method, *args, **kwargs)
            except TimedOut as error:
                cause = error.__cause__
                safe = (
                    isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout)
                    or api_method in IDEMPOTENT_METHODS
                )
                if last or not safe:
                    raise
                log.warning("Bot API %s timed out, retrying (%d/%d)", api_method, attempt, self.attempts)
            except NetworkError as error:
                cause = error.__cause__
                not_sent = isinstance(cause, httpx.ConnectError)
                if last or not (not_sent or api_method in IDEMPOTENT_METHODS):
                    raise
                log.warning("Bot API %s failed (%s), retrying", api_method, type(cause).__name__)
            else:
                # A server error after the request was sent leaves open whether it took effect: only a call
                # that changes nothing twice is repeated; for a send the caller decides ("uncertain").
                if code < 500 or last or api_method not in IDEMPOTENT_METHODS:
                    return code, payload
                log.warning(
                    "Bot API %s answered %d, retrying (%d/%d)", api_method, code, attempt, self.attempts
                )
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")
