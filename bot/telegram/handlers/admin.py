"""Admin reports: the anonymous export and the statistics, for the user ids in ADMIN_IDS only.

Everyone else is refused with a localized message; admins get the data only in their private chat with the bot,
never in a group, and their command menu lists the admin commands (set per admin chat in ``set_admin_commands``).
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.analytics.statistics import collect_statistics, render_statistics
from bot.anonymity import DEFAULT_K
from bot.commands import ADMIN_COMMANDS
from bot.i18n import LANGUAGES, Translator
from bot.rendering import HTML
from bot.telegram.access import admin_only
from bot.telegram.send import send_html
from bot.telegram.services import Context
from dialogs.engine import language_for
from dialogs.text import Text, msg

log = logging.getLogger(__name__)

# Telegram refuses bots' uploads above 50 MB; a larger export has to be made with the shell command.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@admin_only
async def export_command(update: Update, context: Context) -> None:
    """Send the anonymous export of consenting respondents as a document (CSV unless another format is named)."""
    from bot.export import FORMATS, export_filename, write_export  # rare: not worth importing at every start

    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    t = Translator(language_for(user.language_code))
    fmt = context.args[0].strip().lower() if context.args else "csv"
    if fmt not in FORMATS:
        await context.bot.send_message(chat.id, t(msg("Usage: /export csv, /export json or /export xlsx")))
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    storage = context.bot_data.storage
    # A temporary file, not memory: the export streams from the database to disk in a worker thread.
    with tempfile.TemporaryFile() as file:
        summary = await asyncio.to_thread(write_export, storage, file, fmt=fmt, k=DEFAULT_K)
        if file.tell() > MAX_UPLOAD_BYTES:
            await context.bot.send_message(
                chat.id,
                t(
                    msg(
                        "The export is larger than Telegram allows for a document. Please create it on the server with "
                        "“python run_bot.py export”."
                    )
                ),
            )
            return
        file.seek(0)
        caption = t(
            msg(
                "{rows} respondents; {suppressed} left out because their combination of month, language "
                "and size bands is held by fewer than {k}.",
                rows=summary.rows,
                suppressed=summary.suppressed,
                k=summary.k,
            )
        )
        await context.bot.send_document(chat.id, file, filename=export_filename(fmt), caption=caption)
    log.info("An admin exported %d rows as %s", summary.rows, fmt)


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    """Send the statistics as text, then as a chart."""
    from bot.analytics.chart import statistics_chart  # rare: not worth importing at every start

    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    t = Translator(language_for(user.language_code))
    stats = collect_statistics(context.bot_data.storage)
    await send_html(context, chat.id, render_statistics(stats, t, HTML))
    chart = await asyncio.to_thread(statistics_chart, stats, t)
    await context.bot.send_photo(
        chat.id,
        io.BytesIO(chart),
        filename="statistics.png",
        caption=t(msg("Completion funnel and median marketing split")),
    )


async def set_admin_commands(
    bot: Bot, admin_ids: Iterable[int], commands: Iterable[tuple[str, Text]]
) -> None:
    """Show ``commands`` plus the admin commands in each admin's private chat, in German, English and a default.

    An admin who never started the bot has no chat yet: Telegram refuses, and the menu appears after a restart.
    """
    listed = (*commands, *ADMIN_COMMANDS)
    for admin_id in sorted(admin_ids):
        try:
            for language in (None, *LANGUAGES):
                t = Translator(language or "en")
                await bot.set_my_commands(
                    [BotCommand(name, t(text)) for name, text in listed],
                    scope=BotCommandScopeChat(admin_id),
                    language_code=language,
                )
        except TelegramError as error:
            log.warning(
                "Admin command menu not set for one admin (%s); has that admin started the bot?",
                type(error).__name__,
            )
