"""The start against the Bot API: a rejected token and an unreachable server as one line each, with retries."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.telegram.startup import StartError, reach_bot_api
from tests.support.botapi import BotApiFake

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token-for-start-tests-only"
UNKNOWN_TOKEN = "123456:a-token-the-bot-api-does-not-know"


@pytest.fixture
def fake() -> Iterator[BotApiFake]:
    with BotApiFake(TOKEN, bot_username="KmuStartBot") as server:
        yield server


def config(base_url: str, token: str = TOKEN):  # type: ignore[no-untyped-def]
    return load_config({"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": base_url})


def test_the_bot_api_answers(fake: BotApiFake) -> None:
    assert asyncio.run(reach_bot_api(config(fake.base_url))) == "@KmuStartBot"


def test_a_rejected_token_is_a_configuration_error_without_the_token(fake: BotApiFake) -> None:
    with pytest.raises(StartError) as caught:
        asyncio.run(reach_bot_api(config(fake.base_url, UNKNOWN_TOKEN)))
    assert caught.value.exit_code == 2
    assert "rejected TELEGRAM_BOT_TOKEN" in str(caught.value)
    assert UNKNOWN_TOKEN.split(":")[1] not in str(caught.value)


def test_an_unreachable_bot_api_is_retried_with_growing_pauses_then_given_up() -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    unreachable = config("http://127.0.0.1:9/bot")  # the discard port: nothing listens
    with pytest.raises(StartError) as caught:
        asyncio.run(reach_bot_api(unreachable, attempts=4, first_pause=2, sleep=sleep))
    assert pauses == [2, 4, 8]
    assert caught.value.exit_code == 1
    assert "not reachable after 4 attempts" in str(caught.value)
    assert TOKEN.split(":")[1] not in str(caught.value)


def test_a_bot_api_that_comes_back_is_used(fake: BotApiFake) -> None:
    base_url = fake.base_url
    fake.stop()
    restarted: list[BotApiFake] = []

    async def sleep(seconds: float) -> None:
        if not restarted:  # the server comes back during the first pause, on the same port
            port = int(base_url.split(":")[2].split("/")[0])
            restarted.append(BotApiFake(TOKEN, bot_username="KmuStartBot", port=port).start())

    try:
        assert asyncio.run(reach_bot_api(config(base_url), attempts=3, sleep=sleep)) == "@KmuStartBot"
    finally:
        for server in restarted:
            server.stop()


def run_bot(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "telegram"],
        env={**base, "DATABASE_PATH": str(tmp_path / "bot.db"), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.e2e
def test_run_bot_with_a_rejected_token_prints_one_line_and_exits_2(fake: BotApiFake, tmp_path: Path) -> None:
    result = run_bot({"TELEGRAM_BOT_TOKEN": UNKNOWN_TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped? BotFather's /token shows the current one)"
    ]
    assert UNKNOWN_TOKEN.split(":")[1] not in result.stdout + result.stderr


def test_the_clients_of_a_start_load_the_certificates_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    from bot.telegram import request
    from bot.telegram.startup import probe_bot

    built: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        built.append(create(*args, **kwargs))  # type: ignore[arg-type]
        return built[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    request.tls_context.cache_clear()
    try:
        probe_bot(config("http://127.0.0.1:9"))  # the getMe before the start: two clients
        request.RetryingRequest(connection_pool_size=64)  # then the bot's requests and its updates
        request.RetryingRequest(attempts=1, read_timeout=40)
    finally:
        request.tls_context.cache_clear()
    assert len(built) == 1  # httpx alone would have built (and filled with certificates) four
