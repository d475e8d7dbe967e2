"""The result as a PDF report a managing director can keep and forward: no personal data, two to four pages.

``build_report`` is a pure function of the result, the language and the check's date: the sections of
``bot.report.sections`` laid out by ``bot.report.layout``. Call it on the chart thread
(``bot.chart.draw_off_loop``), never on the event loop.
"""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator
from bot.report.layout import PdfWriter
from bot.report.sections import COMPARISON_SOURCES, SECTIONS, Section, report_sections
from dialogs.screens import Result

__all__ = ["COMPARISON_SOURCES", "SECTIONS", "Section", "build_report", "report_filename", "report_sections"]


def build_report(result: Result, language: str, checked_on: date) -> bytes:
    """The PDF report of ``result`` in ``language`` ("de" or "en"), dated ``checked_on``."""
    t = Translator(language)
    writer = PdfWriter(t, checked_on)
    for section in report_sections(result, t):
        writer.section(section)
    return writer.output()


def report_filename(checked_on: date) -> str:
    return f"kmu-check-{checked_on.isoformat()}.pdf"
