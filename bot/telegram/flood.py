"""Fair shares of the update processing: a flooding chat cannot take the places of everyone else.

PTB runs up to 256 updates at once. One chat's updates are handled one after the other (a user's lock), so
1,000 messages from one user used to hold all 256 places while waiting for that lock, and a second user's
/help waited behind them for 90 seconds. Here a chat has at most ``PER_CHAT`` updates in the processor;
updates beyond that are dropped, and the chat is told so once per ``NOTICE_INTERVAL``. The updates that are
taken run in the order they came (the lock is fair), and each is handled and committed as usual.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.i18n import LANGUAGES, Translator
from bot.rendering import HTML
from bot.telegram.services import App
from dialogs.text import msg

log = logging.getLogger(__name__)

MAX_CONCURRENT = 256  # PTB's own default for concurrent updates
PER_CHAT = 8  # updates of one chat in the processor at once (running or waiting for the chat's lock)
NOTICE_INTERVAL = 60.0  # seconds: at most one "slow down" notice per chat in this time

SLOW_DOWN = msg(
    "You are writing faster than I can answer, so I skipped some of your messages. "
    "Please wait for my reply and then continue."
)


class FairUpdateProcessor(BaseUpdateProcessor):
    """Concurrent updates with a cap per chat; the excess is dropped with one notice."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT, per_chat: int = PER_CHAT) -> None:
        super().__init__(max_concurrent_updates)
        self.per_chat = per_chat
        self.application: App | None = None
        self._taken: dict[int, int] = {}
        self._noticed: dict[int, float] = {}
        self.dropped = 0  # how many updates were dropped since start (for logs and benchmarks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: every taken update is awaited by PTB before shutdown."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = _chat_of(update)
        if chat is None:
            await coroutine
            return
        if self._taken.get(chat, 0) >= self.per_chat:
            _close(coroutine)
            self.dropped += 1
            self._notice(chat, update)
            return
        self._taken[chat] = self._taken.get(chat, 0) + 1
        try:
            await coroutine
        finally:
            left = self._taken[chat] - 1
            if left:
                self._taken[chat] = left
            else:
                del self._taken[chat]

    def _notice(self, chat: int, update: object) -> None:
        now = time.monotonic()
        if now - self._noticed.get(chat, -NOTICE_INTERVAL) < NOTICE_INTERVAL:
            return
        self._noticed[chat] = now
        if len(self._noticed) > 4096:
            for key in [k for k, at in self._noticed.items() if now - at >= NOTICE_INTERVAL]:
                del self._noticed[key]
        log.warning("A chat sends faster than it is answered: its excess updates are dropped")
        application = self.application
        if application is None or not isinstance(update, Update):
            return
        user = update.effective_user
        code = (user.language_code or "de")[:2] if user is not None else "de"
        t = Translator(code if code in LANGUAGES else "de")
        application.create_task(_send_notice(application, chat, HTML.escape(t(SLOW_DOWN))))


async def _send_notice(application: App, chat: int, text: str) -> None:
    try:
        await application.bot.send_message(chat, text, parse_mode="HTML")
    except TelegramError as error:  # a courtesy; the chat's own next update is answered as usual
        log.info("Slow-down notice not sent: %s", type(error).__name__)


def _chat_of(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    return user.id if user is not None else None


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
