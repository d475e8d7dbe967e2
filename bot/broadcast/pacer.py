"""Pacing within Telegram's flood limits: overall, per group and per chat, shared by every run of a bot."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator

# Telegram's limits (Bots FAQ): ~30 messages/s overall, 20/min into one group, ~1/s into one chat.
GLOBAL_PER_SECOND = 30.0
GROUP_PER_MINUTE = 20
CHAT_INTERVAL = 1.0
# A message sent beside the broadcasts (see ``ChatPacer.acquire``) counts toward the overall limit this long.
OUTSIDE_HOLD = 2.0
# Broadcasts are spaced at 98.3 % of the overall limit. Messages sent around them through ``acquire`` (the
# admin's status message) or ``on_the_wire`` (the final report, and every reply through the application's
# ``ReplyLimiter``) are counted beside their sends, so replies and broadcasts share one overall budget.
DEFAULT_RATE = 29.5


class ChatPacer:
    """Hands out send times: evenly spaced overall, at most 20 a minute per group, one a second per chat.

    Shared by all runs of a bot, so two broadcasts at once still stay within the overall limit. ``time_scale``
    speeds everything up for benchmarks against a fake that scales Telegram's limits the same way.
    """

    def __init__(self, rate: float = DEFAULT_RATE, *, time_scale: float = 1.0) -> None:
        self.interval = 1.0 / (rate * time_scale)
        self.chat_interval = CHAT_INTERVAL / time_scale
        self.group_window = 60.0 / time_scale
        self._next_global = 0.0
        self._chat_last: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._paused_until: dict[int, float] = {}
        # Sends on the wire and the answer times of the last second (see ``on_the_wire``).
        self._in_flight = 0
        self._answered: deque[float] = deque()
        self._outside: deque[float] = deque()  # until when each message sent beside the pacer is counted
        self._wire_limit = max(1, int(GLOBAL_PER_SECOND * time_scale))

    def ready_at(self, chat_id: int, now: float) -> float:
        """The earliest moment ``chat_id`` may receive the next message (ignoring the overall limit)."""
        ready = max(
            now, self._paused_until.get(chat_id, 0.0), self._chat_last.get(chat_id, -1e9) + self.chat_interval
        )
        sends = self._group_sends.get(chat_id)
        if chat_id < 0 and sends is not None:
            while sends and sends[0] <= now - self.group_window:
                sends.popleft()
            if len(sends) >= GROUP_PER_MINUTE:
                ready = max(ready, sends[0] + self.group_window)
        return ready

    async def acquire(self, chat_id: int, *, counted: bool = True) -> None:
        """Wait until ``chat_id`` may receive a message within all limits, and claim that slot.

        For a message the caller then sends itself, through the application's own bot: it is counted toward
        the overall limit beside the broadcasts' sends for ``OUTSIDE_HOLD`` seconds, which covers its arrival
        at Telegram as long as Telegram answers it within a second. An edit (``counted=False``), which
        Telegram does not count as a message, only keeps the chat's spacing.
        """
        while (slot := self.try_claim(chat_id, time.monotonic())) > time.monotonic():
            await asyncio.sleep(slot - time.monotonic())
        if counted:
            await self._wait_for_the_wire()
            self._outside.append(time.monotonic() + OUTSIDE_HOLD)

    def try_claim(self, chat_id: int, now: float) -> float:
        """Claim a slot if one is free now; otherwise return when to try again (> now)."""
        slot = max(now, self._next_global, self.ready_at(chat_id, now))
        if slot > now:
            return slot
        # Spacing counts from the planned slot, so a wake-up a little late does not lose rate. A wake-up later
        # than one slot starts the spacing afresh instead of catching up with a burst: under a loaded CPU such
        # bursts slowed every answer (the fake and the bot share the cores) and cost more rate than they won.
        # The spacing keeps the average; the overall limit itself is kept by ``on_the_wire``.
        self._next_global = max(self._next_global + self.interval, now)
        self._claim(chat_id, now)
        return now

    def note_send(self, chat_id: int, now: float) -> None:
        """Count a reply sent into ``chat_id`` outside the broadcasts toward that chat's limits."""
        self._claim(chat_id, now)

    def _claim(self, chat_id: int, now: float) -> None:
        self._chat_last[chat_id] = now
        if chat_id < 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)

    @contextlib.asynccontextmanager
    async def on_the_wire(self) -> AsyncIterator[None]:
        """Hold a send until it cannot make Telegram count more than its overall limit in any one second.

        A request reaches Telegram somewhere between its start and its answer; a send may start only while
        the requests in flight plus those answered within the last second are fewer than the limit. Why no
        second at Telegram, (x, x + 1], can then hold more: of the requests arriving in it, let r be the one
        that passed this check last, at c. r arrived after c, so x >= c - 1. Every other one passed its check
        before c, was counted in flight from then on, and was answered after its arrival > x >= c - 1; so at c
        it was either still in flight or answered within the last second, and the check let r pass only with
        fewer than the limit of those. With r that is at most the limit. This holds whatever the timing: a
        stalled event loop (a slow commit, a garbage collection) that lets several sends leave at once, or
        answers noted late, only make the count larger. Messages announced through ``acquire`` count as well.

        The price: each send holds its place for its round trip plus one second, so the rate stays below
        limit / (1 + round trip): 99.5 % of it at 5 ms, 97 % at 31 ms.
        """
        await self._wait_for_the_wire()
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(time.monotonic())

    async def _wait_for_the_wire(self) -> None:
        """Return (without awaiting after the last check) once one more send keeps within the limit."""
        while True:
            now = time.monotonic()
            while self._answered and self._answered[0] <= now - 1.0:
                self._answered.popleft()
            while self._outside and self._outside[0] <= now:
                self._outside.popleft()
            if self._in_flight + len(self._answered) + len(self._outside) < self._wire_limit:
                return
            wait = min(
                self._answered[0] + 1.0 - now if self._answered else 0.005,
                self._outside[0] - now if self._outside else 0.005,
            )
            await asyncio.sleep(max(wait, 0.001))

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """Honour a 429 for one chat only; unrelated chats go on."""
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), time.monotonic() + seconds)

    def pause_all(self, seconds: float) -> None:
        self._next_global = max(self._next_global, time.monotonic() + seconds)
