"""The result as sections of styled lines, so that every channel shows the same content and only decides
how a style looks (bold, a bullet, a warning sign).

It also holds what the size class means for a German company: the legal duties judged in ``dialogs.duties``
(the same verdicts the plan acts on) and funding, each point dated, because those rules change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogs.advice import Advice
from dialogs.classification import Classification
from dialogs.comparisons import comparison_blocks
from dialogs.duties import DutyStatus, DutyVerdict, evaluate_duties
from dialogs.plan import Horizon
from dialogs.profile import CompanyProfile
from dialogs.text import Day, Text, msg

AS_OF = msg("December 2026")


class Style(StrEnum):
    """How a line is meant to look; each channel renders the styles its own way."""

    PLAIN = "plain"
    NOTE = "note"  # secondary, e.g. the German IfM class
    WARNING = "warning"  # a caveat that limits the result
    BULLET = "bullet"
    HEADING = "heading"  # a heading inside a section
    STEP = "step"  # a numbered step's title
    ACTION = "action"  # what to do, and when
    DETAIL = "detail"  # effort, cost and the figure to watch


@dataclass(frozen=True)
class Line:
    text: Text
    style: Style = Style.PLAIN


@dataclass(frozen=True)
class Section:
    """One block of the result: a title and its lines."""

    id: str
    title: Text
    lines: tuple[Line, ...]


def size_class_meaning(
    profile: CompanyProfile, classification: Classification, duties: tuple[DutyVerdict, ...] | None = None
) -> tuple[Text, ...]:
    """What the size class and the answers mean for the company under German rules: the legal duties with
    the verdicts the plan uses (evaluated today unless given), then funding; each point dated."""
    if duties is None:
        duties = evaluate_duties(profile, classification)
    return (*(duty_line(verdict) for verdict in duties), _funding(classification))


def duty_status(verdict: DutyVerdict) -> Text:
    """The verdict in a few words: applies from/since a date, does not apply, or depends on what."""
    if verdict.status is DutyStatus.DEPENDS:
        assert verdict.depends_on is not None
        return msg("depends on {what}", what=verdict.depends_on)
    if verdict.status is DutyStatus.DOES_NOT_APPLY or verdict.starts_on is None:
        return msg("does not apply")
    if verdict.started:
        return msg("applies since {date}", date=Day(verdict.starts_on))
    return msg("applies from {date}", date=Day(verdict.starts_on))


def duty_line(verdict: DutyVerdict) -> Text:
    """One duty as the size-class section, the chat and the PDF show it, with its source and date."""
    return msg(
        "{title}: {status} (as of {date}). {verdict} Source: {source}.",
        title=verdict.title,
        status=duty_status(verdict),
        date=Day(verdict.as_of),
        verdict=verdict.verdict,
        source=verdict.source,
    )


def _funding(c: Classification) -> Text:
    if c.public_control:
        return msg(
            "Funding (as of {date}): with public bodies holding 25 % or more, your company is not an SME, so"
            " SME programmes are not open to it. The federal funding database (foerderdatenbank.de) also"
            " lists programmes for other companies.",
            date=AS_OF,
        )
    if not c.is_sme:
        return msg(
            "Funding (as of {date}): your company is not an SME, so SME programmes are not open to it. The"
            " federal funding database (foerderdatenbank.de) also lists programmes for larger companies.",
            date=AS_OF,
        )
    if c.provisional:
        return msg(
            "Funding (as of {date}): most public SME programmes (EU state-aid rules, KfW, federal and Land"
            " programmes) use the EU definition with the partner and linked rules and ask you to sign an SME"
            " declaration. Clarify the open figures named above first, as your category is provisional. Current"
            " programmes are listed in the federal funding database (foerderdatenbank.de).",
            date=AS_OF,
        )
    return msg(
        "Funding (as of {date}): most public SME programmes (EU state-aid rules, KfW, federal and Land"
        " programmes) use the EU definition and ask you to sign an SME declaration, which your figures"
        " support. Current programmes are listed in the federal funding database (foerderdatenbank.de).",
        date=AS_OF,
    )


def result_sections(
    profile: CompanyProfile, classification: Classification, advice: Advice
) -> tuple[Section, ...]:
    """The result in the order a reader needs it: category, score, plan, what the size class means."""
    c = classification
    head = [Line(reason) for reason in c.reasons]
    head.append(Line(c.ifm_class, Style.NOTE))
    if c.ifm_note is not None:
        head.append(Line(c.ifm_note, Style.NOTE))
    head += [Line(caveat, Style.WARNING) for caveat in c.caveats]

    score = [Line(msg("0 means no gap, 100 the widest gap. How it adds up:"))]
    score += [
        Line(
            msg("{part}: {points}/{maximum}", part=part.label, points=part.points, maximum=part.maximum),
            Style.BULLET,
        )
        for part in advice.score_parts
    ]
    for heading, block in comparison_blocks(advice.comparisons, c):
        score.append(Line(heading, Style.HEADING))
        score += [Line(comparison.text, Style.BULLET) for comparison in block]

    plan: list[Line] = []
    for step in advice.steps:
        if step.priority == 1:
            plan.append(Line(msg("This week"), Style.HEADING))
        elif step.horizon is Horizon.QUARTER and _previous_is_week(advice, step.priority):
            plan.append(Line(msg("This quarter"), Style.HEADING))
        plan.append(Line(msg("{number}. {title}", number=step.priority, title=step.title), Style.STEP))
        plan.append(Line(step.why))
        plan.append(Line(step.action, Style.ACTION))
        plan.append(
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

    meaning = [
        Line(point, Style.BULLET)
        for point in size_class_meaning(profile, classification, advice.duties or None)
    ]
    return (
        Section("classification", c.headline, tuple(head)),
        Section("score", msg("Your digital gap: {score} of 100", score=advice.score), tuple(score)),
        Section("plan", msg("Your plan, most important first"), tuple(plan)),
        Section("size_class", msg("What your size class means for you"), tuple(meaning)),
    )


def _previous_is_week(advice: Advice, priority: int) -> bool:
    return priority >= 2 and advice.steps[priority - 2].horizon is Horizon.WEEK
