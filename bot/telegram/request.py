"""HTTP requests to the Bot API with retries for failures that cannot have delivered anything."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import ssl
from functools import cache
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


# Set by the broadcaster around its sends: a server error (5xx) answered after a send reached Telegram may
# follow a delivery, so such a send is recorded "uncertain" instead of repeated (a repeat showed 16-18 chats a
# broadcast twice). The dialogue's replies keep the retry: a lost reply there costs the user a nudge.
SENDS_FINAL_ON_SERVER_ERROR: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sends_final_on_server_error", default=False
)


@cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context of every Bot API client in this process, built as httpx builds its own.

    httpx makes a context per client and loads the CA certificates into each (~20 ms of CPU); a start has
    four clients (requests and updates, for the first getMe and then for the bot), where one context serves
    them all. A context may be shared between clients: it holds settings and certificates, not connections.
    """
    return httpx.create_ssl_context()


def shared_tls(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``HTTPXRequest`` keyword arguments with the shared TLS context, unless they bring their own."""
    httpx_kwargs = {"verify": tls_context(), **(kwargs.pop("httpx_kwargs", None) or {})}
    return {**kwargs, "httpx_kwargs": httpx_kwargs}


class RetryingRequest(HTTPXRequest):
    """Retry server errors (5xx) and connections that failed before the request was sent.

    A send whose answer timed out is not repeated, since Telegram may have delivered it already: one missing
    acknowledgement is better than a message shown twice. Inside ``SENDS_FINAL_ON_SERVER_ERROR`` the same
    holds for a send answered with a server error.
    """

    def __init__(self, *args: Any, attempts: int = 4, backoff: float = 0.5, **kwargs: Any) -> None:
        super().__init__(*args, **shared_tls(kwargs))
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
                final = SENDS_FINAL_ON_SERVER_ERROR.get() and api_method not in IDEMPOTENT_METHODS
                if code < 500 or last or final:
                    return code, payload
                log.warning(
                    "Bot API %s answered %d, retrying (%d/%d)", api_method, code, attempt, self.attempts
                )
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")
