"""/broadcast: an admin's message to every subscribed chat, previewed and confirmed before it goes out."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.admin.access import admin_only
from bot.broadcast.runs import broadcaster_of, progress_text, start_in_background
from bot.i18n import Translator
from bot.rendering import HTML
from bot.storage import PlannedDelivery
from bot.telegram import callback_data
from bot.telegram.send import reply_text, user_language
from bot.telegram.services import Context
from dialogs.text import msg, nmsg


@admin_only
async def broadcast_command(update: Update, context: Context) -> None:
    """Ask an admin for the broadcast text, or take the message this command replies to."""
    message = update.effective_message
    assert message is not None
    language = user_language(update, context)
    replied = message.reply_to_message
    if replied is not None and replied.text:
        await _preview(update, context, replied.text_html, language)
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
    if command in ("/cancel", "cancel", "abbrechen"):
        await reply_text(update, context, msg("Broadcast cancelled."), user_language(update, context))
    else:
        await _preview(update, context, message.text_html, user_language(update, context))
    raise ApplicationHandlerStop


async def _preview(update: Update, context: Context, text_html: str, language: str) -> None:
    user = update.effective_user
    assert user is not None
    storage = context.bot_data.storage
    draft_id = storage.create_broadcast("admin", [], text=text_html, created_by=user.id, status="draft")
    assert draft_id is not None
    recipients = len(storage.active_tip_subscriptions())
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
    # One message (preview and question), since a private chat takes about one message a second.
    await context.bot.send_message(
        chat.id,
        f"{text_html}\n\n— — —\n<b>{HTML.escape(question)}</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def on_broadcast_button(update: Update, context: Context) -> None:
    """Confirm or cancel a broadcast draft."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    match = callback_data.BROADCAST.match(query.data or "")
    await query.answer()
    storage = context.bot_data.storage
    language = user_language(update, context)
    broadcast = storage.broadcast(int(match["draft"])) if match else None
    action = match["action"] if match else ""
    if (
        user is None
        or not context.bot_data.is_admin(user.id)
        or broadcast is None
        or broadcast["status"] != "draft"
        or broadcast["created_by"] != user.id
    ):
        await reply_text(update, context, msg("This broadcast is no longer open."), language)
        return
    if query.message is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(query.message.chat.id, query.message.message_id)
    broadcast_id = int(broadcast["id"])
    if action != "ok":
        storage.set_broadcast_status(broadcast_id, "cancelled")
        await reply_text(update, context, msg("Broadcast cancelled."), language)
        return
    deliveries = [
        PlannedDelivery(chat_id=int(s["chat_id"]), language=s["language"])
        for s in storage.active_tip_subscriptions()
    ]
    storage.add_deliveries(broadcast_id, deliveries)
    chat = update.effective_chat
    assert chat is not None
    await broadcaster_of(context.application).pacer.acquire(chat.id)
    status = await context.bot.send_message(
        chat.id,
        HTML.escape(
            Translator(language)(progress_text(broadcaster_of(context.application).progress(broadcast_id)))
        ),
        parse_mode=ParseMode.HTML,
    )
    storage.set_broadcast_status_message(broadcast_id, chat.id, status.message_id)
    storage.set_broadcast_status(broadcast_id, "running")
    start_in_background(context.application, broadcast_id)
