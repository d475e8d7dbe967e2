"""The result chart: the company's marketing split beside the cited survey figures, as a PNG."""

from __future__ import annotations

import asyncio
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from bot.i18n import Translator, format_share
from dialogs.comparisons import TNS_2014_ONLINE_SHARE, TNS_2014_SOCIAL_CONTROLLING_SHARE
from dialogs.profile import CompanyProfile
from dialogs.text import msg

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

# matplotlib keeps its fonts per thread (FreeType objects are not thread-safe), so every worker of asyncio's
# default pool that ever drew a chart holds its own copy: with many results at once the bot grew by ~40 MB.
# One drawing thread keeps one copy; more threads would not draw faster, as matplotlib holds the GIL.
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
    """The last charts drawn: drawing costs ~70 ms, and many companies answer with the same bands, so the same
    picture recurs. Read on the event loop, written on the chart thread."""

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


def draw_split_chart(
    shares: tuple[Decimal, ...], language: str, *, dpi: int = 100, fmt: str = "png"
) -> bytes:
    """The chart of (online, social, controlling) shares, uncached; the PDF report takes raw RGBA pixels."""
    from matplotlib.figure import Figure  # imported lazily: matplotlib costs ~0.5 s to import

    t = Translator(language)
    labels = [t(msg("Online")), t(msg("Social media and controlling"))]
    yours, survey = split_bars(shares)

    figure = Figure(figsize=SPLIT_CHART_SIZE, dpi=dpi)
    axes = figure.add_subplot()
    positions = range(len(labels))
    width = 0.38
    bars_you = axes.bar(
        [p - width / 2 for p in positions], yours, width, label=t(msg("Your company")), color="#1f77b4"
    )
    bars_ref = axes.bar(
        [p + width / 2 for p in positions],
        survey,
        width,
        label=t(msg("Typical B2B company (TNS Infratest 2014)")),
        color="#bbbbbb",
    )
    for bars in (bars_you, bars_ref):
        for bar in bars:
            axes.annotate(
                format_share(Decimal(str(bar.get_height())), t.language),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    axes.set_xticks(list(positions), labels)
    axes.set_ylabel(t(msg("Share of the marketing budget (%)")))
    axes.set_ylim(0, max(20.0, *yours, *survey) * 1.2)
    axes.set_title(t(msg("Your marketing split compared")))
    axes.legend(fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    return buffer.getvalue()
