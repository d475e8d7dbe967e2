"""Send due reminders exactly once, through the broadcasts' pacer, never at night.

Like a broadcast's delivery, each reminder is claimed before its request (only one process wins the claim) and
recorded after it; a send a crash cut off is settled as "uncertain" and never repeated, because the Bot API
cannot tell whether it arrived and a reminder shown twice is worse than one missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.broadcast.lease import holder_is_gone, new_owner
from bot.broadcast.pacer import ChatPacer
from bot.followup import schedule
from bot.storage import ReminderRow, Storage

log = logging.getLogger(__name__)

RETRY_LATER = timedelta(minutes=5)


@dataclass(frozen=True)
class Outgoing:
    """A reminder as it is sent: HTML text and its buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None


Render = Callable[[ReminderRow], Outgoing | None]


@dataclass
class RunCounts:
    sent: int = 0
    skipped: int = 0  # another process had it, or nothing is left to say
    blocked: int = 0
    uncertain: int = 0
    postponed: int = 0
    failed: int = 0


class ReminderSender:
    """Sends the due reminders of the ledger; any number of processes may run it on one database."""

    def __init__(
        self,
        storage: Storage,
        bot: Bot,
        pacer: ChatPacer,
        render: Render,
        *,
        zone: ZoneInfo,
        channel: str,
        on_blocked: Callable[[str], object] | None = None,
        clock: Callable[[], datetime] | None = None,
        owner: str | None = None,
    ) -> None:
        self.storage = storage
        self.bot = bot
        self.pacer = pacer
        self.render = render
        self.zone = zone
        self.channel = channel
        self.on_blocked = on_blocked
        self.clock = clock or (lambda: datetime.now(UTC))
        self.owner = owner or new_owner()

    async def run_due(self, limit: int = 500) -> RunCounts:
        """Send what is due now (nothing at night: it waits for the morning)."""
        counts = RunCounts()
        settled = self.storage.followup.settle_interrupted_reminders(self.owner, holder_is_gone)
        if settled:
            log.warning("%d reminder sends were cut off by a restart and are not repeated", settled)
        now = self.clock()
        if not schedule.is_daytime(now, self.zone):
            return counts
        for row in self.storage.followup.due_reminders(now, limit):
            await self._send(row, counts)
        return counts

    async def _send(self, row: ReminderRow, counts: RunCounts) -> None:
        reminder_id = int(row["id"])
        if row["kind"] == schedule.DEADLINE and self._deadline_passed(row):
            self.storage.followup.finish_reminder(reminder_id, "expired")  # never after the date
            counts.skipped += 1
            return
        chat_id = self.storage.followup.chat_of(row["respondent_id"], self.channel)
        outgoing = self.render(row) if chat_id is not None else None
        if chat_id is None or outgoing is None:
            self.storage.followup.finish_reminder(reminder_id, "skipped", error="nothing to send")
            counts.skipped += 1
            return
        await self.pacer.acquire(chat_id, counted=False)  # the chat's spacing and the overall pace
        try:
            async with self.pacer.on_the_wire():
                if not self.storage.followup.claim_reminder(reminder_id, self.owner):
                    counts.skipped += 1
                    return  # another process has it
                await self.bot.send_message(
                    chat_id,
                    outgoing.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=outgoing.markup,
                    disable_web_page_preview=True,
                )
        except RetryAfter as error:
            seconds = error.retry_after
            wait = seconds if isinstance(seconds, timedelta) else timedelta(seconds=float(seconds))
            self.pacer.pause_chat(chat_id, wait.total_seconds())
            self.storage.followup.postpone_reminder(reminder_id, self.clock() + wait, error="429")
            counts.postponed += 1
        except Forbidden:
            self.storage.followup.finish_reminder(reminder_id, "blocked", error="403")
            if self.on_blocked is not None:
                self.on_blocked(row["respondent_id"])
            counts.blocked += 1
        except TimedOut:
            self.storage.followup.finish_reminder(
                reminder_id, "uncertain", error="timeout"
            )  # may have arrived
            counts.uncertain += 1
        except BadRequest as error:
            self.storage.followup.finish_reminder(reminder_id, "failed", error=str(error)[:200])
            counts.failed += 1
        except NetworkError as error:
            if error.__cause__ is None or isinstance(error.__cause__, httpx.ConnectError):  # surely not sent
                self.storage.followup.postpone_reminder(
                    reminder_id, self.clock() + RETRY_LATER, error="network"
                )
                counts.postponed += 1
            else:
                self.storage.followup.finish_reminder(reminder_id, "uncertain", error=type(error).__name__)
                counts.uncertain += 1
        else:
            self.storage.followup.finish_reminder(reminder_id, "sent")
            counts.sent += 1

    def _deadline_passed(self, row: ReminderRow) -> bool:
        """Whether the duty's date is today or past (the lead time is in the ref, the date is due + lead)."""
        _duty, lead = schedule.deadline_of(row["ref"])
        due = datetime.fromisoformat(row["due_at"])
        deadline_day = (due.astimezone(self.zone) + timedelta(days=lead)).date()
        return self.clock().astimezone(self.zone).date() >= deadline_day
