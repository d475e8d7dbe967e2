"""What operators learn about follow-through, anonymously: opt-ins, steps done, score changes, figures in bands.

The same rule as every other figure: a count is shown only when it is 0 or at least ``k`` (a count of 1 to
k-1 could point at a firm), a share or a median only for at least ``k`` respondents, and what is left out is
counted. Reported figures leave only as bands (orders of magnitude); the median score change is rounded to
5 points like the score. No reminder, date, chat or respondent id is read for any of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.anonymity import DEFAULT_K, round_to_5
from bot.i18n import Translator
from bot.rendering import PLAIN, Markup
from bot.storage import Storage
from dialogs.text import Number, Percent, Text, msg

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Reported figures (calls, visits, reviews, percent ...) differ per step, so bands are orders of magnitude.
FIGURE_BANDS: tuple[tuple[str, int, int | None], ...] = (  # key, lowest value, exclusive upper bound
    ("0", 0, 1),
    ("1_9", 1, 10),
    ("10_99", 10, 100),
    ("100_999", 100, 1_000),
    ("1000_9999", 1_000, 10_000),
    ("10000plus", 10_000, None),
)


def band_label(key: str) -> Text:
    """A band as the reader writes numbers: "1.000–9.999" in German, "1,000–9,999" in English."""
    low, upper = next((low, upper) for band, low, upper in FIGURE_BANDS if band == key)
    if upper is None:
        return msg("{low} or more", low=Number(Decimal(low)))
    if upper - 1 == low:
        return msg("{value}", value=Number(Decimal(low)))
    return msg("{low}–{high}", low=Number(Decimal(low)), high=Number(Decimal(upper - 1)))


def figure_band(value: float) -> str:
    """The band key of a reported figure."""
    for key, _low, upper in FIGURE_BANDS:
        if upper is None or value < upper:
            return key
    raise AssertionError("unreachable")  # pragma: no cover


def shown(n: int, k: int) -> bool:
    """Whether a count may be shown: none at all, or at least k."""
    return n == 0 or n >= k


@dataclass(frozen=True)
class FollowThrough:
    """The follow-through figures after suppression; ``None`` and the ``*_suppressed`` counts say what is not
    shown."""

    k: int
    respondents: int  # consenting respondents with a result who answered the offer of reminders
    opted_in: int | None  # None: suppressed
    steps_done: tuple[tuple[str, int], ...]  # step id, respondents who marked it done (each >= k)
    steps_suppressed: int  # step ids left out
    retests: int  # respondents who took the check again
    median_score_change: int | None  # latest minus first score, rounded to 5; None below k re-tests
    figure_bands: tuple[tuple[str, str, int], ...]  # step id, band key, respondents (each >= k)
    figures_suppressed: int  # (step id, band) cells left out

    @property
    def opt_in_share(self) -> Decimal | None:
        if self.opted_in is None or self.respondents < self.k:
            return None
        return Decimal(self.opted_in * 100) / self.respondents


def collect_follow_through(storage: Storage, k: int = DEFAULT_K) -> FollowThrough:
    """Read and suppress the follow-through figures."""
    respondents, opted = storage.followthrough.opt_ins()
    opt_in_shown = respondents >= k and shown(opted, k) and shown(respondents - opted, k)
    done = storage.followthrough.steps_done()
    bands = Counter((step, figure_band(value)) for step, value in storage.followthrough.reported_figures())
    order = {key: index for index, (key, _low, _upper) in enumerate(FIGURE_BANDS)}
    cells = sorted(bands.items(), key=lambda item: (item[0][0], order[item[0][1]]))
    changes = storage.followthrough.score_changes()
    return FollowThrough(
        k=k,
        respondents=respondents,
        opted_in=opted if opt_in_shown else None,
        steps_done=tuple((step, n) for step, n in done if n >= k),
        steps_suppressed=sum(1 for _step, n in done if n < k),
        retests=len(changes),
        median_score_change=_median_change(changes) if len(changes) >= k else None,
        figure_bands=tuple((step, band, n) for (step, band), n in cells if n >= k),
        figures_suppressed=sum(1 for _cell, n in cells if n < k),
    )


def read_follow_through(storage: Storage, k: int = DEFAULT_K) -> FollowThrough:
    """``collect_follow_through`` over a read-only connection of its own, for a worker thread: the reads grow
    with the respondents who used the follow-through (several lookups of results each) and must not hold up the
    bot's event loop (``benchmarks/followthrough.py``)."""
    if storage.path == ":memory:":  # tests: one connection, nothing to scan
        return collect_follow_through(storage, k)
    reader = Storage(storage.path, read_only=True)
    try:
        return collect_follow_through(reader, k)
    finally:
        reader.close()


def _median_change(changes: Sequence[int]) -> int:
    ordered = sorted(changes)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return round_to_5(median) or 0


def render_follow_through(figures: FollowThrough, t: Translator, markup: Markup = PLAIN) -> list[str]:
    """The follow-through lines of /stats."""
    e, k = markup.escape, figures.k
    lines = [
        markup.bold(
            e(
                t(
                    msg(
                        "Follow-through (consenting respondents with a result; counts below {k} not shown)",
                        k=k,
                    )
                )
            )
        )
    ]
    share = figures.opt_in_share
    if share is not None and figures.opted_in is not None:
        text = msg(
            "Reminders: {n} of {total} who answered the offer said yes ({share})",
            n=figures.opted_in,
            total=figures.respondents,
            share=Percent(share.quantize(Decimal(1))),
        )
    else:
        text = msg("Asked for reminders: not shown (fewer than {k} in a group)", k=k)
    lines.append(f"• {e(t(text))}")
    lines.append("• " + e(t(msg("Steps marked done:"))))
    lines += [f"  – {e(step)}: {n}" for step, n in figures.steps_done]
    if figures.steps_suppressed or not figures.steps_done:
        lines.append(
            "  – "
            + e(
                t(
                    msg(
                        "{n} steps marked done by fewer than {k} each, not shown",
                        n=figures.steps_suppressed,
                        k=k,
                    )
                )
            )
        )
    if figures.median_score_change is not None:
        text = msg(
            "Median change of the score from the first check to the latest re-test: {change} points "
            "(n = {n}; below 0: the gap narrowed)",
            change=figures.median_score_change,
            n=figures.retests,
        )
    else:
        text = msg("Re-tests: fewer than {k}, no median shown", k=k)
    lines.append(f"• {e(t(text))}")
    lines.append("• " + e(t(msg("Figures reported at check-ins, in bands:"))))
    lines += [f"  – {e(step)}: {e(t(band_label(band)))}: {n}" for step, band, n in figures.figure_bands]
    if figures.figures_suppressed or not figures.figure_bands:
        lines.append(
            "  – "
            + e(t(msg("{n} bands with fewer than {k} figures, not shown", n=figures.figures_suppressed, k=k)))
        )
    return lines


def draw_follow_through(axes: Axes, figures: FollowThrough, t: Translator) -> None:
    """The chart's follow-through panel: steps marked done (only counts of at least k), the opt-in share and the
    median score change beneath."""
    shown_steps = figures.steps_done[:8]
    positions = list(range(len(shown_steps)))
    axes.barh(positions, [n for _step, n in shown_steps], color="#9467bd")
    axes.set_yticks(positions, [step for step, _n in shown_steps], fontsize=7)
    axes.invert_yaxis()
    axes.set_title(t(msg("Steps marked done (n ≥ {k})", k=figures.k)), fontsize=10)
    if not shown_steps:
        axes.text(
            0.5,
            0.5,
            t(msg("Not enough follow-through yet")),
            ha="center",
            va="center",
            transform=axes.transAxes,
        )
    notes = []
    share = figures.opt_in_share
    if share is not None:
        notes.append(t(msg("Asked for reminders: {share}", share=Percent(share.quantize(Decimal(1))))))
    if figures.median_score_change is not None:
        notes.append(t(msg("Median score change at re-test: {change}", change=figures.median_score_change)))
    axes.set_xlabel("\n".join(notes), fontsize=7)
    axes.spines[["top", "right"]].set_visible(False)
