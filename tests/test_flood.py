"""One chat cannot stall the others: fair shares of the update processing, per-chat 429s, the shared budget.

The updates go in through the application's update queue and its update processor, as polling and the
webhook feed them; the fake Bot API records when each call was made.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.request import RequestData

from bot.telegram import flood
from tests.support.harness import REAL_LIMITS, Harness
from tests.support.telegram_fakes import FakeRequest

FLOODER = 1001
OTHER = 2002


class TimedRequest(FakeRequest):
    """Records when each call was made; answers the first send into ``throttled`` with a 429."""

    def __init__(self, throttled: int | None = None, retry_after: int = 2) -> None:
        super().__init__()
        self.times: list[tuple[float, str, int]] = []
        self.throttled = throttled
        self.retry_after = retry_after

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        chat = int((request_data.parameters if request_data else {}).get("chat_id", 0) or 0)
        self.times.append((time.monotonic(), api, chat))
        if api == "sendMessage" and chat == self.throttled:
            self.throttled = None
            payload = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {self.retry_after}",
                "parameters": {"retry_after": self.retry_after},
            }
            return 429, json.dumps(payload).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)

    def first(self, chat: int, after: int = 0) -> int:
        """The index of the first send into ``chat`` (from ``after`` on)."""
        return next(
            i for i, (_, api, c) in enumerate(self.times) if i >= after and c == chat and api == "sendMessage"
        )


@contextlib.asynccontextmanager
async def running(harness: Harness) -> AsyncIterator[Harness]:
    async with harness.app:
        await harness.app.start()
        try:
            yield harness
        finally:
            await harness.app.stop()


async def wait_until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def queue(harness: Harness, update: Update) -> None:
    harness.app.update_queue.put_nowait(update)


async def test_a_flood_from_one_chat_leaves_another_users_reply_unhurt(tmp_path: Path) -> None:
    request = TimedRequest()
    request.send_delay = 0.002
    harness = Harness(tmp_path / "bot.db", env=REAL_LIMITS, request=request)
    handled: list[int] = []
    async with running(harness) as bot:
        advisor = bot.app.bot_data.advisor
        original = advisor.handle

        def spy(respondent: Any, event: Any, *, update_id: int | None = None) -> Any:
            if respondent.user_id == FLOODER and update_id is not None:
                handled.append(update_id)
            return original(respondent, event, update_id=update_id)

        advisor.handle = spy  # type: ignore[method-assign]
        for _ in range(400):
            queue(bot, bot.updates.message(FLOODER, "/help"))
        queue(bot, bot.updates.message(OTHER, "/help"))
        await wait_until(lambda: any(c == OTHER for _, _, c in request.times))
        before_other = sum(1 for _, api, c in request.times[: request.first(OTHER)] if c == FLOODER)
        # Only the flooder's fair share went before the other user's reply (one message per /help).
        assert before_other <= flood.PER_CHAT + 2, before_other
        await wait_until(lambda: bot.app.update_queue.empty() and not handled_running(bot))
    texts = request.texts(FLOODER)
    notices = [t for t in texts if "schneller" in t]
    assert len(notices) == 1  # one "slow down" notice, not one per dropped message
    processor = harness.app.update_processor
    assert isinstance(processor, flood.FairUpdateProcessor)
    assert processor.dropped > 0
    assert len(handled) == 400 - processor.dropped  # every taken update was handled ...
    assert handled == sorted(handled)  # ... in the order it came


def handled_running(harness: Harness) -> bool:
    return harness.app.update_processor.current_concurrent_updates > 0


async def test_a_429_for_one_chat_holds_that_chat_only(tmp_path: Path) -> None:
    request = TimedRequest(throttled=FLOODER, retry_after=1)
    harness = Harness(tmp_path / "bot.db", env=REAL_LIMITS, request=request)
    async with running(harness) as bot:
        queue(bot, bot.updates.message(FLOODER, "/help"))
        await wait_until(lambda: request.throttled is None)  # the 429 was answered
        queue(bot, bot.updates.message(OTHER, "/help"))
        await wait_until(lambda: request.texts(FLOODER) and request.texts(OTHER))
    refused = request.first(FLOODER)
    refused_at = request.times[refused][0]
    other_at = request.times[request.first(OTHER)][0]
    retried_at = request.times[request.first(FLOODER, after=refused + 1)][0]
    assert other_at - refused_at < 1.0  # not held by the other chat's 429 (that would be 1.1 s at least)
    assert retried_at - refused_at >= 1.0  # the refused chat waited its retry_after, then got its reply


async def test_replies_beside_a_broadcast_share_its_overall_budget(tmp_path: Path) -> None:
    request = TimedRequest()
    harness = Harness(tmp_path / "bot.db", env=REAL_LIMITS, request=request)
    async with running(harness) as bot:
        pacer = bot.app.bot_data.pacer
        assert pacer is not None
        release = asyncio.Event()

        async def broadcast_send() -> None:
            async with pacer.on_the_wire():
                await release.wait()

        sends = [asyncio.create_task(broadcast_send()) for _ in range(30)]  # the whole second's budget
        await asyncio.sleep(0.05)
        queue(bot, bot.updates.message(OTHER, "/help"))
        await asyncio.sleep(0.25)  # a reply not held would be out within milliseconds
        assert request.texts(OTHER) == []  # the broadcast holds the budget: the reply waits
        release.set()
        await asyncio.gather(*sends)
        await wait_until(lambda: len(request.texts(OTHER)) >= 1)


@pytest.mark.parametrize("users", [45])
async def test_replies_stay_within_thirty_a_second_overall(tmp_path: Path, users: int) -> None:
    request = TimedRequest()
    harness = Harness(tmp_path / "bot.db", env=REAL_LIMITS, request=request)
    async with running(harness) as bot:
        for user in range(users):
            queue(bot, bot.updates.message(3000 + user, "/help"))
        await wait_until(lambda: len(request.texts()) >= users)
    starts = [t for t, api, _ in request.times if api == "sendMessage"]
    busiest = max(sum(1 for s in starts if first <= s < first + 1.0) for first in starts)
    assert busiest <= 30
