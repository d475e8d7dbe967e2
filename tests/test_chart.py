"""The result chart: drawn once per split and language on the chart thread, served from the cache after that."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from decimal import Decimal

import pytest

from bot import chart
from bot.i18n import Translator
from dialogs.group import Group
from dialogs.profile import CompanyProfile

D = Decimal
PROFILE = CompanyProfile(
    staff=D(30),
    turnover=D(4_000_000),
    balance_sheet=None,
    group=Group(),
    website="outdated",
    social_presence="none",
    online_share=D(5),
    social_share=D(0),
    controlling_share=D(0),
    results_check="no",
    referral="occasional",
    customers="business",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def block_chart_thread() -> threading.Event:
    """Occupy the one chart thread until the returned event is set."""
    release = threading.Event()
    started = threading.Event()

    def occupy() -> None:
        started.set()
        release.wait(30)

    chart._CHART_THREAD.submit(occupy)
    assert started.wait(30)
    return release


async def test_a_chart_drawn_before_does_not_wait_for_the_busy_chart_thread() -> None:
    t = Translator("de")
    first = await chart.marketing_split_chart(PROFILE, t)
    assert first.startswith(PNG_SIGNATURE)
    release = block_chart_thread()
    try:
        # The same split written differently (5 vs 5.0) is the same chart, ready without the thread.
        again = await asyncio.wait_for(
            chart.marketing_split_chart(replace(PROFILE, online_share=D("5.0")), t), 10
        )
        assert again == first
        new_split = asyncio.ensure_future(chart.marketing_split_chart(replace(PROFILE, online_share=D(7)), t))
        await asyncio.sleep(0.05)
        assert not new_split.done()  # a split not drawn yet is drawn on the chart thread, after its queue
    finally:
        release.set()
    drawn = await asyncio.wait_for(new_split, 30)
    assert drawn.startswith(PNG_SIGNATURE) and drawn != first


async def test_the_language_is_part_of_the_chart() -> None:
    german = await chart.marketing_split_chart(PROFILE, Translator("de"))
    english = await chart.marketing_split_chart(PROFILE, Translator("en"))
    assert german != english


def test_the_cache_keeps_the_most_recently_used_charts() -> None:
    cache = chart._ChartCache(2)
    a, b, c = ((D(1),), "de"), ((D(2),), "de"), ((D(3),), "de")
    cache.put(a, b"a")
    cache.put(b, b"b")
    assert cache.get(a) == b"a"  # a is now the most recent, so b goes first
    cache.put(c, b"c")
    assert (cache.get(a), cache.get(b), cache.get(c)) == (b"a", None, b"c")


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "_DRAWN", chart._ChartCache(512))
