"""/broadcast: an admin's message to every subscribed chat, previewed and confirmed before it goes out."""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.i18n import Translator
from bot.rendering import HTML
from bot.storage import PlannedDelivery
from bot.telegram import callback_data
from bot.telegram.access import admin_only
from bot.telegram.broadcast_runs import broadcaster_of, progress_text, start_in_background
from bot.telegram.send import answer_query, reply_text, user_language
from bot.telegram.services import Context
from dialogs.text import msg, nmsg

log = logging.getLogger(__name__)

ALREADY_RUNNING = msg("This broadcast is already being sent; you will get a report when it is done.")


@admin_only
async def broadcast_command(update: Update, context: Context) -> None:
    """Ask an admin for the broadcast text, or take the message this command replies to."""
    message = update.effective_message
    assert message is not None
    language = user_language(update, context)
    replied = message.reply_to_message
    if replied is not None and replied.text:
        await _preview(update, context, replied.text_html, len(replied.text), language)
        return
    assert context.user_data is not None
    context.user_data["awaiting_broadcast"] = True
    await reply_text(update, context, msg("Send me the text of the broadcast (or /cancel)."), language)


async def capture_broadcast_text(update: Update, context: Context) -> None:
    """Take an admin's next text as the broadcast draft (only while one was asked for)."""
    if not context.user_data or not context.user_data.pop("awaiting_broadcast", False):
        return
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.strip().lower()
    if command.startswith("/") and command != "/cancel":
        return  # another command ends the wait and is handled as usual
    try:
        if command in ("/cancel", "cancel", "abbrechen"):
            await reply_text(update, context, msg("Broadcast cancelled."), user_language(update, context))
        else:
            language = user_language(update, context)
            await _preview(update, context, message.text_html, len(message.text), language)
    except TelegramError as error:  # logged; the draft is still never taken as a questionnaire answer
        log.warning("Broadcast preview not shown (%s): %s", type(error).__name__, error.message)
    raise ApplicationHandlerStop


async def _preview(update: Update, context: Context, text_html: str, length: int, language: str) -> None:
    """Show the draft as it will read and ask to confirm: in one message when both fit, else in two."""
    user = update.effective_user
    assert user is not None
    storage = context.bot_data.storage
    draft_id = storage.broadcasts.create_broadcast(
        "admin", [], text=text_html, created_by=user.id, status="draft"
    )
    assert draft_id is not None
    recipients = len(storage.tips.active_tip_subscriptions())
    t = Translator(language)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(msg("✅ Send")), callback_data=callback_data.broadcast("ok", draft_id)
                ),
                InlineKeyboardButton(t(msg("Cancel")), callback_data=callback_data.broadcast("no", draft_id)),
            ]
        ]
    )
    chat = update.effective_chat
    assert chat is not None
    question = t(
        nmsg(
            "Send the message above to {n} subscribed chat?",
            "Send the message above to {n} subscribed chats?",
            recipients,
        )
    )
    separator = "\n\n— — —\n"
    ask = f"<b>{HTML.escape(question)}</b>"
    # One message where it fits, since a private chat takes about one message a second.
    if length + len(separator) + len(question) <= MessageLimit.MAX_TEXT_LENGTH:
        await context.bot.send_message(
            chat.id, f"{text_html}{separator}{ask}", parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
        return
    await context.bot.send_message(chat.id, text_html, parse_mode=ParseMode.HTML)
    await broadcaster_of(context.application).pacer.acquire(chat.id)
    await context.bot.send_message(chat.id, "⬆️ " + ask, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def on_broadcast_button(update: Update, context: Context) -> None:
    """Confirm or cancel a broadcast draft."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    match = callback_data.BROADCAST.match(query.data or "")
    await answer_query(query)
    storage = context.bot_data.storage
    language = user_language(update, context)
    broadcast = storage.broadcasts.broadcast(int(match["draft"])) if match else None
    action = match["action"] if match else ""
    if (
        user is None
        or not context.bot_data.is_admin(user.id)
        or broadcast is None
        or broadcast["created_by"] != user.id
        or broadcast["status"] not in ("draft", "running")
    ):
        await reply_text(update, context, msg("This broadcast is no longer open."), language)
        return
    if broadcast["status"] == "running":
        await reply_text(update, context, ALREADY_RUNNING, language)
        return
    if query.message is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(query.message.chat.id, query.message.message_id)
    broadcast_id = int(broadcast["id"])
    if action != "ok":
        storage.broadcasts.set_broadcast_status(broadcast_id, "cancelled")
        await reply_text(update, context, msg("Broadcast cancelled."), language)
        return
    deliveries = [
        PlannedDelivery(chat_id=int(s["chat_id"]), language=s["language"])
        for s in storage.tips.active_tip_subscriptions()
    ]
    chat = update.effective_chat
    assert chat is not None
    if not storage.broadcasts.start_draft(
        broadcast_id, user.id, deliveries, chat.id
    ):  # a second tap got here first
        await reply_text(update, context, ALREADY_RUNNING, language)
        return
    services = context.bot_data
    services.runs.add(broadcast_id)  # this handler starts it: the watcher of orphaned runs leaves it alone
    try:
        await broadcaster_of(context.application).pacer.acquire(chat.id)
        status = await context.bot.send_message(
            chat.id,
            HTML.escape(
                Translator(language)(
                    progress_text(broadcaster_of(context.application).progress(broadcast_id))
                )
            ),
            parse_mode=ParseMode.HTML,
        )
        storage.broadcasts.set_broadcast_status_message(broadcast_id, chat.id, status.message_id)
    finally:
        start_in_background(context.application, broadcast_id)
