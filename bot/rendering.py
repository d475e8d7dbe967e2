"""Screens of the dialogue engine as text, shared by the terminal and Telegram (plain text or Telegram HTML)."""

from __future__ import annotations

import html as html_lib

from bot.i18n import Translator
from bot.outcome import Changes
from dialogs.engine import QuestionScreen, Result, SummaryScreen
from dialogs.sections import Section, Style
from dialogs.text import msg


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


def render_result(result: Result, t: Translator, markup: Markup = PLAIN) -> list[str]:
    """The result, one block per section of the engine's result (category, score, plan, size class)."""
    return [render_section(section, t, markup) for section in result.sections]


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


def render_changes(changes: Changes, t: Translator, markup: Markup = PLAIN) -> str:
    """What changed since the previous check, as a short list under a heading."""
    e = markup.escape
    lines = [markup.bold(e(t(msg("Since your last check"))))]
    if changes.category is not None:
        lines.append("• " + e(t(msg("Your size class changed to: {category}", category=changes.category))))
    if changes.score_delta < 0:
        points = -changes.score_delta
        lines.append(
            "• " + e(t(msg("Your digital gap shrank by {points} points. Well done!", points=points)))
        )
    elif changes.score_delta > 0:
        lines.append(
            "• " + e(t(msg("Your digital gap grew by {points} points.", points=changes.score_delta)))
        )
    else:
        lines.append("• " + e(t(msg("Your digital gap is unchanged."))))
    if changes.steps_marked_done:
        lines.append("• " + e(t(msg("Steps you marked done: {count}", count=changes.steps_marked_done))))
    if changes.steps_done:
        lines.append("• " + e(t(msg("Steps you no longer need: {count}", count=changes.steps_done))))
    return "\n".join(lines)
