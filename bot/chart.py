"""The result chart: the company's marketing split beside the cited survey figures, as a PNG, drawn with Pillow
(``bot.bar_chart``) on one chart thread and kept in a small cache."""

from __future__ import annotations

import asyncio
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.i18n import Translator, format_integer, format_share
from dialogs.comparisons import TNS_2014_ONLINE_SHARE, TNS_2014_SOCIAL_CONTROLLING_SHARE
from dialogs.profile import CompanyProfile
from dialogs.text import msg

if TYPE_CHECKING:
    from PIL import Image

# The survey's typical B2B split, in percent of the marketing budget: about 10 % online, and about 1 % for
# social media and controlling together (one figure, never 1 % each).
REFERENCE_SPLIT = {
    "online": TNS_2014_ONLINE_SHARE,
    "social_controlling": TNS_2014_SOCIAL_CONTROLLING_SHARE,
}


def split_bars(shares: tuple[Decimal, ...]) -> tuple[list[float], list[float]]:
    """The company's and the survey's bars: online, and social media with controlling together."""
    online, social, controlling = shares
    return [float(online), float(social + controlling)], [float(v) for v in REFERENCE_SPLIT.values()]


SPLIT_CHART_SIZE = (6.4, 3.6)  # inches
YOURS_COLOUR = (31, 119, 180)
SURVEY_COLOUR = (187, 187, 187)

# One thread draws the charts and builds the PDF reports, off the event loop: fonts are kept per thread, and
# more threads would not draw faster, as drawing holds the GIL most of the time.
_CHART_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")


async def draw_off_loop(draw: Callable[..., bytes], *args: object) -> bytes:
    """Run a chart function on the one chart thread, keeping the event loop free."""
    return await asyncio.get_running_loop().run_in_executor(_CHART_THREAD, draw, *args)


async def marketing_split_chart(profile: CompanyProfile, t: Translator) -> bytes:
    """Grouped bars (you vs. the 2014 survey), as a PNG: online, and social media with controlling together.

    A chart drawn before comes straight from the cache, without a trip to the chart thread: behind a crowd of
    results that thread has a queue, and a result whose picture is ready need not wait in it.
    """
    key = split_chart_key(profile, t.language)
    png = _DRAWN.get(key)
    if png is None:
        png = await draw_off_loop(_draw_and_keep, key)
    return png


ChartKey = tuple[tuple[Decimal, ...], str]  # (online, social, controlling shares), language


def split_chart_key(profile: CompanyProfile, language: str) -> ChartKey:
    """What the marketing-split chart shows: companies with the same key get the same picture."""
    shares = (profile.online_share, profile.social_share, profile.controlling_share)
    return (tuple(share.normalize() for share in shares), language)


class _ChartCache:
    """The last charts drawn: drawing and encoding one costs ~6 ms of CPU, and many companies answer with the
    same bands, so the same picture recurs. Read on the event loop, written on the chart thread."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._charts: OrderedDict[ChartKey, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: ChartKey) -> bytes | None:
        with self._lock:
            png = self._charts.get(key)
            if png is not None:
                self._charts.move_to_end(key)
            return png

    def put(self, key: ChartKey, png: bytes) -> None:
        with self._lock:
            self._charts[key] = png
            self._charts.move_to_end(key)
            while len(self._charts) > self._size:
                self._charts.popitem(last=False)


_DRAWN = _ChartCache(512)


def _draw_and_keep(key: ChartKey) -> bytes:
    png = _DRAWN.get(key)  # results with the same split that came at once have each queued a drawing
    if png is None:
        png = draw_split_chart(*key)
        _DRAWN.put(key, png)
    return png


def draw_split_chart(shares: tuple[Decimal, ...], language: str, *, dpi: int = 100) -> bytes:
    """The chart of (online, social, controlling) shares as a PNG, uncached."""
    buffer = io.BytesIO()
    # The fastest compression: a third less encoding time than the default for a file ~10 % larger (18 KB).
    split_chart_image(shares, language, dpi=dpi).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def split_chart_image(shares: tuple[Decimal, ...], language: str, *, dpi: int = 100) -> Image.Image:
    """The chart as a picture: the chat sends it as a PNG, the PDF report places it at print resolution."""
    from bot.bar_chart import BarChart, Series, draw_bar_chart  # Pillow: imported with the first chart

    t = Translator(language)
    yours, survey = split_bars(shares)
    chart = BarChart(
        title=t(msg("Your marketing split compared")),
        groups=(t(msg("Online")), t(msg("Social media and controlling"))),
        series=(
            Series(t(msg("Your company")), YOURS_COLOUR, yours),
            Series(t(msg("Typical B2B company (TNS Infratest 2014)")), SURVEY_COLOUR, survey),
        ),
        axis_title=t(msg("Share of the marketing budget (%)")),
        value_text=lambda value: format_share(Decimal(str(value)), language),
        tick_text=lambda tick: format_integer(tick, language),
        top=max(20.0, *yours, *survey) * 1.2,
    )
    return draw_bar_chart(chart, SPLIT_CHART_SIZE, dpi)
