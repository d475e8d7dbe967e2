"""Sending to Telegram: long HTML split into messages that fit, and keyboards taken off answered messages.

Retries of failed requests happen below, in ``bot.telegram.request``.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import TelegramError

from bot.advisor import Respondent
from bot.i18n import Translator
from bot.rendering import HTML
from bot.telegram.services import CHANNEL, Context
from dialogs.text import Text

log = logging.getLogger(__name__)


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split at paragraph or line boundaries so each part fits into one Telegram message."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        current = line
    if current:
        parts.append(current)
    return parts


async def send_html(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send (possibly several) HTML messages; the keyboard goes with the last one."""
    parts = split_message(text)
    message = None
    for index, part in enumerate(parts):
        message = await context.bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if index == len(parts) - 1 else None,
            disable_web_page_preview=True,
        )
    return message


async def answer_query(query: CallbackQuery) -> None:
    """Stop the button's spinner. A refusal ("query is too old" after downtime) does not stop the handler:
    the press itself is still taken."""
    try:
        await query.answer()
    except TelegramError as error:
        log.info("Button press not acknowledged (%s): %s", type(error).__name__, error.message)


async def remove_keyboard(message: object) -> None:
    """Take the buttons off an answered message so old buttons cannot be pressed again."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    with contextlib.suppress(TelegramError):  # already edited, too old to edit, or not supported
        await message.edit_reply_markup(reply_markup=None)


def user_language(update: Update, context: Context) -> str:
    """The user's chosen language with the bot, else their Telegram language."""
    user = update.effective_user
    if user is None:
        return "de"
    return context.bot_data.advisor.language_of(Respondent(CHANNEL, user.id, user.language_code))


async def reply_text(
    update: Update, context: Context, text: Text, language: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer in the update's chat with one short HTML message."""
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id, HTML.escape(Translator(language)(text)), parse_mode=ParseMode.HTML, reply_markup=markup
    )
