"""The figures /stats shows, from aggregate counts only, and their text.

Answer-based figures come from consenting respondents' latest results and are shown only for groups of at
least ``k`` respondents; the completion funnel counts sessions (their state, never their answers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.anonymity import DEFAULT_K, round_to_5
from bot.i18n import Translator
from bot.rendering import PLAIN, Markup
from bot.storage import SHARES, Storage
from dialogs.classification import CLASS_NAMES, SIZE_ORDER, SizeClass
from dialogs.engine import SUMMARY
from dialogs.questions import QUESTION_BY_ID
from dialogs.text import Percent, Text, msg


@dataclass(frozen=True)
class Statistics:
    """A snapshot of the figures /stats shows."""

    respondents: int
    started: int
    finished: int
    unfinished_by_state: tuple[tuple[str, int], ...]
    categories: tuple[tuple[str, int], ...]
    medians: dict[str, dict[str, tuple[float, int]]]  # category -> share -> (median, n)
    referral_arrivals: int
    k: int = DEFAULT_K


def collect_statistics(storage: Storage, k: int = DEFAULT_K) -> Statistics:
    """Read every figure of /stats from the counts the database keeps up to date (no scan of the results)."""
    sessions = storage.stats.session_state_counts()
    unfinished = sorted(
        ((s["state"], s["n"]) for s in sessions if not s["finished"]), key=lambda x: (-x[1], x[0])
    )
    return Statistics(
        respondents=storage.stats.counted_total("respondents"),
        started=sum(s["n"] for s in sessions),
        finished=sum(s["n"] for s in sessions if s["finished"]),
        unfinished_by_state=tuple(unfinished),
        categories=tuple(storage.stats.counted_categories()),
        medians=share_medians(storage),
        referral_arrivals=storage.stats.counted_total("referral_arrivals"),
        k=k,
    )


def share_medians(
    storage: Storage, names: Sequence[str] = SHARES, category: str | None = None
) -> dict[str, dict[str, tuple[float, int]]]:
    """Median shares per size class of consenting respondents' latest results: {category: {share: (median, n)}}.

    Read from the counts of each distinct value, so the cost follows the number of distinct answers, not of
    results.
    """
    counts: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for found in storage.stats.share_value_counts(names, category):
        counts.setdefault((found["category"], found["share"]), []).append((found["value"], found["n"]))
    medians: dict[str, dict[str, tuple[float, int]]] = {}
    for (found_category, share), values in counts.items():
        medians.setdefault(found_category, {})[share] = (_median(values), sum(n for _value, n in values))
    return medians


def _median(counted: Sequence[tuple[float, int]]) -> float:
    """The median of values given in order with their counts (the mean of the two middle ones when even)."""
    total = sum(n for _value, n in counted)
    low, high = (total + 1) // 2, (total + 2) // 2  # 1-based ranks of the middle value(s)
    seen = 0
    picked: list[float] = []
    for value, n in counted:
        seen += n
        while len(picked) < 2 and (low if not picked else high) <= seen:
            picked.append(value)
    return (picked[0] + picked[1]) / 2


def category_name(category: str) -> Text:
    try:
        return CLASS_NAMES[SizeClass(category)]
    except ValueError:
        return msg("{value}", value=category)


def state_name(state: str) -> Text:
    """Where an unfinished session stands: the question's label, or the summary."""
    if state in QUESTION_BY_ID:
        return QUESTION_BY_ID[state].summary_label
    if state == SUMMARY:
        return msg("Summary of the answers")
    return msg("{value}", value=state)


def ordered_categories(medians: dict[str, dict[str, tuple[float, int]]]) -> list[str]:
    known = [c.value for c in SIZE_ORDER if c.value in medians]
    return known + sorted(c for c in medians if c not in known)


def _share(value: float) -> Percent:
    return Percent(Decimal(round_to_5(value) or 0))


def render_statistics(stats: Statistics, t: Translator, markup: Markup = PLAIN) -> str:
    """The /stats message: respondents, completion funnel, drop-off, size classes, median split, referrals."""
    e = markup.escape
    lines = [
        markup.bold(e(t(msg("Statistics of the KMU Digital-Berater")))),
        e(t(msg("Respondents: {n}", n=stats.respondents))),
        e(
            t(
                msg(
                    "Sessions started: {started}, finished: {finished} ({rate})",
                    started=stats.started,
                    finished=stats.finished,
                    rate=Percent(Decimal(stats.finished * 100) / max(stats.started, 1)),
                )
            )
        ),
        "",
    ]
    lines.append(markup.bold(e(t(msg("Where unfinished sessions stopped")))))
    if stats.unfinished_by_state:
        lines += [f"• {e(t(state_name(state)))}: {n}" for state, n in stats.unfinished_by_state]
    else:
        lines.append(e(t(msg("No unfinished sessions."))))
    lines.append("")
    lines.append(markup.bold(e(t(msg("Size classes (latest results of consenting respondents)")))))
    if stats.categories:
        lines += [f"• {e(t(category_name(category)))}: {n}" for category, n in stats.categories]
    else:
        lines.append(e(t(msg("No results yet."))))
    lines.append("")
    lines.append(
        markup.bold(
            e(
                t(
                    msg(
                        "Median marketing split per size class (online / social media / "
                        "controlling), rounded to 5 points"
                    )
                )
            )
        )
    )
    for category in ordered_categories(stats.medians):
        shares = stats.medians[category]
        n = shares["online_share"][1]
        if n >= stats.k:
            text = msg(
                "{category}: {online} / {social} / {controlling} (n = {n})",
                category=category_name(category),
                online=_share(shares["online_share"][0]),
                social=_share(shares["social_share"][0]),
                controlling=_share(shares["controlling_share"][0]),
                n=n,
            )
        else:
            text = msg(
                "{category}: fewer than {k} answers, not shown", category=category_name(category), k=stats.k
            )
        lines.append(f"• {e(t(text))}")
    if not stats.medians:
        lines.append(e(t(msg("No results yet."))))
    lines.append("")
    lines.append(e(t(msg("Arrivals through shared links: {n}", n=stats.referral_arrivals))))
    return "\n".join(lines)
