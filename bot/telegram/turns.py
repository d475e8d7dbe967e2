"""The application class: each update takes its turn at the database file's write gate before it runs.

The retention pass writes in a worker thread while updates are handled on the event loop, whose writes are
synchronous. An update that met the pass's transaction inside one of them held the whole loop until that
transaction committed (up to 640 ms at 100,000 due under load). Here an update first awaits the end of the
pass's current transaction, so the loop runs on, and the pass starts no new one while updates are running
(see ``bot.storage.write_gate``).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.storage.write_gate import loop_turn
from bot.telegram.services import Services


class TurnTakingApplication(Application[Any, Any, Any, Any, Services, Any]):
    """PTB's application; every update (polled, posted to the webhook or fed in by tests) waits its turn."""

    async def process_update(self, update: object) -> None:
        async with loop_turn(self.bot_data.storage.path):
            await super().process_update(update)
