"""The result as a PDF report a managing director can keep and forward: no personal data, two to four pages.

``build_report`` is a pure function of the result, the language and the check's date. The report is a
sequence of sections; each entry of ``SECTIONS`` turns the result into a ``Section`` (or ``None`` when the
result has nothing for it) out of a few plain blocks, and ``_PdfWriter`` lays the blocks out. A new part of
the result becomes a new section function added to ``SECTIONS``; the layout code stays untouched.

It draws with matplotlib: call it on the chart thread (``bot.chart.draw_off_loop``), never on the event loop.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

from babel.dates import format_date

from bot.chart import SPLIT_CHART_SIZE, draw_split_chart
from bot.i18n import Translator, format_integer
from dialogs.engine import Result
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
    """A matplotlib chart as raw RGBA pixels (``size`` = width, height), shown ``width_mm`` wide."""

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
    return Section(
        t(msg("Your marketing split compared")),
        (
            Chart(
                draw_split_chart(shares, t.language, dpi=CHART_DPI, fmt="rgba"),
                _pixels(SPLIT_CHART_SIZE),
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
    comparisons = result.advice.comparisons
    if not comparisons:
        return None
    return Section(
        t(msg("How you compare")), (Bullets(tuple(t(comparison.text) for comparison in comparisons)),)
    )


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


# --- layout ---------------------------------------------------------------------------------------

ACCENT = (31, 119, 180)  # the chat chart's blue
INK = (33, 37, 41)
MUTED = (108, 117, 125)
CALLOUT_FILL = (236, 244, 251)
WARNING_FILL = (253, 243, 224)
WARNING_EDGE = (230, 145, 30)
RULE = (206, 212, 218)
FONT = "DejaVu"
BODY = 9.5  # pt
SMALL = 8.0
LINE = 4.7  # mm, for BODY
STEP_INDENT = 9.0


# The characters a report can contain: Latin scripts with their accents (ä ö ü ß), punctuation (“ ” – …),
# currency (€), arrows (→) and a few symbols (⚠). Glyphs outside are drawn as a missing-glyph box.
REPORT_CHARACTERS = (
    *range(0x20, 0x250),
    *range(0x2000, 0x2070),
    *range(0x20A0, 0x20C1),
    *range(0x2190, 0x2200),
    0x2022,
    0x25CF,
    0x26A0,
    0x2713,
)
_STYLES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_font_folder: tempfile.TemporaryDirectory[str] | None = None


def _font_files() -> dict[str, Path]:
    """DejaVu Sans as matplotlib ships it, cut down once per process to ``REPORT_CHARACTERS``.

    fpdf2 reads the whole font for every document: ~6,000 glyphs per style cost ~40 ms each time, the
    cut-down copies (~500 glyphs, no hinting) a tenth of that.
    """
    global _font_folder
    if _font_folder is None:
        import matplotlib
        from fontTools import subset

        source = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        folder = tempfile.TemporaryDirectory(prefix="kmu-report-fonts-")
        options = subset.Options()
        options.hinting = False
        options.layout_features = []  # fpdf2 shapes no text here: kerning and ligatures are unused
        options.notdef_outline = True
        options.drop_tables += ["FFTM"]  # FontForge's timestamps: unknown to the subsetter, unused by readers
        options.name_IDs = ["*"]
        for name in _STYLES.values():
            font = subset.load_font(str(source / name), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=REPORT_CHARACTERS)
            subsetter.subset(font)
            subset.save_font(font, str(Path(folder.name) / name), options)
        _font_folder = folder
    return {style: Path(_font_folder.name) / name for style, name in _STYLES.items()}


def build_report(result: Result, language: str, checked_on: date) -> bytes:
    """The PDF report of ``result`` in ``language`` ("de" or "en"), dated ``checked_on``."""
    t = Translator(language)
    writer = _PdfWriter(t, checked_on)
    for section in report_sections(result, t):
        writer.section(section)
    return writer.output()


def report_filename(checked_on: date) -> str:
    return f"kmu-check-{checked_on.isoformat()}.pdf"


class _PdfWriter:
    """Lays out sections on A4 pages with a title block, running footer and page numbers."""

    MARGIN = 18.0

    def __init__(self, t: Translator, checked_on: date) -> None:
        from fpdf import FPDF

        self.t = t
        self._widths: dict[tuple[str, float, str], float] = {}
        footer_text = t(
            msg(
                "This report summarises a self-check from your own answers. It is not legal or tax advice."
                " For funding and official purposes, the SME declaration (KMU-Erklärung) of your company is"
                " the authoritative document."
            )
        )
        page_label = t(msg("Page {page} of {pages}", page="{page}", pages="{pages}"))

        class _Document(FPDF):
            def footer(self) -> None:
                self.set_y(-17)
                self.set_draw_color(*RULE)
                self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
                self.set_y(-15.5)
                self.set_font(FONT, "", 7)
                self.set_text_color(*MUTED)
                self.multi_cell(self.epw - 26, 3.2, footer_text, align="L")
                self.set_xy(self.w - self.r_margin - 24, -15.5)
                label = page_label.format(page=self.page_no(), pages="{nb}")
                self.cell(24, 3.2, label, align="R")

        pdf = _Document(orientation="portrait", unit="mm", format="A4")
        for style, path in _font_files().items():
            pdf.add_font(FONT, style, str(path))
        pdf.set_margins(self.MARGIN, self.MARGIN, self.MARGIN)
        pdf.c_margin = 0  # text starts at the margin, flush with the rules and boxes
        pdf.set_auto_page_break(True, margin=24)
        pdf.set_lang(t.language)
        title = t(msg("KMU Digital Check: your result"))
        pdf.set_title(title)
        pdf.set_creator("KMU Digital-Berater")
        # The check's date, not the moment of rendering: the same result gives the same file.
        pdf.set_creation_date(datetime.combine(checked_on, time(12), tzinfo=UTC))
        pdf.add_page()
        self.pdf = pdf
        self._title_block(title, checked_on)

    def _title_block(self, title: str, checked_on: date) -> None:
        pdf = self.pdf
        pdf.set_fill_color(*ACCENT)
        pdf.rect(0, 0, pdf.w, 30, style="F")
        pdf.set_xy(self.MARGIN, 9)
        pdf.set_text_color(255, 255, 255)
        pdf.set_font(FONT, "B", 18)
        pdf.cell(0, 8, title)
        pdf.set_xy(self.MARGIN, 18)
        pdf.set_font(FONT, "", 10)
        when = format_date(checked_on, format="long", locale=self.t.language)
        pdf.cell(0, 5, self.t(msg("Check of {date}", date=when)))
        pdf.set_y(38)

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    # Each block is drawn by ``_draw`` and measured by drawing it in a dry run, so page breaks fall
    # between blocks and a heading stays with the block that follows it.

    def section(self, section: Section) -> None:
        pdf = self.pdf
        heading = 2 + self._lines(pdf.epw, 7, section.heading, "B", 13) + 4
        first = self._height(section.blocks[0]) if section.blocks else 0
        whole = heading + sum(self._height(block, whole=True) for block in section.blocks)
        # A short section with a chart (up to half a page) stays on one page, the chart beside its words;
        # others start where their heading and first block fit, and break between blocks.
        has_chart = any(isinstance(block, Chart) for block in section.blocks)
        keep_together = has_chart and whole <= (pdf.page_break_trigger - pdf.t_margin) / 2
        if pdf.get_y() + (whole if keep_together else heading + first) > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font(FONT, "B", 13)
        pdf.set_text_color(*ACCENT)
        self._write(0, 7, section.heading)
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.4)
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + 20, pdf.get_y() + 0.5)
        pdf.set_line_width(0.2)
        pdf.ln(3.5)
        for block in section.blocks:
            if pdf.get_y() + self._height(block) > pdf.page_break_trigger:
                pdf.add_page()
            self._draw(block)
        pdf.ln(2)

    def _lines(self, width: float, line_height: float, text: str, style: str, size: float) -> float:
        """The height ``text`` takes when written ``width`` wide in the given font."""
        self.pdf.set_font(FONT, style, size)
        return len(self._wrap(text, width)) * line_height

    def _wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines at spaces, in the current font.

        fpdf2's ``multi_cell`` measures a line afresh for every character it adds, which made a report
        take a second; words measured once keep layout to a few milliseconds.
        """
        pdf = self.pdf
        key = (pdf.font_style, pdf.font_size_pt)
        space = self._width(" ", key)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                needed = self._width(word, key)
                if line and used + space + needed > width:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                used += (space if line else 0.0) + needed
                line.append(word)
            lines.append(" ".join(line))
        return lines

    def _width(self, word: str, key: tuple[str, float]) -> float:
        width = self._widths.get((*key, word))
        if width is None:
            width = self._widths[(*key, word)] = self.pdf.get_string_width(word)
        return width

    def _write(self, width: float, line_height: float, text: str, align: str = "L") -> None:
        """Write ``text`` in the current font as lines ``width`` wide (0: to the right margin)."""
        pdf = self.pdf
        x = pdf.get_x()
        width = width or pdf.w - pdf.r_margin - x
        for line in self._wrap(text, width):
            pdf.set_x(x)
            pdf.cell(width, line_height, line, align=align, new_x="LMARGIN", new_y="NEXT")

    def _height(self, block: Block, *, whole: bool = False) -> float:
        """The height of ``block``; of a list only its first item (lists may break), unless ``whole``."""
        epw = self.pdf.epw
        if isinstance(block, Paragraph):
            return (
                self._lines(
                    epw, LINE * (0.9 if block.muted else 1), block.text, "", SMALL if block.muted else BODY
                )
                + 1.5
            )
        if isinstance(block, Bullets):
            items = block.items if whole else block.items[:1]
            return sum(self._lines(epw - 5, LINE, item, "", BODY) + 1.2 for item in items)
        if isinstance(block, Callout):
            return self._callout_height(block)
        if isinstance(block, NumberedItem):
            width = epw - STEP_INDENT
            height = self._lines(width, 5.6, block.title, "B", 10.5) + self._lines(
                width, LINE, block.body, "", BODY
            )
            return (
                height
                + sum(1 + self._lines(width, LINE, "→ " + line, "I", BODY) for line in block.lines)
                + 3.5
            )
        return block.width_mm * block.size[1] / block.size[0] + 7

    def _draw(self, block: Block) -> None:
        if isinstance(block, Paragraph):
            self._paragraph(block)
        elif isinstance(block, Bullets):
            self._bullets(block.items)
        elif isinstance(block, Callout):
            self._callout(block)
        elif isinstance(block, NumberedItem):
            self._numbered(block)
        else:
            self._chart(block)

    def _paragraph(self, block: Paragraph) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "B" if block.bold else "", SMALL if block.muted else BODY)
        pdf.set_text_color(*(MUTED if block.muted else INK))
        self._write(0, LINE * (0.9 if block.muted else 1), block.text)
        pdf.ln(1.5)

    def _bullets(self, items: Sequence[str]) -> None:
        pdf = self.pdf
        for item in items:
            if pdf.get_y() + self._lines(pdf.epw - 5, LINE, item, "", BODY) > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_fill_color(*ACCENT)
            pdf.circle(x=pdf.l_margin + 1.6, y=y + LINE / 2, radius=0.8, style="F")
            pdf.set_font(FONT, "", BODY)
            pdf.set_text_color(*INK)
            pdf.set_x(pdf.l_margin + 5)
            self._write(pdf.epw - 5, LINE, item)
            pdf.ln(1.2)

    def _callout_height(self, block: Callout) -> float:
        inner = self.pdf.epw - 10
        title = self._lines(inner, 6, block.title, "B", BODY if block.warning else 14)
        body = self._lines(inner, LINE, "\n".join(block.lines), "", BODY) + 1.5 if block.lines else 0
        return 3.5 + title + body + 3 + 3

    def _callout(self, block: Callout) -> None:
        pdf = self.pdf
        fill, edge = (WARNING_FILL, WARNING_EDGE) if block.warning else (CALLOUT_FILL, ACCENT)
        height = self._callout_height(block) - 3
        top = pdf.get_y()
        pdf.set_fill_color(*fill)
        pdf.rect(pdf.l_margin, top, pdf.epw, height, style="F")
        pdf.set_fill_color(*edge)
        pdf.rect(pdf.l_margin, top, 1.2, height, style="F")
        inner = pdf.epw - 10
        pdf.set_xy(pdf.l_margin + 6, top + 3.5)
        pdf.set_font(FONT, "B", BODY if block.warning else 14)
        pdf.set_text_color(*(INK if block.warning else ACCENT))
        self._write(inner, 6, block.title)
        if block.lines:
            pdf.ln(1.5)
            pdf.set_x(pdf.l_margin + 6)
            pdf.set_font(FONT, "", BODY)
            pdf.set_text_color(*INK)
            self._write(inner, LINE, "\n".join(block.lines))
        pdf.set_y(top + height + 3)

    def _numbered(self, item: NumberedItem) -> None:
        pdf = self.pdf
        width = pdf.epw - STEP_INDENT
        top = pdf.get_y()
        pdf.set_fill_color(*ACCENT)
        pdf.circle(x=pdf.l_margin + 3, y=top + 2.9, radius=3, style="F")
        pdf.set_font(FONT, "B", 8.5)
        pdf.set_text_color(255, 255, 255)
        pdf.set_xy(pdf.l_margin, top + 0.4)
        pdf.cell(6, 5, format_integer(item.number, self.t.language), align="C")
        pdf.set_xy(pdf.l_margin + STEP_INDENT, top)
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_text_color(*INK)
        self._write(width, 5.6, item.title)
        pdf.set_x(pdf.l_margin + STEP_INDENT)
        pdf.set_font(FONT, "", BODY)
        self._write(width, LINE, item.body)
        for line in item.lines:
            pdf.ln(1)
            pdf.set_x(pdf.l_margin + STEP_INDENT)
            pdf.set_font(FONT, "I", BODY)
            self._write(width, LINE, "→ " + line)
        pdf.ln(3.5)

    def _chart(self, chart: Chart) -> None:
        pdf = self.pdf
        from PIL import Image

        image = Image.frombuffer("RGBA", chart.size, chart.rgba).convert("RGB")  # the charts are opaque
        height = chart.width_mm * chart.size[1] / chart.size[0]
        pdf.image(image, x=pdf.l_margin + (pdf.epw - chart.width_mm) / 2, w=chart.width_mm, h=height)
        pdf.set_font(FONT, "I", 8)
        pdf.set_text_color(*MUTED)
        pdf.set_x(pdf.l_margin)
        self._write(0, 4, chart.caption, align="C")
        pdf.ln(3)
