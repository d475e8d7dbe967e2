"""Groups: the check itself runs in a private chat, so commands in a group offer the way there.

Nothing about a group's members is stored: the answers here read only the sender's language.
"""

from __future__ import annotations

import contextlib

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.telegram.services import Context
from dialogs.text import Text, language_for, msg

PRIVATE_ONLY = msg(
    "Your data and your report belong to you alone, so I answer this only in our private chat. The privacy"
    " notice is there too."
)


def _translator(update: Update, context: Context) -> Translator:
    user = update.effective_user
    return Translator(
        language_for(user.language_code if user else None, context.bot_data.config.default_language)
    )


def _private_chat_button(context: Context, t: Translator) -> InlineKeyboardMarkup:
    url = f"https://t.me/{context.bot.username}?start=group"
    return InlineKeyboardMarkup([[InlineKeyboardButton(t(msg("Open the private chat")), url=url)]])


async def _answer(update: Update, context: Context, text: Text) -> None:
    chat = update.effective_chat
    assert chat is not None
    t = _translator(update, context)
    await context.bot.send_message(chat.id, t(text), reply_markup=_private_chat_button(context, t))


async def group_start(update: Update, context: Context) -> None:
    """Offer a button that opens the private chat."""
    await _answer(
        update, context, msg("The digital check runs in a private chat, so your answers stay private.")
    )


async def private_only(update: Update, context: Context) -> None:
    """/privacy, /mydata, /deletedata and /report in a group: a short note and the way to the private chat."""
    await _answer(update, context, PRIVATE_ONLY)


GREETING = msg(
    "Hello! I am the KMU Digital-Berater: I tell small and medium-sized companies their EU size class and a"
    " plan for their next digital steps. The check itself runs in a private chat with me (/start), so"
    " nobody's answers appear here.\n\nIn this group I can post one practical tip a week: a group"
    " administrator sends /subscribe (or /subscribe en for English), /unsubscribe stops it. /help lists the"
    " commands."
)
_ABSENT = (ChatMember.LEFT, ChatMember.BANNED)
_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.RESTRICTED)


async def on_added_to_group(update: Update, context: Context) -> None:
    """Greet once, when the bot joins a group; a later change of its rights there says nothing."""
    change = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    if change.old_chat_member.status not in _ABSENT or change.new_chat_member.status not in _PRESENT:
        return
    user = change.from_user  # whoever added the bot: their language, nothing stored
    t = Translator(
        language_for(user.language_code if user else None, context.bot_data.config.default_language)
    )
    with contextlib.suppress(TelegramError):  # a group that forbids the bot to write is not an error
        await context.bot.send_message(
            change.chat.id, t(GREETING), reply_markup=_private_chat_button(context, t)
        )


async def on_group_button(update: Update, context: Context) -> None:
    """A button pressed outside a private chat: answered, so that no spinner is left, and nothing else."""
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(TelegramError):
            await query.answer()
