"""The result chart: what it shows, at which size; drawn once per split and language on the chart thread, served
from the cache after that."""

from __future__ import annotations

import asyncio
import io
import threading
from dataclasses import replace
from decimal import Decimal

import pytest
from PIL import Image

from bot import bar_chart, chart
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


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_chart_is_a_png_of_its_size_at_screen_and_print_resolution(language: str) -> None:
    png = chart.draw_split_chart((D(5), D(0), D(0)), language)
    with Image.open(io.BytesIO(png)) as picture:
        assert (picture.format, picture.size) == ("PNG", (640, 360))
    assert chart.split_chart_image((D(5), D(0), D(0)), language, dpi=150).size == (960, 540)


def bar_heights(picture: Image.Image, colour: tuple[int, int, int]) -> list[int]:
    """The height in pixels of each bar of ``colour``, left to right. The bars stand on the axis: the lowest
    row with a run of that colour 10 pixels wide (a grey of the text's antialiasing may lie lower)."""
    pixels = picture.load()
    assert pixels is not None
    base = next(
        y
        for y in reversed(range(picture.height))
        if any(all(pixels[x + dx, y] == colour for dx in range(10)) for x in range(picture.width - 10))
    )
    columns = []
    for x in range(picture.width):
        y = base
        while y >= 0 and pixels[x, y] == colour:
            y -= 1
        columns.append(base - y)
    bars: list[int] = []
    for x, height in enumerate(columns):
        if height and (x == 0 or not columns[x - 1]):
            bars.append(0)
        if height:
            bars[-1] = max(bars[-1], height)
    return bars


def test_the_bars_stand_for_the_shares() -> None:
    picture = chart.split_chart_image((D(15), D(3), D("4.5")), "de")
    online, social_and_controlling = bar_heights(picture, chart.YOURS_COLOUR)
    survey_online, survey_social = bar_heights(picture, chart.SURVEY_COLOUR)
    assert online / survey_online == pytest.approx(15 / 10, rel=0.03)  # the survey: 10 % online
    assert social_and_controlling / survey_online == pytest.approx(7.5 / 10, rel=0.03)
    assert survey_social / survey_online == pytest.approx(1 / 10, rel=0.2)  # 1 %: a few pixels


@pytest.mark.parametrize("size", [chart.SPLIT_CHART_SIZE, (3.2, 2.4)])
@pytest.mark.parametrize("language", ["de", "en"])
def test_no_text_runs_off_the_picture(
    language: str, size: tuple[float, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long (German) labels are set smaller or on two lines: nothing touches the picture's edge."""
    monkeypatch.setattr(chart, "SPLIT_CHART_SIZE", size)
    picture = chart.split_chart_image((D(100), D(50), D(50)), language)
    width, height = picture.size
    edge = [(x, y) for x in range(width) for y in (0, 1, height - 2, height - 1)]
    edge += [(x, y) for y in range(height) for x in (0, 1, width - 2, width - 1)]
    pixels = picture.load()
    assert pixels is not None
    assert all(pixels[x, y] == bar_chart.WHITE for x, y in edge)


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (24.0, [0, 5, 10, 15, 20]),
        (36.0, [0, 10, 20, 30]),
        (120.0, [0, 20, 40, 60, 80, 100, 120]),
        (6.0, [0, 1, 2, 3, 4, 5, 6]),
    ],
)
def test_the_axis_has_round_ticks(top: float, ticks: list[int]) -> None:
    assert bar_chart._ticks(top) == ticks


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "_DRAWN", chart._ChartCache(512))
