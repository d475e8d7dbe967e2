"""The report's content: the blocks a section is made of, and one function per section of the result.

Each entry of ``SECTIONS`` turns the result into a ``Section`` (or ``None`` when the result has nothing for it);
a new part of the result becomes one more function here, and the layout stays untouched. Charts are drawn
here (the score's with matplotlib, the marketing split's with Pillow, as in the chat): call on the chart thread
(``bot.chart.draw_off_loop``), never on the event loop.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.chart import split_chart_image
from bot.i18n import Translator, format_integer
from dialogs.comparisons import comparison_blocks
from dialogs.screens import Result
from dialogs.sections import Section as ResultSection
from dialogs.sections import Style
from dialogs.text import Text, msg

# --- the blocks a section is made of ---------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    muted: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Callout:
    """A highlighted box: the category, a caveat, a provisional mark."""

    title: str
    lines: tuple[str, ...] = ()
    warning: bool = False


@dataclass(frozen=True)
class NumberedItem:
    """A step of a plan: title, explanation and lines under it (the first action, effort and cost)."""

    number: int
    title: str
    body: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    """A chart as raw RGBA pixels (``size`` = width, height), shown ``width_mm`` wide."""

    rgba: bytes
    size: tuple[int, int]
    width_mm: float
    caption: str


Block = Paragraph | Bullets | Callout | NumberedItem | Chart


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


SectionBuilder = Callable[[Result, Translator], Section | None]

SCORE_CHART_SIZE = (6.4, 2.6)  # inches
# Print resolution for charts 13-15 cm wide. Vector SVG would be sharper, but fpdf2 needs ~0.5 s to import
# one matplotlib SVG (it copies every glyph it draws). Raw pixels skip encoding and decoding a PNG.
CHART_DPI = 150


# --- the sections ----------------------------------------------------------------------------------


def category_section(result: Result, t: Translator) -> Section:
    """The headline (marked provisional when group figures are missing), the ceilings that decided it, its
    caveats, and the IfM Bonn class for comparison."""
    c = result.classification
    blocks: list[Block] = [Callout(t(c.headline), tuple(t(reason) for reason in c.reasons))]
    blocks += [Callout(t(msg("Please note")), (t(caveat),), warning=True) for caveat in c.caveats]
    blocks.append(Paragraph(t(c.ifm_class), muted=True))
    if c.ifm_note is not None:
        blocks.append(Paragraph(t(c.ifm_note), muted=True))
    return Section(t(msg("Your size class under the EU definition")), tuple(blocks))


def score_section(result: Result, t: Translator) -> Section:
    """The digital-gap score with its parts, as a chart and in words."""
    advice = result.advice
    parts = " · ".join(
        f"{t(part.label)} {format_integer(part.points, t.language)}/{format_integer(part.maximum, t.language)}"
        for part in advice.score_parts
    )
    return Section(
        t(msg("Your digital gap: {score} of 100", score=advice.score)),
        (
            Paragraph(t(msg("0 means no gap, 100 the widest gap. How it adds up:"))),
            Paragraph(parts, muted=True),  # the chart's figures as text, before it: never orphaned after it
            Chart(
                score_chart(result, t.language),
                _pixels(SCORE_CHART_SIZE),
                150,
                t(msg("Gap points per lever")),
            ),
        ),
    )


def marketing_section(result: Result, t: Translator) -> Section | None:
    """The marketing split beside the survey figures, the same chart as in the chat (firms selling to
    businesses only, like the survey)."""
    if not result.compares_with_b2b_survey:
        return None
    p = result.profile
    shares = tuple(share.normalize() for share in (p.online_share, p.social_share, p.controlling_share))
    image = split_chart_image(shares, t.language, dpi=CHART_DPI)
    return Section(
        t(msg("Your marketing split compared")),
        (
            Chart(
                image.convert("RGBA").tobytes(),
                image.size,
                130,
                t(msg("Your marketing split beside the 2014 survey figures")),
            ),
        ),
    )


def plan_section(result: Result, t: Translator) -> Section:
    """The plan as the engine lays it out: this week, this quarter, each step with why it matters, its first
    action, effort, cost and the figure that shows it worked."""
    plan = _engine_section(result, "plan")
    steps = iter(result.advice.steps)
    blocks: list[Block] = []
    for line in plan.lines:
        if line.style is Style.HEADING:
            blocks.append(Paragraph(t(line.text), bold=True))
        elif line.style is Style.STEP:
            step = next(steps)
            blocks.append(NumberedItem(step.priority, t(step.title), t(step.why), (t(step.action),)))
        elif line.style is Style.DETAIL and blocks and isinstance(blocks[-1], NumberedItem):
            item = blocks[-1]
            blocks[-1] = replace(item, lines=(*item.lines, t(line.text)))
    return Section(t(plan.title), tuple(blocks))


def size_class_section(result: Result, t: Translator) -> Section:
    """What the size class means under German rules (e-invoicing, accessibility, funding), each point dated."""
    meaning = _engine_section(result, "size_class")
    return Section(t(meaning.title), (Bullets(tuple(t(line.text) for line in meaning.lines)),))


def _engine_section(result: Result, section_id: str) -> ResultSection:
    return next(section for section in result.sections if section.id == section_id)


def comparisons_section(result: Result, t: Translator) -> Section | None:
    """The comparisons, the company's own figures apart from its group's, each block under its label."""
    blocks = comparison_blocks(result.advice.comparisons, result.classification)
    if not blocks:
        return None
    if len(blocks) == 1:
        ((heading, comparisons),) = blocks
        return Section(t(heading), (Bullets(tuple(t(c.text) for c in comparisons)),))
    parts: list[Block] = []
    for heading, comparisons in blocks:
        parts += [Paragraph(t(heading), bold=True), Bullets(tuple(t(c.text) for c in comparisons))]
    return Section(t(msg("How you compare")), tuple(parts))


# Where each figure comes from, with its year. A comparison without an entry here fails the tests.
COMPARISON_SOURCES: dict[str, Text] = {
    "tns_2014_online_share": msg("TNS Infratest, survey of B2B companies on their marketing budgets (2014)"),
    "tns_2014_results_check": msg("TNS Infratest, survey of B2B companies on their marketing budgets (2014)"),
    "bitkom_2023_social_media": msg("Bitkom, social media in companies (December 2023)"),
    "kfw_2024_digitalisation_spend": msg("KfW Digitalisierungsbericht Mittelstand (2024)"),
    "eurostat_2023_digital_intensity": msg("Eurostat, Digital Intensity Index (2023)"),
}
CLASSIFICATION_SOURCES: tuple[Text, ...] = (
    msg("Commission Recommendation 2003/361/EC on the definition of SMEs (2003, in force since 2005)"),
    msg("Commission Recommendation (EU) 2025/1099 on small mid-cap enterprises (2025)"),
    msg("IfM Bonn, KMU-Definition des IfM Bonn (since 2016)"),
)


def sources_section(result: Result, t: Translator) -> Section:
    """Every source the report relies on, with its year, each named once."""
    cited = [COMPARISON_SOURCES[c.id] for c in result.advice.comparisons if c.id in COMPARISON_SOURCES]
    names = dict.fromkeys(t(source) for source in (*CLASSIFICATION_SOURCES, *cited))
    return Section(t(msg("Sources")), (Bullets(tuple(names)),))


SECTIONS: tuple[SectionBuilder, ...] = (
    category_section,
    score_section,
    plan_section,
    size_class_section,
    marketing_section,
    comparisons_section,
    sources_section,
)


def report_sections(result: Result, t: Translator) -> list[Section]:
    """The sections this result has, in reading order."""
    return [section for build in SECTIONS if (section := build(result, t)) is not None]


# --- charts ---------------------------------------------------------------------------------------


def _pixels(inches: tuple[float, float]) -> tuple[int, int]:
    """The pixel size matplotlib renders a figure of ``inches`` at ``CHART_DPI``."""
    return round(inches[0] * CHART_DPI), round(inches[1] * CHART_DPI)


def score_chart(result: Result, language: str) -> bytes:
    """Raw RGBA pixels of horizontal bars of the gap points per lever against their maximum, in the chat chart's look."""
    from matplotlib.figure import Figure  # imported lazily: matplotlib costs ~0.5 s to import

    t = Translator(language)
    parts = list(reversed(result.advice.score_parts))  # barh draws bottom-up; the first part goes on top
    labels = [t(part.label) for part in parts]
    figure = Figure(figsize=SCORE_CHART_SIZE, dpi=CHART_DPI)
    axes = figure.add_subplot()
    positions = range(len(parts))
    axes.barh(positions, [part.maximum for part in parts], 0.6, color="#e4e4e4", label=t(msg("Maximum")))
    bars = axes.barh(
        positions, [part.points for part in parts], 0.6, color="#1f77b4", label=t(msg("Your gap points"))
    )
    for bar, part in zip(bars, parts, strict=True):
        axes.annotate(
            f"{format_integer(part.points, language)}/{format_integer(part.maximum, language)}",
            (part.maximum, bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.set_xlim(0, max(part.maximum for part in parts) * 1.18)
    axes.set_xlabel(t(msg("Gap points (fewer is better)")), fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    axes.legend(fontsize=8, loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    # Fixed margins that fit the longest label in either language; tight_layout would cost a quarter more.
    figure.subplots_adjust(left=0.36, right=0.97, top=0.96, bottom=0.17)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="rgba")
    return buffer.getvalue()
