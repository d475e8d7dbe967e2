"""The result as sections of styled lines, so that every channel shows the same content and only decides
how a style looks (bold, a bullet, a warning sign).

It also holds what the size class means for a German company (e-invoicing, accessibility, funding), each
point dated, because those rules change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dialogs.advice import Advice
from dialogs.ceilings import SizeClass
from dialogs.classification import Classification
from dialogs.figures import figure_bounds
from dialogs.plan import Horizon
from dialogs.profile import CompanyProfile
from dialogs.text import Money, Text, msg

AS_OF = msg("December 2026")
E_INVOICE_TURNOVER_LIMIT = Decimal(800_000)


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


def size_class_meaning(profile: CompanyProfile, classification: Classification) -> tuple[Text, ...]:
    """What the size class and the answers mean for the company under German rules, each point dated."""
    points = [
        msg(
            "E-invoicing (as of {date}): since 1 January 2025 every business in Germany must be able to"
            " receive e-invoices (XRechnung or ZUGFeRD) from other businesses.",
            date=AS_OF,
        ),
        _issuing_e_invoices(profile),
        _accessibility(profile, classification),
        _funding(classification),
    ]
    return tuple(points)


def _issuing_e_invoices(p: CompanyProfile) -> Text:
    if p.customers == "private":
        return msg(
            "Issuing e-invoices (as of {date}): the duty covers invoices to businesses. As you sell to private"
            " customers, it applies only if you also invoice businesses; invoices to consumers are not"
            " covered.",
            date=AS_OF,
        )
    low, high = figure_bounds("turnover", p.turnover, p.banded)
    assert low is not None and high is not None
    if low > E_INVOICE_TURNOVER_LIMIT:
        return msg(
            "Issuing e-invoices (as of {date}): with a turnover of roughly {turnover}, above {limit}, you"
            " must issue e-invoices to business customers from 1 January 2027 if your 2026 turnover is above"
            " that too; from 2028 everyone must.",
            date=AS_OF,
            turnover=Money(p.turnover) if low == high else Money(low),
            limit=Money(E_INVOICE_TURNOVER_LIMIT),
        )
    if high <= E_INVOICE_TURNOVER_LIMIT:
        return msg(
            "Issuing e-invoices (as of {date}): with a turnover of roughly {turnover}, at most {limit}, you"
            " may still send paper or PDF invoices in 2027 if your 2026 turnover stays at most {limit}; from"
            " 1 January 2028 every business issues e-invoices to business customers.",
            date=AS_OF,
            turnover=Money(p.turnover),
            limit=Money(E_INVOICE_TURNOVER_LIMIT),
        )
    return msg(
        "Issuing e-invoices (as of {date}): if your 2026 turnover is above {limit}, you must issue e-invoices"
        " to business customers from 1 January 2027; otherwise from 1 January 2028, like everyone.",
        date=AS_OF,
        limit=Money(E_INVOICE_TURNOVER_LIMIT),
    )


def _accessibility(p: CompanyProfile, c: Classification) -> Text:
    if p.customers == "business":
        return msg(
            "Accessibility (BFSG, as of {date}): purely business-to-business offers are not covered.",
            date=AS_OF,
        )
    if c.category is SizeClass.MICRO and not c.public_control:
        return msg(
            "Accessibility (BFSG, in force since 28 June 2025; as of {date}): as a micro enterprise (fewer"
            " than 10 staff and turnover or balance-sheet total at most {limit}) you are exempt for services"
            " you offer consumers online, such as booking or a web shop. The exemption covers services only:"
            " products the law names (such as computers, smartphones or e-book readers) stay covered.",
            date=AS_OF,
            limit=Money(Decimal(2_000_000)),
        )
    return msg(
        "Accessibility (BFSG, in force since 28 June 2025; as of {date}): if you offer consumers services"
        " online, such as a web shop or online booking, they must be accessible. Your company is not a micro"
        " enterprise, so the exemption does not apply.",
        date=AS_OF,
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
            " declaration. Clarify your ownership figures first, as your category is provisional. Current"
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
    if advice.comparisons:
        score.append(Line(msg("How you compare"), Style.HEADING))
        score += [Line(comparison.text, Style.BULLET) for comparison in advice.comparisons]

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
                    "Effort: {effort} · Cost: {cost} · Shows it worked: {metric}",
                    effort=step.effort,
                    cost=step.cost,
                    metric=step.metric,
                ),
                Style.DETAIL,
            )
        )

    meaning = [Line(point, Style.BULLET) for point in size_class_meaning(profile, classification)]
    return (
        Section("classification", c.headline, tuple(head)),
        Section("score", msg("Your digital gap: {score} of 100", score=advice.score), tuple(score)),
        Section("plan", msg("Your plan, most important first"), tuple(plan)),
        Section("size_class", msg("What your size class means for you"), tuple(meaning)),
    )


def _previous_is_week(advice: Advice, priority: int) -> bool:
    return priority >= 2 and advice.steps[priority - 2].horizon is Horizon.WEEK
