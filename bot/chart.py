"""The result chart: the company's marketing split beside the cited survey figures, as a PNG."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import lru_cache

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


def marketing_split_chart(profile: CompanyProfile, t: Translator) -> bytes:
    """Render grouped bars (you vs. the 2014 survey): online, and social media with controlling together."""
    shares = (profile.online_share, profile.social_share, profile.controlling_share)
    return _split_chart(tuple(share.normalize() for share in shares), t.language)


# Drawing costs ~70 ms; many companies answer with the same bands, so the same picture recurs.
@lru_cache(maxsize=512)
def _split_chart(shares: tuple[Decimal, ...], language: str) -> bytes:
    return draw_split_chart(shares, language)


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
