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
# Paced a little below the limit so that a few interactive replies fit beside a broadcast.
DEFAULT_RATE = 29.0


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

    async def acquire(self, chat_id: int) -> None:
        """Wait until ``chat_id`` may receive a message within all limits, and claim that slot."""
        while (slot := self.try_claim(chat_id, time.monotonic())) > time.monotonic():
            await asyncio.sleep(slot - time.monotonic())

    def try_claim(self, chat_id: int, now: float) -> float:
        """Claim a slot if one is free now; otherwise return when to try again (> now)."""
        slot = max(now, self._next_global, self.ready_at(chat_id, now))
        if slot > now:
            return slot
        # Spacing counts from the planned slot, so a wake-up a little late does not lose rate, yet any
        # one-second window holds at most rate + 1 sends.
        self._next_global = max(self._next_global + self.interval, now)
        self._claim(chat_id, now)
        return now

    def _claim(self, chat_id: int, now: float) -> None:
        self._chat_last[chat_id] = now
        if chat_id < 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)

    @contextlib.asynccontextmanager
    async def on_the_wire(self) -> AsyncIterator[None]:
        """Hold a send until it cannot make Telegram count more than its overall limit in any one second.

        A request reaches Telegram somewhere between its start and its answer. So the requests in flight plus
        those answered within the last second bound what any one-second window at Telegram can hold, even
        when a stalled event loop (a slow commit, a garbage collection) lets several sends leave at once.
        """
        while True:
            now = time.monotonic()
            while self._answered and self._answered[0] <= now - 1.0:
                self._answered.popleft()
            if self._in_flight + len(self._answered) < self._wire_limit:
                break
            wait = self._answered[0] + 1.0 - now if self._answered else 0.005
            await asyncio.sleep(max(wait, 0.001))
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(time.monotonic())

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """Honour a 429 for one chat only; unrelated chats go on."""
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), time.monotonic() + seconds)

    def pause_all(self, seconds: float) -> None:
        self._next_global = max(self._next_global, time.monotonic() + seconds)
