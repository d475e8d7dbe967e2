"""The result as a PDF report in the private chat: the report button and /report."""

from __future__ import annotations

import contextlib
import io
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.chart import draw_off_loop
from bot.i18n import Translator
from bot.outcome import Respondent
from bot.rendering import HTML
from bot.telegram.locks import serialized
from bot.telegram.send import answer_query, send_html
from bot.telegram.services import CHANNEL, Context
from dialogs.text import msg

log = logging.getLogger(__name__)

REPORT_TIMEZONE = ZoneInfo("Europe/Berlin")  # the check's date as the German companies it advises see it


@serialized
async def report_command(update: Update, context: Context) -> None:
    """/report: send the result as a PDF report."""
    await send_report(update, context)


@serialized
async def on_report_button(update: Update, context: Context) -> None:
    """The result's report button."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    await send_report(update, context)


@serialized
async def on_declaration_button(update: Update, context: Context) -> None:
    """The result's button for the SME declaration worksheet."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    await send_report(update, context, declaration=True)


async def send_report(
    update: Update, context: Context, *, declaration: bool = False, announce: bool = True
) -> None:
    """Build the report (or the declaration worksheet) on the chart thread and send it as a document; without
    a result, say how to get one.

    ``announce``: show "sending a file…" first (one more rate-limited call; the overview's button skips it).
    """
    # The PDF code is imported with the first report, not at every start (the bot starts for its questions).
    from bot.report import build_report, report_filename
    from bot.report.declaration import build_declaration, declaration_filename

    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    respondent = Respondent(CHANNEL, user.id, user.language_code)
    advisor = context.bot_data.advisor
    subject = advisor.report_subject(respondent)
    if subject is None:
        t = Translator(advisor.language_of(respondent))
        text = msg("The report is ready once you have your result. Send /start to continue the check.")
        await send_html(context, chat.id, HTML.escape(t(text)))
        return
    t = Translator(subject.language)
    if announce:
        with contextlib.suppress(TelegramError):  # "sending a file…" is a courtesy
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    checked_on = (subject.stored_at or datetime.now(REPORT_TIMEZONE)).astimezone(REPORT_TIMEZONE).date()
    try:
        build = build_declaration if declaration else build_report
        pdf = await draw_off_loop(build, subject.result, subject.language, checked_on)
    except (OSError, ValueError, RuntimeError) as error:
        log.warning("Report could not be built: %s", type(error).__name__)
        text = msg("Sorry, the report could not be created. Please try again later.")
        await send_html(context, chat.id, HTML.escape(t(text)))
        return
    caption = msg(
        "Your check as a PDF report, to keep or forward. It contains no name and no Telegram details."
    )
    filename = report_filename(checked_on)
    if declaration:
        caption = msg(
            "A worksheet for your SME declaration, pre-filled from your answers: name, address, register"
            " number and signature are left blank for you."
        )
        filename = declaration_filename(checked_on)
    await context.bot.send_document(chat.id, io.BytesIO(pdf), filename=filename, caption=t(caption))
