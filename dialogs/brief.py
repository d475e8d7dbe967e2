"""The result in views for a small screen: a short overview first, and each part of the full result on demand.

The full result (``Result.sections``) stays what the terminal prints. A chat shows ``overview`` first, with the
headline, the score in one line and this week's steps, and offers the other views behind buttons, so the first
message stays short and nothing is sent before it is asked for. The views reuse the result's own texts.
"""

from __future__ import annotations

from enum import StrEnum

from dialogs.plan import Horizon, Step
from dialogs.screens import Result
from dialogs.sections import Changes, Line, Section, Style, since_last_check, with_peers
from dialogs.text import Text, msg


class View(StrEnum):
    """The parts of a result a chat shows one at a time (stable ids: they travel in button data)."""

    OVERVIEW = "home"
    PLAN = "plan"
    SIZE_CLASS = "size"
    COMPARISONS = "cmp"


# Short labels for the summary's buttons; the summary's own lines keep the full wording of each question.
BUTTON_LABELS: dict[str, Text] = {
    "staff": msg("Staff"),
    "turnover": msg("Turnover"),
    "balance_sheet": msg("Balance-sheet total"),
    "linked": msg("Stakes of others"),
    "owns": msg("Your stakes"),
    "sector": msg("Sector"),
    "customers": msg("Customers"),
    "reach": msg("Reach"),
    "website": msg("Website"),
    "social_presence": msg("Social media"),
    "online_share": msg("Online share"),
    "social_share": msg("Social media share"),
    "controlling_share": msg("Controlling share"),
    "results_check": msg("Results checked"),
    "referral": msg("Referrals"),
    "previous_year": msg("Previous year"),
    "small_business": msg("§ 19 UStG"),
}


def button_label(question_id: str, summary_label: Text) -> Text:
    """The summary button's label of a question: its short label, else the summary's label."""
    return BUTTON_LABELS.get(question_id, summary_label)


def score_line(result: Result) -> Text:
    return msg("Your digital gap: {score} of 100 (0 means no gap)", score=result.advice.score)


def step_lines(step: Step, *, done: bool = False, brief: bool = False) -> list[Line]:
    """A step as the plan shows it; ``brief``: title and first action only, as in the overview."""
    title = msg("{number}. {title}", number=step.priority, title=step.title)
    if done:
        title = msg("✅ {step}", step=title)
    lines = [Line(title, Style.STEP)]
    if not brief:
        lines.append(Line(step.why))
    lines.append(Line(step.action, Style.ACTION))
    if not brief:
        lines.append(
            Line(
                msg(
                    "Effort: {effort} · Cost: {cost} · Success shows in: {metric}",
                    effort=step.effort,
                    cost=step.cost,
                    metric=step.metric,
                ),
                Style.DETAIL,
            )
        )
    return lines


def week_steps(result: Result) -> tuple[Step, ...]:
    return tuple(step for step in result.advice.steps if step.horizon is Horizon.WEEK)


def quarter_steps(result: Result) -> tuple[Step, ...]:
    return tuple(step for step in result.advice.steps if step.horizon is not Horizon.WEEK)


def overview(result: Result, done: frozenset[str] = frozenset(), changes: Changes | None = None) -> Section:
    """Headline (with "provisional" where it applies), the score in one line, this week's steps, and what
    changed since the last check."""
    lines = [Line(score_line(result))]
    steps = week_steps(result)
    if steps:
        lines.append(Line(msg("This week"), Style.HEADING))
        for step in steps:
            lines += step_lines(step, done=step.id in done, brief=True)
    lines += since_last_check(changes)
    return Section(View.OVERVIEW, result.classification.headline, tuple(lines))


def plan_view(result: Result, done: frozenset[str] = frozenset()) -> Section:
    """The whole plan with what is done; this week's steps briefly (the overview shows them), the quarter's
    in full."""
    lines: list[Line] = []
    week = week_steps(result)
    if week:
        lines.append(Line(msg("This week"), Style.HEADING))
        for step in week:
            lines += step_lines(step, done=step.id in done, brief=True)
    quarter = quarter_steps(result)
    if quarter:
        lines.append(Line(msg("This quarter"), Style.HEADING))
        for step in quarter:
            lines += step_lines(step, done=step.id in done)
    return Section(View.PLAN, msg("Your plan, most important first"), tuple(lines))


def size_class_view(result: Result) -> Section:
    """Why the company has its class, and what the class means (the full result's first and last sections)."""
    classification, _score, _plan, meaning = result.sections
    return Section(
        View.SIZE_CLASS,
        classification.title,
        (*classification.lines, Line(meaning.title, Style.HEADING), *meaning.lines),
    )


def comparisons_view(result: Result, peer: Text | None = None) -> Section:
    """The score's parts and the comparisons that fit the profile, the peer benchmark among them."""
    score = result.sections[1]
    return Section(View.COMPARISONS, score.title, with_peers(score.lines, peer))


def view(
    result: Result,
    which: View,
    done: frozenset[str] = frozenset(),
    *,
    changes: Changes | None = None,
    peer: Text | None = None,
) -> Section:
    """One view; ``changes`` and ``peer`` come from the bot's data (previous result, peer benchmark)."""
    if which is View.PLAN:
        return plan_view(result, done)
    if which is View.SIZE_CLASS:
        return size_class_view(result)
    if which is View.COMPARISONS:
        return comparisons_view(result, peer)
    return overview(result, done, changes)
