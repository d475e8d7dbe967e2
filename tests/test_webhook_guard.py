"""The webhook under hostile connections, and the real ``serve_webhook`` started and stopped.

Idle and slow connections are capped and closed, a failing accept backs off and logs once per interval, a
body nested beyond any update is a bad request, the stop hook runs on SIGTERM, and an address that cannot be
used is reported before anything is registered with Telegram.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError
from bot.telegram import webhook_guard
from bot.telegram.webhook import serve_webhook, webhook_server
from tests.support.harness import USER, Harness
from tests.test_webhook import PATH, SECRET, Served, served, start_update

__all__ = ["served"]  # the fixture, imported for these tests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_body_nested_beyond_any_update_is_a_bad_request(served: Served) -> None:
    assert await served.post(b"[" * 100_000 + b"]" * 100_000) == 400
    deep = b'{"update_id": 5, "message": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}"
    assert await served.post(deep) == 400


async def test_idle_connections_beyond_the_cap_make_room_for_an_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_guard, "HEADER_TIMEOUT", 30.0)  # they would stay open for the whole test
    bot = Harness(tmp_path / "bot.db")
    port = free_port()
    async with bot.app:
        await bot.app.start()
        server = webhook_server(bot.app, PATH, SECRET)
        assert isinstance(server, webhook_guard.GuardedHTTPServer)
        server.max_connections = 20
        server.listen(port, address="127.0.0.1")
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(60)]
        try:
            await asyncio.sleep(0.3)
            assert len(server._opened) <= 20
            status = await asyncio.wait_for(Served(bot, port).post(start_update(1)), 5)
            assert status == 200
            assert server.evicted >= 40
        finally:
            for _, writer in idle:
                writer.close()
            server.stop()
            await server.close_all_connections()
            await bot.app.stop()


async def test_a_connection_without_headers_is_closed_after_the_header_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_guard, "HEADER_TIMEOUT", 0.3)
    bot = Harness(tmp_path / "bot.db")
    port = free_port()
    async with bot.app:
        server = webhook_server(bot.app, PATH, SECRET)
        server.listen(port, address="127.0.0.1")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /" + PATH.encode() + b" HTTP/1.1\r\nHost: x\r\n")  # and then nothing
            await writer.drain()
            assert await asyncio.wait_for(reader.read(), 3) == b""  # closed by the server
            writer.close()
        finally:
            server.stop()
            await server.close_all_connections()


class FailingSocket(socket.socket):
    """A listening socket whose accepts fail as with exhausted file descriptors."""

    def accept(self) -> Any:
        raise OSError(errno.EMFILE, "Too many open files")


async def test_failing_accepts_back_off_and_are_logged_once_per_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(webhook_guard, "ACCEPT_BACKOFF", 0.05)
    bot = Harness(tmp_path / "bot.db")
    listener = FailingSocket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    server = webhook_server(bot.app, PATH, SECRET)
    assert isinstance(server, webhook_guard.GuardedHTTPServer)
    calls = 0
    original = server._accept_failed

    def counted(error: OSError) -> None:
        nonlocal calls
        calls += 1
        original(error)

    server._accept_failed = counted  # type: ignore[method-assign]
    server.add_sockets([listener])
    client = socket.create_connection(listener.getsockname())
    with caplog.at_level(logging.ERROR):
        await asyncio.sleep(0.5)  # about ten backoffs
    server.stop()
    client.close()
    assert 3 <= calls <= 15  # one try per backoff, not a busy loop
    lines = [r for r in caplog.records if "cannot accept" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None and "EMFILE" in lines[0].getMessage()


def webhook_env(port: int, db: Path) -> dict[str, str]:
    return {
        "WEBHOOK_URL": "https://bot.example/" + PATH,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
        "DATABASE_PATH": str(db),
    }


async def test_serve_webhook_runs_the_stop_hook_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    bot = Harness(tmp_path / "bot.db", env=webhook_env(port, tmp_path / "bot.db"))
    task = asyncio.create_task(serve_webhook(bot.app, bot.config))
    for _ in range(200):
        if [name for name, _ in bot.request.calls if name == "setWebhook"] and bot.app.running:
            break
        await asyncio.sleep(0.02)
    served = Served(bot, port)
    assert await served.post(start_update(1)) == 200
    for _ in range(200):
        if bot.request.sent(USER):
            break
        await asyncio.sleep(0.02)
    ran: list[bool] = []
    hook = bot.app.post_stop
    assert hook is not None

    async def observed(application: Any) -> None:
        ran.append(True)
        await hook(application)

    bot.app.post_stop = observed
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 10)
    assert ran == [True]
    assert not bot.app.running


async def test_an_address_in_use_is_one_line_before_anything_is_registered(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        bot = Harness(tmp_path / "bot.db", env=webhook_env(port, tmp_path / "bot.db"))
        with pytest.raises(ConfigError, match="WEBHOOK_LISTEN/WEBHOOK_PORT"):
            await serve_webhook(bot.app, bot.config)
    assert bot.request.calls == []  # no setWebhook, no command menu
