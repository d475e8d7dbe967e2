"""The result as a PDF report in the private chat: the report button and /report."""

from __future__ import annotations

import contextlib
import io
import logging
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.chart import draw_off_loop
from bot.i18n import Translator
from bot.outcome import Respondent
from bot.rendering import HTML
from bot.telegram.locks import user_lock
from bot.telegram.send import answer_query, send_html
from bot.telegram.services import CHANNEL, Context
from dialogs.text import msg, nmsg

log = logging.getLogger(__name__)

REPORT_TIMEZONE = ZoneInfo("Europe/Berlin")  # the check's date as the German companies it advises see it


# A report costs about a second of CPU on the chart thread: one build per user at a time, then a pause.
REPORT_COOLDOWN = 30.0  # seconds after a report was sent before the same user gets another one


@dataclass
class _Limits:
    building: set[int] = field(default_factory=set)
    sent_at: dict[int, float] = field(default_factory=dict)


_limits: weakref.WeakKeyDictionary[object, _Limits] = weakref.WeakKeyDictionary()  # one per application


async def report_command(update: Update, context: Context) -> None:
    """/report: send the result as a PDF report."""
    await _limited_report(update, context)


async def on_report_button(update: Update, context: Context) -> None:
    """The result's report button."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    await _limited_report(update, context)


async def on_declaration_button(update: Update, context: Context) -> None:
    """The result's button for the SME declaration worksheet."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    await _limited_report(update, context, declaration=True)


async def _limited_report(update: Update, context: Context, *, declaration: bool = False) -> None:
    """One build per user at a time and a cooldown after each: repeated presses get a short note instead."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    limits = _limits.setdefault(context.application, _Limits())
    building, sent_at = limits.building, limits.sent_at
    wait = REPORT_COOLDOWN - (time.monotonic() - sent_at.get(user.id, -REPORT_COOLDOWN))
    if user.id in building or wait > 0:
        advisor = context.bot_data.advisor
        t = Translator(advisor.language_of(Respondent(CHANNEL, user.id, user.language_code)))
        text = (
            msg("Your report is being created and will arrive in a moment.")
            if user.id in building
            else nmsg(
                "Your report was just sent. You can request it again in {n} second.",
                "Your report was just sent. You can request it again in {n} seconds.",
                max(1, round(wait)),
            )
        )
        await send_html(context, chat.id, HTML.escape(t(text)))
        return
    building.add(user.id)
    try:
        async with user_lock(user.id):
            await send_report(update, context, declaration=declaration)
    finally:
        building.discard(user.id)


def _sent(context: Context, user_id: int) -> None:
    """Start the user's cooldown, whichever button or command sent the report."""
    sent_at = _limits.setdefault(context.application, _Limits()).sent_at
    now = time.monotonic()
    sent_at[user_id] = now
    if len(sent_at) > 1024:  # forget cooldowns that are over
        for key in [k for k, at in sent_at.items() if now - at >= REPORT_COOLDOWN]:
            del sent_at[key]


async def send_report(
    update: Update, context: Context, *, declaration: bool = False, announce: bool = True
) -> bool:
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
        return False
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
        return False
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
    _sent(context, user.id)
    return True
