"""Deliver one message to many chats within Telegram's flood limits, exactly once per chat, across crashes.

A run (``broadcasts`` row) has one ``deliveries`` row per chat. Each send is claimed before the request (pending
becomes "sending" only if it still was pending, so two senders never both send it) and recorded as "sent" (or
failed, blocked) after it, both committed. After a crash, rows still "sending" are
marked "uncertain" and never sent again: the Bot API offers no way to ask whether a message arrived, and a
message shown twice is worse than one missing, so a message cut off mid-request may be missing but is never shown twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.broadcast.lease import Lease
from bot.broadcast.pacer import DEFAULT_RATE, ChatPacer
from bot.storage import DeliveryRow, Storage
from bot.telegram.request import SENDS_FINAL_ON_SERVER_ERROR

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5

Render = Callable[[DeliveryRow], str | None]
Progress = Callable[["BroadcastProgress"], Awaitable[None]]


@dataclass
class BroadcastProgress:
    """Counts of one run, for the admin's status message and the final report."""

    broadcast_id: int
    total: int
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    uncertain: int = 0
    migrated: int = 0
    rate_limited: int = 0
    handed_over: bool = False  # another process took the run over (this one had stalled past its lease)
    started: float = field(default_factory=time.monotonic)
    rate: float = DEFAULT_RATE

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.blocked + self.uncertain

    @property
    def seconds_left(self) -> int:
        return int((self.total - self.done) / self.rate + 0.999)


@dataclass(order=True)
class _Queued:
    ready: float
    seq: int
    row: DeliveryRow = field(compare=False)


class TipBroadcaster:
    """Sends the pending deliveries of runs through one pacer, records each outcome, follows migrations.

    ``render(delivery_row)`` returns the HTML text for a delivery (None skips it as failed).
    """

    def __init__(
        self,
        storage: Storage,
        bot: Bot,
        *,
        pacer: ChatPacer | None = None,
        concurrency: int = 64,
        on_blocked: Callable[[int], object] | None = None,
        on_migrated: Callable[[int, int], None] | None = None,
    ) -> None:
        self.storage = storage
        self.bot = bot
        self.pacer = pacer or ChatPacer()
        self.concurrency = concurrency
        self.on_blocked = on_blocked
        self.on_migrated = on_migrated
        self._recent_429: deque[tuple[float, int]] = deque()
        self._seq = itertools.count()

    def resume_interrupted(self, broadcast_id: int) -> int:
        """Settle sends a crash cut off (never repeated), so that only untouched deliveries remain pending."""
        uncertain = self.storage.broadcasts.settle_interrupted_deliveries(broadcast_id)
        if uncertain:
            log.warning(
                "Run %d: %d sends were cut off by a restart and are not repeated", broadcast_id, uncertain
            )
        return uncertain

    def progress(self, broadcast_id: int) -> BroadcastProgress:
        counts = self.storage.broadcasts.delivery_counts(broadcast_id)
        progress = BroadcastProgress(broadcast_id, total=sum(counts.values()), rate=1 / self.pacer.interval)
        progress.sent = counts.get("sent", 0)
        progress.failed = counts.get("failed", 0)
        progress.blocked = counts.get("blocked", 0)
        progress.uncertain = counts.get("uncertain", 0)
        return progress

    async def run(
        self,
        broadcast_id: int,
        render: Render,
        *,
        on_progress: Progress | None = None,
        progress_every: float = 3.0,
        lease: Lease | None = None,
    ) -> BroadcastProgress:
        """Send every pending delivery of a run and mark the run done; safe to call again after a crash.

        With a ``lease`` (taken by the caller) it is renewed while the run goes on; when another process has
        taken the run over, this one stops sending and leaves the run to it.
        """
        self.resume_interrupted(broadcast_id)
        progress = self.progress(broadcast_id)
        queue = [
            _Queued(0.0, next(self._seq), row)
            for row in self.storage.broadcasts.pending_deliveries(broadcast_id)
        ]
        heapq.heapify(queue)
        wake = asyncio.Event()
        in_flight: set[asyncio.Task[None]] = set()
        slots = asyncio.Semaphore(self.concurrency)
        last_report = last_renewal = time.monotonic()

        def requeue(row: DeliveryRow, ready: float) -> None:
            if progress.handed_over:
                return
            heapq.heappush(queue, _Queued(ready, next(self._seq), row))
            wake.set()

        def finished(task: asyncio.Task[None]) -> None:
            # Wakes the loop once the task is out of ``in_flight`` too: woken by ``deliver`` alone, the loop could
            # still see the finished task in flight and sleep a whole second before the run ends.
            in_flight.discard(task)
            wake.set()

        async def deliver(row: DeliveryRow) -> None:
            try:
                await self._deliver(broadcast_id, row, render, progress, requeue)
            finally:
                slots.release()
                wake.set()

        while queue or in_flight:
            now = time.monotonic()
            if lease is not None and now - last_renewal >= lease.heartbeat:
                last_renewal = now
                if not lease.renew(broadcast_id):
                    log.warning("Run %d was taken over by another process; this one stops", broadcast_id)
                    progress.handed_over = True
                    queue.clear()
                    if not in_flight:
                        break
            if on_progress is not None and now - last_report >= progress_every:
                last_report = now
                await on_progress(progress)
            if not queue:
                wake.clear()
                await _wait(wake, 1.0)
                continue
            head = queue[0]
            if head.ready > now:
                wake.clear()
                await _wait(wake, min(head.ready - now, 1.0))  # wakes up for the heartbeat, too
                continue
            target = int(head.row["target_chat_id"])
            slot = self.pacer.try_claim(target, now)
            if slot > now:
                chat_ready = self.pacer.ready_at(target, now)
                if chat_ready > now:  # this chat must wait: let others go first
                    heapq.heapreplace(queue, _Queued(chat_ready, next(self._seq), head.row))
                    continue
                await asyncio.sleep(slot - now)
                continue
            heapq.heappop(queue)
            await slots.acquire()
            task = asyncio.create_task(deliver(head.row))
            in_flight.add(task)
            task.add_done_callback(finished)
        if progress.handed_over:
            return progress
        if on_progress is not None:
            await on_progress(progress)
        self.storage.broadcasts.set_broadcast_status(broadcast_id, "done")
        return progress

    async def _deliver(
        self,
        broadcast_id: int,
        row: DeliveryRow,
        render: Render,
        progress: BroadcastProgress,
        requeue: Callable[[DeliveryRow, float], None],
    ) -> None:
        chat_id = int(row["chat_id"])
        target = int(row["target_chat_id"])
        text = render(row)
        if text is None:
            self.storage.broadcasts.mark_delivery(broadcast_id, chat_id, "failed", error="nothing to send")
            progress.failed += 1
            return
        try:
            async with self.pacer.on_the_wire():
                if not self.storage.broadcasts.claim_delivery(broadcast_id, chat_id):
                    return  # no longer pending: another process has it
                final = SENDS_FINAL_ON_SERVER_ERROR.set(True)  # a 5xx after the send: uncertain, not repeated
                try:
                    message = await self.bot.send_message(
                        target, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
                    )
                finally:
                    SENDS_FINAL_ON_SERVER_ERROR.reset(final)
        except RetryAfter as error:
            # A 429 means "not sent": back to pending, and only this chat waits — unless several chats
            # are refused at once, which is the overall limit speaking.
            seconds = _seconds(error.retry_after)
            progress.rate_limited += 1
            self.storage.broadcasts.mark_delivery(broadcast_id, chat_id, "pending", error="429")
            self.pacer.pause_chat(target, seconds)
            if self._overall_limit_hit(target):
                self.pacer.pause_all(seconds)
            requeue(row, time.monotonic() + seconds)
        except ChatMigrated as error:
            new_id = int(error.new_chat_id)
            self.storage.broadcasts.mark_delivery(
                broadcast_id, chat_id, "pending", target_chat_id=new_id, error="migrated"
            )
            progress.migrated += 1
            if self.on_migrated is not None:
                self.on_migrated(target, new_id)
            requeue({**row, "target_chat_id": new_id}, time.monotonic())
        except Forbidden:
            self.storage.broadcasts.mark_delivery(broadcast_id, chat_id, "blocked", error="403")
            progress.blocked += 1
            if self.on_blocked is not None:
                self.on_blocked(target)
        except TimedOut:
            # The request may have reached Telegram: never repeat it.
            self.storage.broadcasts.mark_delivery(broadcast_id, chat_id, "uncertain", error="timeout")
            progress.uncertain += 1
        except BadRequest as error:
            self.storage.broadcasts.mark_delivery(broadcast_id, chat_id, "failed", error=str(error)[:200])
            progress.failed += 1
        except NetworkError as error:
            if _surely_not_sent(error) and int(row.get("attempts") or 0) + 1 < MAX_ATTEMPTS:
                attempts = int(row.get("attempts") or 0) + 1
                self.storage.broadcasts.mark_delivery(
                    broadcast_id, chat_id, "pending", error=type(error).__name__
                )
                requeue({**row, "attempts": attempts}, time.monotonic() + 2.0**attempts)
            elif _surely_not_sent(error):
                self.storage.broadcasts.mark_delivery(broadcast_id, chat_id, "failed", error=str(error)[:200])
                progress.failed += 1
            else:
                self.storage.broadcasts.mark_delivery(
                    broadcast_id, chat_id, "uncertain", error=type(error).__name__
                )
                progress.uncertain += 1
        else:
            self.storage.broadcasts.mark_delivery(
                broadcast_id, chat_id, "sent", message_id=message.message_id, seen_tip=row.get("tip_id")
            )
            progress.sent += 1

    def _overall_limit_hit(self, chat_id: int) -> bool:
        now = time.monotonic()
        self._recent_429.append((now, chat_id))
        while self._recent_429 and self._recent_429[0][0] < now - 1.0:
            self._recent_429.popleft()
        return len({chat for _, chat in self._recent_429}) >= 3


def _seconds(retry_after: timedelta | float) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def _surely_not_sent(error: NetworkError) -> bool:
    """Only a connection that never opened proves that nothing was delivered. A server error (5xx) answered
    the request after it was sent: Telegram may have delivered it before failing, as with a timeout."""
    return isinstance(error.__cause__, httpx.ConnectError)


async def _wait(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
