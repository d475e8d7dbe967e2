"""The webhook: a small tornado server that feeds the application's update queue.

It refuses a request on its headers, before reading the body: the secret token must match, and a body may
not be larger than any update Telegram sends. A body that is no JSON gets 400, and an update PTB cannot read
is logged by its id and type only, never with its content (names, ids and texts of users).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import signal
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream
from tornado.netutil import bind_sockets

from bot.config import Config, ConfigError
from bot.telegram.services import App
from bot.telegram.webhook_guard import GuardedHTTPServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes (a message holds at most 4,096 characters plus entities).
MAX_BODY_BYTES = 1 << 20


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """Takes one update per POST; the body is read only after the headers passed."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_application: App, secret: str | None) -> None:
        self.bot_application = bot_application
        self.secret = secret
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        if self.secret is not None:
            token = self.request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(token.encode(), self.secret.encode()):
                raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        length = self.request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self._busy(True)  # serving a request: not closed to make room for a new connection

    def on_finish(self) -> None:
        self._busy(False)

    def on_connection_close(self) -> None:
        self._busy(False)

    def _busy(self, busy: bool) -> None:
        stream = getattr(self.request.connection, "stream", None)
        marks = getattr(self.application, "busy", None)
        if isinstance(stream, IOStream) and isinstance(marks, set):
            if busy:
                marks.add(stream)
            else:
                marks.discard(stream)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_BODY_BYTES:  # a chunked body without a length
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            data = json.loads(b"".join(self.chunks))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # nested beyond any update
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        try:
            update = Update.de_json(data, self.bot_application.bot)
        except Exception as error:  # also RecursionError: a deeply nested field
            log.error(
                "Update %s (%s) could not be read and is dropped: %s",
                _update_id(data),
                ", ".join(key for key in data if key != "update_id")[:100] or "no type",
                type(error).__name__,
            )
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        await self.bot_application.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *args: Any) -> None:
        """Refusals are answered by their status; nothing about the request goes into the log."""


def _update_id(data: dict[str, Any]) -> int | None:
    value = data.get("update_id")
    return value if isinstance(value, int) else None


class _Quiet(tornado.web.Application):
    busy: set[IOStream]  # the server's streams that serve a request now

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: paths and addresses are of no use here."""


def webhook_server(application: App, path: str, secret: str | None) -> HTTPServer:
    """The HTTP server of the webhook at ``/path``; bodies over the cap are never read whole."""
    routes = [
        (
            rf"/{re.escape(path.strip('/'))}/?",
            UpdateHandler,
            {"bot_application": application, "secret": secret},
        )
    ]
    app = _Quiet(routes)
    server = GuardedHTTPServer(app, max_body_size=MAX_BODY_BYTES, max_buffer_size=MAX_BODY_BYTES)
    app.busy = server.busy
    return server


def listen_sockets(config: Config) -> list[Any]:
    """Bind the webhook's address before anything is registered with Telegram; one line when it cannot."""
    try:
        return bind_sockets(config.webhook_port, address=config.webhook_listen)
    except (OSError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ConfigError(
            f"WEBHOOK_LISTEN/WEBHOOK_PORT: cannot listen on {config.webhook_listen}:{config.webhook_port}: "
            f"{reason}"
        ) from None


async def serve_webhook(application: App, config: Config) -> None:
    """Bind the address, start the application, register the webhook with Telegram and serve it until
    SIGINT or SIGTERM; then stop like polling does, with the application's stop hook."""
    sockets = listen_sockets(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(number, stop.set)
    server: HTTPServer | None = None
    try:
        async with application:
            if application.post_init is not None:
                await application.post_init(application)
            await application.bot.set_webhook(
                config.webhook_url or "",
                secret_token=config.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
            server = webhook_server(application, config.webhook_path, config.webhook_secret)
            server.add_sockets(sockets)
            await application.start()
            log.info("Webhook served on %s:%d", config.webhook_listen, config.webhook_port)
            try:
                await stop.wait()
            finally:
                server.stop()
                await server.close_all_connections()
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
    finally:
        if server is None:
            for sock in sockets:
                sock.close()
        for number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(number)
