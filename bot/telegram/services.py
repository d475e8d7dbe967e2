"""The typed dependencies every handler reaches through ``context.bot_data``, and the handlers' context type."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.advisor import Advisor
from bot.broadcast.lease import Lease
from bot.broadcast.pacer import ChatPacer
from bot.config import Config
from bot.storage import Storage
from bot.telegram.photos import SentPhotos

if TYPE_CHECKING:  # made on first use, and imported then: a start needs none of them
    from bot.followup.service import FollowupService
    from bot.telegram.broadcaster import TipBroadcaster
    from bot.telegram.reminders import ReminderSender

CHANNEL = "telegram"  # the channel name of Telegram identities in storage


class Services:
    """The application's dependencies. PTB creates ``bot_data`` without arguments, so ``bind`` fills it in."""

    def __init__(self) -> None:
        self._config: Config | None = None
        self._storage: Storage | None = None
        self._advisor: Advisor | None = None
        self.pacer: ChatPacer | None = None  # the broadcaster's pacer (benchmarks and tests give their own)
        self.broadcaster: TipBroadcaster | None = None  # made on first use
        self.lease: Lease | None = None  # this process's hold on the runs it sends (made on first use)
        self.tasks: set[asyncio.Task[Any]] = set()  # broadcast runs in the background
        self.runs: set[int] = set()  # the ids of the runs this process sends now
        self.admin_menus_shown: set[int] = set()  # admins whose menu this process set at their /start
        self.followup_service: FollowupService | None = None  # made on first use (tests give a clock)
        self.reminder_sender: ReminderSender | None = None  # made on first use
        self.awaiting_figure: set[str] = set()  # users whose next text is a figure (rebuilt at start)
        self.sent_photos = SentPhotos()  # file_ids of the charts uploaded, to send them again by id

    def bind(self, config: Config, storage: Storage) -> None:
        self._config = config
        self._storage = storage
        self._advisor = Advisor(
            storage,
            asks_consent=True,
            confirms_replies=True,
            shares=True,
            default_language=config.default_language,
        )

    @property
    def config(self) -> Config:
        if self._config is None:
            raise RuntimeError("Services.bind was not called")
        return self._config

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("Services.bind was not called")
        return self._storage

    @property
    def advisor(self) -> Advisor:
        if self._advisor is None:
            raise RuntimeError("Services.bind was not called")
        return self._advisor

    @property
    def followup(self) -> FollowupService:
        if self.followup_service is None:
            from bot.followup.service import FollowupService

            self.followup_service = FollowupService(
                self.storage, self.advisor, ZoneInfo(self.config.reminders_timezone)
            )
        return self.followup_service

    def is_admin(self, user_id: int | None) -> bool:
        """Whether the user is one of the bot's admins (ADMIN_IDS): the one definition of that rule."""
        return user_id is not None and user_id in self.config.admin_ids


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Services]
CONTEXT_TYPES = ContextTypes(bot_data=Services)
App = Application[Any, Any, Any, Any, Services, Any]
