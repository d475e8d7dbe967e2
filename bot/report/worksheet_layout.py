"""The layout of the SME declaration worksheet: the report's layout with tables and blank fields to fill in."""

from __future__ import annotations

from bot.report.layout import FONT, INK, MUTED, RULE, PdfWriter
from bot.report.sections import Block

TABLE_SIZE = 8.0
ROW = 4.2


class WorksheetWriter(PdfWriter):
    """The report's layout with two more blocks: tables and blank fields to fill in by hand."""

    def table(
        self, rows: list[tuple[str, ...]], widths: tuple[float, ...], bold_rows: frozenset[int]
    ) -> None:
        pdf = self.pdf
        scale = pdf.epw / sum(widths)
        columns = [w * scale for w in widths]
        pdf.set_draw_color(*RULE)
        for index, row in enumerate(rows):
            style = "B" if index == 0 or index in bold_rows else ""
            pdf.set_font(FONT, style, TABLE_SIZE)
            lines = [self._wrap(cell, width - 2) for cell, width in zip(row, columns, strict=True)]
            height = max(len(cell) for cell in lines) * ROW + 1.5
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
            top, x = pdf.get_y(), pdf.l_margin
            pdf.set_text_color(*INK)
            for column, (cell, width) in enumerate(zip(lines, columns, strict=True)):
                pdf.rect(x, top, width, height)
                for number, line in enumerate(cell):
                    pdf.set_xy(x + 1, top + 0.75 + number * ROW)
                    pdf.cell(width - 2, ROW, line, align="L" if column == 0 else "R")
                x += width
            pdf.set_xy(pdf.l_margin, top + height)
        pdf.ln(3)

    def blocks(self, *blocks: Block) -> None:
        """Blocks that continue the section above, without a heading of their own."""
        for block in blocks:
            if self.pdf.get_y() + self._height(block) > self.pdf.page_break_trigger:
                self.pdf.add_page()
            self._draw(block)

    def fields(self, labels: list[str]) -> None:
        """Labels with a line to write on: what the advisor does not know is filled in by hand."""
        pdf = self.pdf
        for label in labels:
            if pdf.get_y() + 9 > pdf.page_break_trigger:
                pdf.add_page()
            pdf.set_font(FONT, "", SMALL_LABEL)
            pdf.set_text_color(*MUTED)
            pdf.cell(0, 4, label, new_x="LMARGIN", new_y="NEXT")
            y = pdf.get_y() + 5
            pdf.set_draw_color(*INK)
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_y(y + 2.5)
        pdf.ln(1)


SMALL_LABEL = 8.0
