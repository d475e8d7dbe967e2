"""The broadcast pacer: close to Telegram's overall limit, and never beyond it in any one second."""

from __future__ import annotations

import asyncio
import random
import time

from bot.broadcast.pacer import GLOBAL_PER_SECOND, ChatPacer


def most_in_one_second(times: list[float]) -> int:
    """The most of ``times`` that any sliding one-second window (t - 1, t] holds."""
    times = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def most_that_can_arrive_in_one_second(requests: list[tuple[float, float]]) -> int:
    """The most requests one second at Telegram can hold, each arriving anywhere between its start and its end.

    A request can fall into the window (x, x + 1] if it ended after x and started by x + 1; the fullest window
    begins just before some request's end.
    """
    most = 0
    for _, end in requests:
        x = end - 1e-9
        most = max(most, sum(1 for s, e in requests if e > x and s <= x + 1.0))
    return most


def test_claims_keep_within_a_hair_of_the_limit_when_wake_ups_come_late() -> None:
    pacer = ChatPacer()
    rng = random.Random(7)
    claims: list[float] = []
    now, chat = 1000.0, 0
    while now < 1060.0:  # one simulated minute, each wake-up late by up to half a slot
        slot = pacer.try_claim(chat, now)
        if slot <= now:
            claims.append(now)
            chat += 1
            slot = now + 1e-6
        now = slot + rng.uniform(0, 0.5 / GLOBAL_PER_SECOND)
    rate = (len(claims) - 1) / (claims[-1] - claims[0])
    assert rate >= 0.97 * GLOBAL_PER_SECOND
    assert rate <= GLOBAL_PER_SECOND


def test_one_chat_still_gets_one_message_a_second() -> None:
    pacer = ChatPacer()
    assert pacer.try_claim(42, 10.0) == 10.0
    assert pacer.try_claim(42, 10.5) == 11.0
    assert pacer.try_claim(43, 10.5) == 10.5


async def test_the_wire_keeps_every_second_at_telegram_within_the_limit() -> None:
    """Many senders at once, answers slow or quick, and now and then a stalled event loop."""
    # 150 a second; one and a half seconds' worth of sends crosses into the next second
    pacer = ChatPacer(time_scale=5)
    limit = int(GLOBAL_PER_SECOND * 5)
    rng = random.Random(11)
    requests: list[tuple[float, float]] = []

    async def send(n: int) -> None:
        async with pacer.on_the_wire():
            start = time.monotonic()
            await asyncio.sleep(rng.choice((0.0, 0.002, 0.01, 0.04)))
            if n % 61 == 0:
                time.sleep(0.03)  # a stalled loop holds every answer back
            requests.append((start, time.monotonic()))

    await asyncio.gather(*(send(n) for n in range(limit + limit // 2)))
    assert len(requests) == limit + limit // 2
    assert most_that_can_arrive_in_one_second(requests) <= limit
    # Not trivially safe: the wire was full, some second held the limit (counting starts, the least spread).
    assert most_in_one_second([start for start, _ in requests]) >= limit * 0.9


async def test_a_message_sent_beside_the_broadcast_takes_its_place_in_the_limit() -> None:
    pacer = ChatPacer()
    release = asyncio.Event()
    entered: list[int] = []

    async def send(n: int) -> None:
        async with pacer.on_the_wire():
            entered.append(n)
            await release.wait()

    await pacer.acquire(1)  # the admin's status message, sent by the application's own bot
    await pacer.acquire(2, counted=False)  # an edit: not a message to Telegram's limit
    sends = [asyncio.create_task(send(n)) for n in range(int(GLOBAL_PER_SECOND))]
    await asyncio.sleep(0.05)
    assert len(entered) == GLOBAL_PER_SECOND - 1  # the last one waits for a place
    release.set()
    await asyncio.gather(*sends)
    assert len(entered) == GLOBAL_PER_SECOND
