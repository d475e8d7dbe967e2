"""The result in a chat: a short overview first, each part behind a button, edited in place; /plan and ticking
steps off.

Every view replaces the message whose button was pressed (one rate-limited call); pressing a button of the view
already shown changes nothing ("not modified"), so no copy is ever sent. The report is sent once per result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update

from bot.i18n import Translator
from bot.outcome import Respondent
from bot.rendering import HTML
from bot.telegram import callback_data as data
from bot.telegram.handlers.report import send_report
from bot.telegram.locks import serialized
from bot.telegram.send import answer_query, send_html, show_in_place
from bot.telegram.services import CHANNEL, Context
from bot.telegram.share import share_url
from bot.telegram.views import view_html, view_keyboard
from dialogs.brief import View
from dialogs.text import msg

if TYPE_CHECKING:
    from bot.followup.service import ResultView

NO_RESULT = msg("Your result is no longer here. Send /start to take the check.")
REPORT_SENT = msg("The report for this result was sent above.")


def respondent_of(update: Update) -> Respondent:
    user = update.effective_user
    assert user is not None
    return Respondent(CHANNEL, user.id, user.language_code)


async def show_view(update: Update, context: Context, which: View, current: ResultView) -> None:
    """Replace the pressed message with the view (one call); a command's view is a new message."""
    t = Translator(current.language)
    query = update.callback_query
    chat = update.effective_chat
    assert chat is not None
    link = share_url(context, current.share_code, t)
    html, keyboard = view_html(current, which, t), view_keyboard(current, which, t, link)
    if query is None:
        await send_html(context, chat.id, html, keyboard)
    else:
        await show_in_place(context, chat.id, query.message, html, keyboard)


@serialized
async def on_view_button(update: Update, context: Context) -> None:
    """Show a part of the result in place of the message whose button was pressed."""
    query = update.callback_query
    assert query is not None
    match = data.VIEW.match(query.data or "")
    assert match is not None
    current = context.bot_data.followup.view(respondent_of(update))
    if current is None:
        await _no_result(update, context)
        return
    await answer_query(query)
    await show_view(update, context, View(match["view"]), current)


@serialized
async def on_step_button(update: Update, context: Context) -> None:
    """Tick a step off (or open it again) and show the plan with it, in place."""
    query = update.callback_query
    assert query is not None
    match = data.STEP.match(query.data or "")
    assert match is not None
    current = context.bot_data.followup.toggle_step(respondent_of(update), match["step"])
    if current is None:
        await _no_result(update, context)
        return
    t = Translator(current.language)
    marked = msg("✓ Marked done") if match["step"] in current.done else msg("Marked as not done yet")
    await answer_query(query, t(marked))
    await show_view(update, context, View.PLAN, current)


@serialized
async def plan_command(update: Update, context: Context) -> None:
    """/plan: the plan with what is done, and the buttons to tick steps off."""
    current = context.bot_data.followup.view(respondent_of(update))
    if current is None:
        await _no_result(update, context)
        return
    await show_view(update, context, View.PLAN, current)


@serialized
async def on_report_button(update: Update, context: Context) -> None:
    """The overview's report button: the PDF once per result; pressed again, a note instead of a copy."""
    query = update.callback_query
    assert query is not None
    respondent = respondent_of(update)
    services = context.bot_data
    if not services.followup.report_once(respondent):
        t = Translator(services.advisor.language_of(respondent))
        await answer_query(query, t(REPORT_SENT))
        return
    await answer_query(query)
    await send_report(update, context, announce=False)


async def _no_result(update: Update, context: Context) -> None:
    t = Translator(context.bot_data.advisor.language_of(respondent_of(update)))
    if update.callback_query is not None:
        await answer_query(update.callback_query, t(NO_RESULT))
        return
    chat = update.effective_chat
    assert chat is not None
    await send_html(context, chat.id, HTML.escape(t(NO_RESULT)))
