"""Admin reports: the anonymous export and the statistics, for the user ids in ADMIN_IDS only.

Everyone else is refused with a localized message; admins get the data only in their private chat with the bot,
never in a group, and their command menu lists the admin commands (set per admin chat by ``bot.telegram.menus``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import tempfile

from telegram import Update
from telegram.constants import ChatAction

from bot.anonymity import DEFAULT_K
from bot.i18n import LANGUAGES, Translator
from bot.rendering import HTML
from bot.telegram.access import admin_only
from bot.telegram.send import send_html
from bot.telegram.services import Context
from dialogs.text import language_for, msg

log = logging.getLogger(__name__)

# Telegram refuses bots' uploads above 50 MB; a larger export has to be made with the shell command.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@admin_only
async def export_command(update: Update, context: Context) -> None:
    """Send the anonymous export of consenting respondents as a document (CSV unless another format is named)."""
    from bot.codebook import write_codebook  # rare: not worth importing at every start
    from bot.export import FORMATS, export_filename, write_export

    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    t = Translator(language_for(user.language_code, context.bot_data.config.default_language))
    words = [arg.strip().lower() for arg in context.args or ()]
    if (
        words and words[0] in FOLLOW_THROUGH
    ):  # "/export followthrough [csv|json|xlsx]": the follow-through figures
        fmt = words[1] if len(words) > 1 else "csv"
        if fmt in FORMATS:
            await send_follow_through(context, chat.id, t, fmt)
            return
        words = ["?"]
    fmt = next((word for word in words if word in FORMATS), "csv")
    language = next((word for word in words if word in LANGUAGES), None)  # labels instead of codes
    if any(word not in FORMATS and word not in LANGUAGES for word in words):
        await context.bot.send_message(
            chat.id,
            t(
                msg(
                    "Usage: /export csv, /export json or /export xlsx, optionally with de or en for labels;"
                    " /export followthrough csv (or json, xlsx) for the follow-through figures"
                )
            ),
        )
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    storage = context.bot_data.storage
    # A temporary file, not memory: the export streams from the database to disk in a worker thread.
    with tempfile.TemporaryFile() as file:
        summary = await asyncio.to_thread(
            write_export, storage, file, fmt=fmt, k=DEFAULT_K, language=language
        )
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
    if fmt in ("csv", "json"):  # the XLSX holds its codebook as a sheet
        book = io.BytesIO()
        write_codebook(book, summary)
        name = export_filename(fmt).replace(f".{fmt}", f".codebook.{fmt}")
        await context.bot.send_document(chat.id, book.getvalue(), filename=name)
    log.info("An admin exported %d rows as %s", summary.rows, fmt)


FOLLOW_THROUGH = ("followthrough", "follow-through", "follow")


async def send_follow_through(context: Context, chat_id: int, t: Translator, fmt: str) -> None:
    """Send the follow-through figures (aggregates after suppression) as a document of their own."""
    from bot.followthrough_export import follow_through_filename, write_follow_through  # rare, like exports

    out = io.BytesIO()
    rows = await asyncio.to_thread(write_follow_through, context.bot_data.storage, out, fmt=fmt, k=DEFAULT_K)
    caption = t(
        msg(
            "{rows} follow-through figures; counts of fewer than {k} respondents are left out.",
            rows=rows,
            k=DEFAULT_K,
        )
    )
    out.seek(0)
    await context.bot.send_document(chat_id, out, filename=follow_through_filename(fmt), caption=caption)
    log.info("An admin exported the follow-through figures as %s", fmt)


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    """Send the statistics as text, then as a chart."""
    from bot.analytics.chart import statistics_chart  # rare: not worth importing at every start
    from bot.analytics.followthrough import read_follow_through
    from bot.analytics.statistics import collect_statistics, render_statistics

    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    t = Translator(language_for(user.language_code, context.bot_data.config.default_language))
    storage = context.bot_data.storage
    follow_through = await asyncio.to_thread(read_follow_through, storage, DEFAULT_K)
    stats = dataclasses.replace(collect_statistics(storage), follow_through=follow_through)
    await send_html(context, chat.id, render_statistics(stats, t, HTML))
    chart = await asyncio.to_thread(statistics_chart, stats, t)
    await context.bot.send_photo(
        chat.id,
        io.BytesIO(chart),
        filename="statistics.png",
        caption=t(msg("Completion funnel, median marketing split and follow-through")),
    )
