"""Screens of the dialogue engine as text, shared by the terminal and Telegram (plain text or Telegram HTML)."""

from __future__ import annotations

import html as html_lib

from bot.i18n import Translator
from dialogs.screens import QuestionScreen, Result, SummaryScreen
from dialogs.sections import Changes, Section, Style, with_history
from dialogs.text import Text, msg


class Markup:
    """Plain text for the terminal; subclass ``HtmlMarkup`` escapes and emphasizes for Telegram."""

    def bold(self, text: str) -> str:
        return text

    def italic(self, text: str) -> str:
        return text

    def escape(self, text: str) -> str:
        return text


class HtmlMarkup(Markup):
    def bold(self, text: str) -> str:
        return f"<b>{text}</b>"

    def italic(self, text: str) -> str:
        return f"<i>{text}</i>"

    def escape(self, text: str) -> str:
        return html_lib.escape(text, quote=False)


PLAIN = Markup()
HTML = HtmlMarkup()


def render_question(screen: QuestionScreen, t: Translator, markup: Markup = PLAIN) -> str:
    """The question with its progress line, hint and the answer given before (if any)."""
    e = markup.escape
    lines = [markup.italic(e(t(screen.progress))), markup.bold(e(t(screen.prompt)))]
    if screen.hint is not None:
        lines.append(e(t(screen.hint)))
    if screen.current is not None:
        lines.append(e(t(msg("Your answer so far: {answer}", answer=screen.current))))
    return "\n".join(lines)


def render_summary(screen: SummaryScreen, t: Translator, markup: Markup = PLAIN) -> str:
    e = markup.escape
    lines = [markup.bold(e(t(msg("Your answers at a glance"))))]
    lines += [f"• {e(t(item.label))}: {e(t(item.value))}" for item in screen.items]
    lines.append("")
    lines.append(e(t(msg("Is everything right? Then I will prepare your result."))))
    return "\n".join(lines)


_PREFIX = {
    Style.WARNING: "⚠️ ",
    Style.BULLET: "• ",
    Style.ACTION: "👉 ",
    Style.DETAIL: "⏱ ",
}


def render_result(
    result: Result,
    t: Translator,
    markup: Markup = PLAIN,
    *,
    changes: Changes | None = None,
    peer: Text | None = None,
) -> list[str]:
    """The result, one block per section (category, score, plan, size class), with what changed since the
    last check and the peer benchmark where ``dialogs.sections`` puts them."""
    sections = with_history(result.sections, changes=changes, peer=peer)
    return [render_section(section, t, markup) for section in sections]


def render_section(section: Section, t: Translator, markup: Markup = PLAIN) -> str:
    """One section: its title in bold, then its lines as their styles say."""
    e = markup.escape
    lines = [markup.bold(e(t(section.title)))]
    for line in section.lines:
        text = _PREFIX.get(line.style, "") + e(t(line.text))
        if line.style in (Style.HEADING, Style.STEP):
            lines.append("")
            text = markup.bold(text)
        elif line.style is Style.NOTE:
            text = markup.italic(text)
        lines.append(text)
    return "\n".join(lines)
