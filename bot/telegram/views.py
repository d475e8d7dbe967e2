"""The result's views as Telegram HTML with their buttons: the overview, the plan with its steps to tick off,
the size class and the comparisons."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.rendering import HTML, render_section
from bot.telegram import callback_data as data
from dialogs.brief import View, view
from dialogs.text import msg

if TYPE_CHECKING:
    from bot.followup.service import ResultView

STEP_HINT = msg("Tap a number to mark that step done (or open again).")
STEPS_PER_ROW = 4

VIEW_BUTTONS = (
    (View.PLAN, msg("📅 Plan this quarter")),
    (View.SIZE_CLASS, msg("⚖️ What my size means")),
    (View.COMPARISONS, msg("📊 Comparisons")),
)


def view_html(current: ResultView, which: View, t: Translator, head: str = "") -> str:
    """A view as HTML (with what changed since the last check and the peer benchmark where the view shows
    them), the plan with its hint."""
    section = view(current.result, which, current.done, changes=current.changes, peer=current.peer)
    body = render_section(section, t, HTML)
    if which is View.PLAN:
        body += "\n\n" + HTML.italic(HTML.escape(t(STEP_HINT)))
    return f"{head}\n\n{body}" if head else body


def view_keyboard(
    current: ResultView, which: View, t: Translator, share_url: str | None, *, report: bool = True
) -> InlineKeyboardMarkup:
    """The buttons under a view: the steps to tick (plan), the other views, reminders, and the usual way on."""
    rows: list[Sequence[InlineKeyboardButton]] = []
    if which is View.PLAN:
        row: list[InlineKeyboardButton] = []
        for step in current.result.advice.steps:
            mark = "✅" if step.id in current.done else "☐"
            row.append(InlineKeyboardButton(f"{mark} {step.priority}", callback_data=data.step(step.id)))
            if len(row) == STEPS_PER_ROW:
                rows.append(row)
                row = []
        if row:
            rows.append(row)
    followup = current.followup
    if followup is None or followup["opted_in"] is None:
        reminders = "offer"
    else:
        reminders = "list" if followup["opted_in"] else "none"
    rows += _way_on(which, report, reminders, t.language)
    if share_url:
        rows.append([InlineKeyboardButton(t(msg("📨 Share with a colleague")), url=share_url)])
    rows.append(_tips_row(t.language))
    return InlineKeyboardMarkup(rows)


# The buttons below repeat for every user of a language; built once (PTB's buttons are immutable), they leave
# the share link the only button a result has to build.
@lru_cache(maxsize=64)
def _way_on(
    which: View, report: bool, reminders: str, language: str
) -> tuple[tuple[InlineKeyboardButton, ...], ...]:
    """The other views, the report, reminders, changing answers and starting again."""
    t = Translator(language)
    others = [
        InlineKeyboardButton(t(label), callback_data=data.view(name))
        for name, label in VIEW_BUTTONS
        if name != which
    ]
    if which is not View.OVERVIEW:
        others.insert(0, InlineKeyboardButton(t(msg("◀ Overview")), callback_data=data.view(View.OVERVIEW)))
    if report:
        others.append(InlineKeyboardButton(t(msg("📄 Report (PDF)")), callback_data=data.brief_report()))
        others.append(InlineKeyboardButton(t(msg("📋 SME declaration")), callback_data=data.declaration()))
    rows = [tuple(others[index : index + 2]) for index in range(0, len(others), 2)]
    if reminders == "offer":
        rows.append((InlineKeyboardButton(t(msg("🔔 Remind me")), callback_data=data.followup("offer")),))
    elif reminders == "list":
        rows.append((InlineKeyboardButton(t(msg("🔔 My reminders")), callback_data=data.followup("list")),))
    rows.append(
        (
            InlineKeyboardButton(t(msg("✏️ Change answers")), callback_data=data.back("result")),
            InlineKeyboardButton(t(msg("🔁 Start again")), callback_data=data.restart()),
        )
    )
    return tuple(rows)


@lru_cache(maxsize=8)
def _tips_row(language: str) -> tuple[InlineKeyboardButton, ...]:
    return (InlineKeyboardButton(Translator(language)(msg("💡 Send me tips")), callback_data=data.tips_on()),)
