"""Follow-through in the chat: the opt-in to reminders, /reminders, check-in answers with a typed figure, the
re-test invitation, and the job that sends due reminders through the broadcasts' pacer.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot.followup import schedule
from bot.i18n import Translator
from bot.rendering import HTML
from bot.storage import ReminderRow
from bot.telegram import callback_data as data
from bot.telegram.broadcast_runs import broadcaster_of
from bot.telegram.handlers.result_views import (
    on_report_button,
    on_step_button,
    on_view_button,
    plan_command,
    respondent_of,
    show_view,
)
from bot.telegram.locks import Handler, serialized
from bot.telegram.replies import show
from bot.telegram.send import answer_query, send_html, show_in_place
from bot.telegram.services import CHANNEL, App, Context
from dialogs.brief import View
from dialogs.events import Show
from dialogs.text import Day, Text, msg

if TYPE_CHECKING:  # the reminders' sender and content: imported with the first due reminder, not at start
    from bot.followup.service import ReminderContent
    from bot.telegram.reminders import Outgoing, ReminderSender

log = logging.getLogger(__name__)

REMINDER_INTERVAL = 60  # seconds between looks at the ledger for due reminders

OFFER = msg(
    "Shall I follow up? With your consent I send, in your language and only in the daytime:\n"
    "• reminders 14 and 2 days before the dates of duties that apply to you,\n"
    "• a check-in on your plan after 30 and 90 days,\n"
    "• an invitation to re-test after 6 and 12 months, with your answers filled in.\n"
    "/reminders lists them and stops any or all at any time."
)
NO_REMINDERS = msg("No reminders are planned. You can ask for them under your result.")
STOPPED_ALL = msg("All reminders are stopped. Nothing more will be sent.")
NOT_YET = msg("Noted. Keep at it: I will ask again at the next check-in.")
SKIPPED = msg("Fine, no figure this time.")


def _when(moment: str, language: str, zone: ZoneInfo) -> str:
    return Translator(language).render_arg(Day(datetime.fromisoformat(moment).astimezone(zone).date()))


def reminder_label(row: ReminderRow) -> Text:
    if row["kind"] == schedule.DEADLINE:
        return msg("Deadline reminder ({days} days before)", days=schedule.deadline_of(row["ref"])[1])
    if row["kind"] == schedule.CHECKIN:
        return msg("Check-in on your plan (day {days})", days=row["ref"])
    return msg("Invitation to re-test ({months} months)", months=row["ref"])


def reminders_screen(
    rows: list[ReminderRow], t: Translator, zone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """The planned reminders with a stop button each and one for all."""
    keyboard: list[list[InlineKeyboardButton]] = []
    if not rows:
        text = HTML.escape(t(NO_REMINDERS))
    else:
        lines = [HTML.bold(HTML.escape(t(msg("Your reminders"))))]
        for number, row in enumerate(rows, start=1):
            when = _when(row["due_at"], t.language, zone)
            lines.append(f"{number}. {HTML.escape(when)}: {HTML.escape(t(reminder_label(row)))}")
        text = "\n".join(lines)
        stops = [
            InlineKeyboardButton(
                t(msg("🔕 {number}", number=n)), callback_data=data.followup("stop", row["id"])
            )
            for n, row in enumerate(rows, start=1)
        ]
        keyboard += [stops[i : i + 4] for i in range(0, len(stops), 4)]
        keyboard.append(
            [InlineKeyboardButton(t(msg("🔕 Stop all reminders")), callback_data=data.followup("stopall"))]
        )
    keyboard.append([InlineKeyboardButton(t(msg("◀ Overview")), callback_data=data.view(View.OVERVIEW))])
    return text, InlineKeyboardMarkup(keyboard)


@serialized
async def reminders_command(update: Update, context: Context) -> None:
    """/reminders: what is planned, with buttons to stop any or all."""
    services = context.bot_data
    respondent = respondent_of(update)
    t = Translator(services.advisor.language_of(respondent))
    text, keyboard = reminders_screen(services.followup.reminders(respondent), t, services.followup.zone)
    chat = update.effective_chat
    assert chat is not None
    await send_html(context, chat.id, text, keyboard)


@serialized
async def on_followup_button(update: Update, context: Context) -> None:
    """Opt in or out, list or stop reminders, answer a check-in, or start the re-test; in place of the message."""
    query = update.callback_query
    assert query is not None and query.message is not None
    match = data.FOLLOWUP.match(query.data or "")
    assert match is not None
    action, arg = match["action"], match["arg"]
    services = context.bot_data
    service = services.followup
    respondent = respondent_of(update)
    t = Translator(services.advisor.language_of(respondent))
    chat_id = query.message.chat.id
    user = str(respondent.user_id)
    back = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(msg("◀ Overview")), callback_data=data.view(View.OVERVIEW))]]
    )
    if action == "retest":
        await answer_query(query)
        if service.prepare_retest(respondent):
            outcome = services.advisor.handle(respondent, Show(), update_id=update.update_id)
            await show(context, chat_id, outcome, in_place=query.message)
        else:
            await show_in_place(
                context, chat_id, query.message, HTML.escape(t(msg("Send /start to take the check."))), None
            )
        return
    if action == "offer":
        await answer_query(query)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t(msg("✅ Yes, remind me")), callback_data=data.followup("yes")),
                    InlineKeyboardButton(t(msg("No, thanks")), callback_data=data.followup("no")),
                ],
                back.inline_keyboard[0],
            ]
        )
        await show_in_place(context, chat_id, query.message, HTML.escape(t(OFFER)), keyboard)
        return
    if action == "no":
        service.decline(respondent)
        await answer_query(query, t(msg("No reminders. You can change that with /reminders.")))
        current = service.view(respondent)
        if current is not None:
            await show_view(update, context, View.OVERVIEW, current)
        return
    if action in ("done", "later"):
        if action == "later" or arg is None:
            if arg is not None:
                service.checkin_not_yet(respondent, arg)
            await answer_query(query)
            await show_in_place(context, chat_id, query.message, HTML.escape(t(NOT_YET)), None)
            return
        reply = service.checkin_done(respondent, arg)
        await answer_query(query, t(msg("✓ Marked done")))
        if reply is None or reply.metric is None:
            return
        services.awaiting_figure.add(user)
        ask = msg(
            "Well done! What is your figure now for: {metric}? Type it as a number.", metric=reply.metric
        )
        skip = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(msg("Skip")), callback_data=data.followup("skip"))]]
        )
        await show_in_place(context, chat_id, query.message, HTML.escape(t(ask)), skip)
        return
    if action == "skip":
        service.skip_figure(respondent)
        services.awaiting_figure.discard(user)
        await answer_query(query)
        await show_in_place(context, chat_id, query.message, HTML.escape(t(SKIPPED)), None)
        return
    if action == "yes":
        service.opt_in(respondent)
        await answer_query(query, t(msg("✓ Reminders are on.")))
    elif action == "stop" and arg is not None and arg.isdigit():
        service.stop(respondent, int(arg))
        await answer_query(query, t(msg("✓ Stopped.")))
    elif action == "stopall":
        service.stop(respondent)
        services.awaiting_figure.discard(user)
        await answer_query(query, t(STOPPED_ALL))
    else:
        await answer_query(query)
    text, keyboard = reminders_screen(service.reminders(respondent), t, service.zone)
    await show_in_place(context, chat_id, query.message, text, keyboard)


class _AwaitingFigure(filters.MessageFilter):
    """Text from a user whose next text is the figure a check-in asked for (a set in memory: no query)."""

    def __init__(self, awaiting: set[str]) -> None:
        super().__init__(name="awaiting_figure")
        self.awaiting = awaiting

    def filter(self, message: object) -> bool:
        user = getattr(message, "from_user", None)
        return user is not None and str(user.id) in self.awaiting


@serialized
async def on_figure(update: Update, context: Context) -> None:
    """Store the typed figure with its step; a figure that cannot be read is explained and asked again."""
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.bot_data
    respondent = respondent_of(update)
    reply = services.followup.figure(respondent, message.text)
    if reply is None:  # no longer awaited (erased, stopped): the text is the questionnaire's again
        services.awaiting_figure.discard(str(respondent.user_id))
        return
    t = Translator(reply.language)
    if reply.value is None:
        assert reply.reason is not None
        again = msg("Please type the figure as a number, or press Skip.")
        text = "⚠️ " + HTML.escape(t(reply.reason)) + "\n" + HTML.escape(t(again))
    else:
        services.awaiting_figure.discard(str(respondent.user_id))
        text = "✓ " + HTML.escape(t(msg("Noted: {value}. It is stored with the step.", value=reply.value)))
    await send_html(context, message.chat.id, text)
    raise ApplicationHandlerStop


def render_reminder(content: ReminderContent, zone: ZoneInfo) -> Outgoing:
    """A due reminder as a message with its buttons, in the respondent's language."""
    from bot.telegram.reminders import Outgoing

    t = Translator(content.language)
    stop = InlineKeyboardButton(t(msg("🔕 Stop reminders")), callback_data=data.followup("stopall"))
    if content.deadline is not None:
        deadline = content.deadline
        text = msg(
            "⏰ In {days} days, on {date}: {duty}.\nSource: {source}",
            days=content.lead_days,
            date=Day(deadline.on),
            duty=deadline.title,
            source=deadline.source,
        )
        if deadline.depends_on is not None:  # a duty that may apply: say on which figure it hangs
            text = msg(
                "{reminder}\nWhether it applies to you depends on {decides}; your answers do not tell.",
                reminder=text,
                decides=deadline.depends_on,
            )
        plan = InlineKeyboardButton(t(msg("📅 My plan")), callback_data=data.view(View.PLAN))
        return Outgoing(HTML.escape(t(text)), InlineKeyboardMarkup([[plan, stop]]))
    if content.step is not None:
        step = content.step
        text = msg(
            "📋 Check-in on your plan: did you do this? {title}\nThe figure that shows it worked: {metric}",
            title=step.title,
            metric=step.metric,
        )
        buttons = [
            [
                InlineKeyboardButton(t(msg("✅ Done")), callback_data=data.followup("done", step.id)),
                InlineKeyboardButton(t(msg("⏳ Not yet")), callback_data=data.followup("later", step.id)),
            ],
            [stop],
        ]
        return Outgoing(HTML.escape(t(text)), InlineKeyboardMarkup(buttons))
    text = msg(
        "🔁 {months} months have passed since your check. Take it again with your last answers filled in, "
        "change what has changed, and see how your score, size class and steps compare.",
        months=content.months,
    )
    again = InlineKeyboardButton(t(msg("🔁 Take the check again")), callback_data=data.followup("retest"))
    return Outgoing(HTML.escape(t(text)), InlineKeyboardMarkup([[again], [stop]]))


def reminder_sender(application: App) -> ReminderSender:
    """The sender of this process: the broadcasts' bot and pacer, so reminders count toward the same limits."""
    from bot.telegram.reminders import ReminderSender

    services = application.bot_data
    service = services.followup
    broadcaster = broadcaster_of(application)

    def render(row: ReminderRow) -> Outgoing | None:
        content = service.content(row)
        return None if content is None else render_reminder(content, service.zone)

    return ReminderSender(
        services.storage,
        broadcaster.bot,
        broadcaster.pacer,
        render,
        zone=service.zone,
        channel=CHANNEL,
        on_blocked=service.blocked,
        clock=service.clock,
    )


async def reminders_job(context: Context) -> None:
    """Send the reminders that are due; counts only in the log."""
    services = context.bot_data
    if services.reminder_sender is None:
        services.reminder_sender = reminder_sender(context.application)
    counts = await services.reminder_sender.run_due()
    if counts.sent or counts.blocked or counts.uncertain:
        log.info("Reminders: %s", counts)


def register(application: App) -> None:
    """Add the follow-through's handlers and its job; rebuild who is asked for a figure from the database."""
    services = application.bot_data
    # Read from the store itself: the follow-up service is made (and imported) with the first follow-up.
    services.awaiting_figure |= set(services.storage.followup.respondents_awaiting_kpi(CHANNEL))
    private = filters.ChatType.PRIVATE
    text = filters.UpdateType.MESSAGE & private & filters.TEXT & ~filters.COMMAND
    application.add_handler(
        MessageHandler(text & _AwaitingFigure(services.awaiting_figure), on_figure), group=-1
    )
    for name, callback in (("plan", plan_command), ("reminders", reminders_command)):
        application.add_handler(CommandHandler(name, callback, filters=private))
    if application.job_queue is not None:
        application.job_queue.run_repeating(reminders_job, REMINDER_INTERVAL, first=5, name="reminders")


def button_handlers() -> list[tuple[re.Pattern[str], Handler]]:
    """(pattern, callback) of the follow-through's buttons, for the app's private-button wiring."""
    return [
        (data.VIEW, on_view_button),
        (data.STEP, on_step_button),
        (data.BRIEF_REPORT, on_report_button),
        (data.FOLLOWUP, on_followup_button),
    ]
