"""The first contact with the Bot API at start: a rejected token or an unreachable server as one line each.

A rejected token cannot heal by waiting, so the start stops with exit code 2 (systemd's unit does not restart
it). A network failure may be brief (the host just booted, a proxy restarts): it is retried with growing
pauses, a bounded number of times, then the start fails with exit code 1 and the service manager decides.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import InvalidToken, NetworkError
from telegram.request import HTTPXRequest

from bot.config import Config
from bot.telegram.request import shared_tls

log = logging.getLogger(__name__)

ATTEMPTS = 6  # 2 + 4 + 8 + 16 + 32 s: about a minute before giving up
FIRST_PAUSE = 2.0


class StartError(Exception):
    """The bot cannot start; ``exit_code`` 2 for a configuration error, 1 for a failure worth retrying later."""

    def __init__(self, line: str, exit_code: int) -> None:
        super().__init__(line)
        self.exit_code = exit_code


def without_token(text: str, token: str | None) -> str:
    """``text`` on one line with the token blanked out wherever it appears."""
    line = " ".join(text.split())
    return line.replace(token, "<token>") if token else line


async def reach_bot_api(
    config: Config,
    *,
    attempts: int = ATTEMPTS,
    first_pause: float = FIRST_PAUSE,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> str:
    """Ask getMe until it answers; the bot's @username, or StartError with one line that never holds the token."""
    assert config.token is not None
    pause = first_pause
    for attempt in range(1, attempts + 1):
        bot = probe_bot(config)
        try:
            me = await bot.get_me()
            return f"@{me.username}"
        except InvalidToken as error:
            raise StartError(
                "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped? BotFather's /token shows the current"
                " one)",
                2,
            ) from error
        except NetworkError as error:
            reason = without_token(f"{type(error).__name__}: {error}", config.token)
            if attempt == attempts:
                raise StartError(
                    f"The Bot API at {_host(config.api_base_url)} is not reachable after {attempts} attempts"
                    f" ({reason})",
                    1,
                ) from error
            log.warning(
                "The Bot API is not reachable (%s); attempt %d of %d, next in %.0f s",
                reason,
                attempt,
                attempts,
                pause,
            )
        finally:
            await bot.shutdown()
        await sleep(pause)
        pause *= 2
    raise AssertionError("unreachable")


def probe_bot(config: Config) -> Bot:
    """The Bot that asks getMe before the start; its two clients share the process's TLS context."""
    assert config.token is not None
    return Bot(
        config.token,
        base_url=config.api_base_url,
        base_file_url=config.api_file_url,
        request=HTTPXRequest(**shared_tls({"connect_timeout": 10, "read_timeout": 10})),
        get_updates_request=HTTPXRequest(**shared_tls({})),
    )


def _host(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(url).netloc or url
