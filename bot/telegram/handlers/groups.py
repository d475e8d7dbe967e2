"""Groups: the check itself runs in a private chat, so /start in a group offers the way there."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.telegram.services import Context
from dialogs.engine import language_for
from dialogs.text import msg


async def group_start(update: Update, context: Context) -> None:
    """Offer a button that opens the private chat."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None
    t = Translator(language_for(user.language_code if user else None))
    url = f"https://t.me/{context.bot.username}?start=group"
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(msg("Start the check in a private chat")), url=url)]]
    )
    await context.bot.send_message(
        chat.id,
        t(msg("The digital check runs in a private chat, so your answers stay private.")),
        reply_markup=keyboard,
    )


async def on_group_button(update: Update, context: Context) -> None:
    """A button pressed outside a private chat: answered, so that no spinner is left, and nothing else."""
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(TelegramError):
            await query.answer()
