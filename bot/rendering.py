"""Screens of the dialogue engine as text, shared by the terminal and Telegram (plain text or Telegram HTML)."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from typing import TYPE_CHECKING

from bot.i18n import Translator
from dialogs.engine import AnswerText, Back, Choose, Event, QuestionScreen, Result, SummaryScreen
from dialogs.text import Text, msg

if TYPE_CHECKING:
    from bot.advisor import Changes


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


def render_result(result: Result, t: Translator, markup: Markup = PLAIN) -> list[str]:
    """The result in blocks: category with reasons, score, comparisons, then the prioritized steps."""
    e = markup.escape
    c, advice = result.classification, result.advice
    head = [markup.bold(e(t(msg("Your company: {category}", category=c.name))))]
    head += [e(t(reason)) for reason in c.reasons]
    if t.language == "de":
        head.append(markup.italic(e(t(c.ifm_class))))
    head += [f"⚠️ {e(t(caveat))}" for caveat in c.caveats]

    score = [markup.bold(e(t(msg("Your digital gap: {score} of 100", score=advice.score))))]
    score.append(e(t(msg("0 means no gap, 100 the widest gap. How it adds up:"))))
    score += [f"• {e(t(part.label))}: {part.points}/{part.maximum}" for part in advice.score_parts]
    if advice.comparisons:
        score.append("")
        score.append(markup.bold(e(t(msg("How you compare")))))
        score += [f"• {e(t(comparison.text))}" for comparison in advice.comparisons]

    steps = [markup.bold(e(t(msg("Your next steps, most important first"))))]
    for number, step in enumerate(advice.steps, 1):
        steps.append("")
        steps.append(markup.bold(f"{number}. {e(t(step.title))}"))
        steps.append(e(t(step.why)))
        steps.append("👉 " + e(t(msg("This week: {action}", action=step.action))))
    return ["\n".join(head), "\n".join(score), "\n".join(steps)]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def match_choice(text: str, labels: dict[str, Text], t: Translator, *, prefix: bool = True) -> str | None:
    """The key of the choice whose label the user typed (ignoring case and punctuation), if exactly one fits."""
    wanted = _fold(text)
    if not wanted:
        return None
    folded = {key: _fold(t(label)) for key, label in labels.items()}
    exact = [key for key, label in folded.items() if label == wanted]
    if len(exact) == 1:
        return exact[0]
    if not prefix:
        return None
    starting = [key for key, label in folded.items() if label.startswith(wanted)]
    return starting[0] if len(starting) == 1 else None


# Typed instead of the Back button or /back, in either language.
BACK_WORDS = frozenset({"back", "zurück", "zurueck"})


def event_for_text(text: str, screen: object, t: Translator) -> Event:
    """Typed text as an engine event: "back", a choice when it names one of the offered labels, else an answer.

    On number questions a label counts only when the text has no digits, so "10" stays ten, not "10 to 49".
    """
    if _fold(text) in BACK_WORDS and isinstance(screen, QuestionScreen | SummaryScreen):
        return Back()
    if isinstance(screen, QuestionScreen) and screen.choices:
        labels = {choice.key: choice.label for choice in screen.choices}
        key = None
        if not screen.accepts_text:
            key = match_choice(text, labels, t)
        elif not any(ch.isdigit() for ch in text):
            key = match_choice(text, labels, t, prefix=False)
        if key is not None:
            return Choose(screen.question_id, key)
    return AnswerText(text)


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
    if changes.steps_done:
        lines.append("• " + e(t(msg("Steps you no longer need: {count}", count=changes.steps_done))))
    return "\n".join(lines)
