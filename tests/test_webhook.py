"""The webhook server with the real PTB application: refusals on the headers, capped bodies, quiet logs."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.telegram.webhook import MAX_BODY_BYTES, SECRET_HEADER, webhook_server
from tests.support.harness import USER, Harness

SECRET = "s3cret-token_0123"
PATH = "telegram/kmu"


class Served:
    def __init__(self, bot: Harness, port: int) -> None:
        self.bot = bot
        self.port = port

    async def post(
        self, body: bytes, *, secret: str | None = SECRET, length: int | None = None, send_body: bool = True
    ) -> int:
        """POST to the webhook and return the status line's code; with ``send_body=False`` only the headers go."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        headers = [
            f"POST /{PATH} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Content-Type: application/json",
            f"Content-Length: {len(body) if length is None else length}",
        ]
        if secret is not None:
            headers.append(f"{SECRET_HEADER}: {secret}")
        writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + (body if send_body else b""))
        await writer.drain()
        try:
            status_line = await asyncio.wait_for(reader.readline(), 5)
        finally:
            writer.close()
        return int(status_line.split()[1])


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    bot = Harness(tmp_path / "bot.db")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with bot.app:
        await bot.app.start()
        server = webhook_server(bot.app, PATH, SECRET)
        server.listen(port, address="127.0.0.1")
        try:
            yield Served(bot, port)
        finally:
            server.stop()
            await server.close_all_connections()
            await bot.app.stop()


def start_update(update_id: int) -> bytes:
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 1700000000,
                "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "Test", "language_code": "de"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
    ).encode()


async def test_an_update_with_the_secret_is_handled(served: Served) -> None:
    assert await served.post(start_update(1)) == 200
    for _ in range(100):
        if served.bot.request.sent(USER):
            break
        await asyncio.sleep(0.02)
    assert "cons|1" in served.bot.buttons()


async def test_a_request_without_the_secret_is_refused_on_its_headers(served: Served) -> None:
    # 90 MB announced, none sent: the answer comes without waiting for (or reading) the body.
    assert await served.post(b"", secret=None, length=90_000_000, send_body=False) == 403
    assert await served.post(b"", secret="wrong", length=90_000_000, send_body=False) == 403
    assert await served.post(start_update(2), secret="wrong") == 403
    assert served.bot.request.sent(USER) == []


@pytest.mark.parametrize(
    "secret",
    [SECRET[:-1], SECRET[:4], SECRET + "x", SECRET + SECRET, "x" + SECRET, SECRET.upper(), ""],
    ids=["one-short", "prefix", "one-more", "twice", "shifted", "case", "empty"],
)
async def test_a_secret_that_only_shares_a_prefix_is_refused(served: Served, secret: str) -> None:
    assert await served.post(start_update(3), secret=secret) == 403
    assert served.bot.request.sent(USER) == []


async def test_a_body_over_the_cap_is_refused_before_it_is_read(served: Served) -> None:
    assert await served.post(b"", length=MAX_BODY_BYTES + 1, send_body=False) == 413


async def test_malformed_json_with_the_secret_is_a_bad_request(served: Served) -> None:
    assert await served.post(b'{"update_id": 3, "message": ') == 400
    assert await served.post(b"\xff\xfe not utf-8") == 400
    assert await served.post(b"[1, 2]") == 400


async def test_an_unreadable_update_is_logged_by_id_and_type_only(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(
        {
            "update_id": 4711,
            "message": {"message_id": "x", "chat": "Erika Mustermann", "from": 17, "text": "Umsatz 2 Mio"},
        }
    ).encode()
    assert await served.post(body) == 400
    assert "4711" in caplog.text and "message" in caplog.text
    assert "Mustermann" not in caplog.text and "Umsatz" not in caplog.text
