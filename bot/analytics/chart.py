"""The /stats chart: the completion funnel with its drop-off, and the median marketing split per size class."""

from __future__ import annotations

import io

from bot.analytics.statistics import Statistics, category_name, ordered_categories, state_name
from bot.anonymity import round_to_5
from bot.i18n import Translator
from bot.storage import SHARES
from dialogs.text import msg


def statistics_chart(stats: Statistics, t: Translator) -> bytes:
    """A PNG with the completion funnel and drop-off (left) and the median split per size class (right)."""
    from matplotlib.figure import Figure  # imported lazily: matplotlib costs ~0.5 s to import

    figure = Figure(figsize=(10, 4), dpi=100)
    funnel, split = figure.subplots(1, 2)
    labels = [t(msg("Started")), t(msg("Finished"))]
    values = [stats.started, stats.finished]
    for state, n in stats.unfinished_by_state[:6]:
        labels.append(t(msg("Stopped at: {step}", step=state_name(state))))
        values.append(n)
    positions = list(range(len(labels)))
    colors = ["#1f77b4", "#2ca02c"] + ["#d62728"] * (len(labels) - 2)
    funnel.barh(positions, values, color=colors)
    funnel.set_yticks(positions, labels, fontsize=7)
    funnel.invert_yaxis()
    funnel.set_title(t(msg("Completion funnel")), fontsize=10)
    funnel.spines[["top", "right"]].set_visible(False)

    shown = [c for c in ordered_categories(stats.medians) if stats.medians[c]["online_share"][1] >= stats.k]
    width = 0.27
    share_labels = [t(msg("Online")), t(msg("Social media")), t(msg("Controlling/monitoring"))]
    for offset, (share, label) in enumerate(zip(SHARES, share_labels, strict=True)):
        heights = [float(round_to_5(stats.medians[c][share][0]) or 0) for c in shown]
        split.bar([i + (offset - 1) * width for i in range(len(shown))], heights, width, label=label)
    split.set_xticks(list(range(len(shown))), [t(category_name(c)) for c in shown], fontsize=7)
    split.set_ylabel(t(msg("Share of the marketing budget (%)")), fontsize=8)
    split.set_title(t(msg("Median marketing split per size class")), fontsize=10)
    if shown:
        split.legend(fontsize=7)
    else:
        split.text(
            0.5, 0.5, t(msg("Not enough results yet")), ha="center", va="center", transform=split.transAxes
        )
    split.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
