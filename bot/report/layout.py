"""The report's layout: A4 pages in DejaVu Sans (matplotlib's own font, cut down once per process) with a
title block, running footer and page numbers; ``PdfWriter`` places the blocks of ``bot.report.sections``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.fonts import dejavu_folder
from bot.i18n import Translator, format_integer
from bot.report.sections import Block, Bullets, Callout, Chart, NumberedItem, Paragraph, Section
from dialogs.text import Day, Text, msg

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
        from fontTools import subset

        source = dejavu_folder()
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


_FOOTER = msg(
    "This report summarises a self-check from your own answers. It is not legal or tax advice."
    " For funding and official purposes, the SME declaration (KMU-Erklärung) of your company is"
    " the authoritative document."
)


class PdfWriter:
    """Lays out sections on A4 pages with a title block, running footer and page numbers."""

    MARGIN = 18.0

    def __init__(
        self, t: Translator, checked_on: date, *, title: Text | None = None, footer: Text | None = None
    ) -> None:
        from fpdf import FPDF

        self.t = t
        self._widths: dict[tuple[str, float, str], float] = {}
        footer_text = t(footer or _FOOTER)
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
        heading = t(title or msg("KMU Digital-Berater: your result"))
        pdf.set_title(heading)
        pdf.set_creator("KMU Digital-Berater")
        # The check's date, not the moment of rendering: the same result gives the same file.
        pdf.set_creation_date(datetime.combine(checked_on, time(12), tzinfo=UTC))
        pdf.add_page()
        self.pdf = pdf
        self._title_block(heading, checked_on)

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
        pdf.cell(0, 5, self.t(msg("Check of {date}", date=Day(checked_on))))
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
