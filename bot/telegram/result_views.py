"""The result in a chat: a short overview first, each part behind a button, edited in place; /plan and ticking
steps off.

Every view replaces the message whose button was pressed (one rate-limited call); pressing a button of the view
already shown changes nothing ("not modified"), so no copy is ever sent. The report is sent once per result.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.advisor import Respondent
from bot.followup.service import ResultView
from bot.i18n import Translator
from bot.rendering import HTML, render_changes, render_section
from bot.telegram import callback_data as data
from bot.telegram.locks import serialized
from bot.telegram.report import send_report
from bot.telegram.send import answer_query, send_html, show_in_place
from bot.telegram.services import CHANNEL, Context
from bot.telegram.share import share_url
from dialogs.brief import View, view
from dialogs.text import msg

NO_RESULT = msg("Your result is no longer here. Send /start to take the check.")
STEP_HINT = msg("Tap a number to mark that step done (or open again).")
REPORT_SENT = msg("The report for this result was sent above.")
STEPS_PER_ROW = 4

VIEW_BUTTONS = (
    (View.PLAN, msg("📅 Plan this quarter")),
    (View.SIZE_CLASS, msg("⚖️ What my size means")),
    (View.COMPARISONS, msg("📊 Comparisons")),
)


def respondent_of(update: Update) -> Respondent:
    user = update.effective_user
    assert user is not None
    return Respondent(CHANNEL, user.id, user.language_code)


def view_html(current: ResultView, which: View, t: Translator, head: str = "") -> str:
    """A view as HTML: the overview with what changed since the last check, the plan with its hint."""
    extra = (current.peer,) if which is View.COMPARISONS and current.peer is not None else ()
    body = render_section(view(current.result, which, current.done, extra), t, HTML)
    if which is View.OVERVIEW and current.changes is not None:
        body += "\n\n" + render_changes(current.changes, t, HTML)
    if which is View.PLAN:
        body += "\n\n" + HTML.italic(HTML.escape(t(STEP_HINT)))
    return f"{head}\n\n{body}" if head else body


def view_keyboard(
    current: ResultView, which: View, t: Translator, share_url: str | None, *, report: bool = True
) -> InlineKeyboardMarkup:
    """The buttons under a view: the steps to tick (plan), the other views, reminders, and the usual way on."""
    rows: list[list[InlineKeyboardButton]] = []
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
    others = [
        InlineKeyboardButton(t(label), callback_data=data.view(name))
        for name, label in VIEW_BUTTONS
        if name != which
    ]
    if which is not View.OVERVIEW:
        others.insert(0, InlineKeyboardButton(t(msg("◀ Overview")), callback_data=data.view(View.OVERVIEW)))
    if report:
        others.append(InlineKeyboardButton(t(msg("📄 Report (PDF)")), callback_data=data.brief_report()))
    rows += [others[index : index + 2] for index in range(0, len(others), 2)]
    followup = current.followup
    if followup is None or followup["opted_in"] is None:
        rows.append([InlineKeyboardButton(t(msg("🔔 Remind me")), callback_data=data.followup("offer"))])
    elif followup["opted_in"]:
        rows.append([InlineKeyboardButton(t(msg("🔔 My reminders")), callback_data=data.followup("list"))])
    rows.append(
        [
            InlineKeyboardButton(t(msg("✏️ Change answers")), callback_data=data.back("result")),
            InlineKeyboardButton(t(msg("🔁 Start again")), callback_data=data.restart()),
        ]
    )
    if share_url:
        rows.append([InlineKeyboardButton(t(msg("📨 Share with a colleague")), url=share_url)])
    rows.append([InlineKeyboardButton(t(msg("💡 Send me tips")), callback_data=data.tips_on())])
    return InlineKeyboardMarkup(rows)


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
