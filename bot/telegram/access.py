"""Who may use the admin commands: the user ids in ADMIN_IDS, and only in their private chat with the bot."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Chat, Update

from bot.i18n import Translator
from bot.telegram.services import Context
from dialogs.engine import language_for
from dialogs.text import msg

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def admin_only(handler: Handler) -> Handler:
    """Refuse non-admins everywhere, and admins outside their private chat (a group must not see the data)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        if chat is None:
            return
        t = Translator(language_for(user.language_code if user else None))
        if not context.bot_data.is_admin(user.id if user else None):
            await context.bot.send_message(
                chat.id, t(msg("Sorry, this command is only available to the administrators of this bot."))
            )
            return
        if chat.type != Chat.PRIVATE:
            await context.bot.send_message(
                chat.id,
                t(
                    msg(
                        "Admin commands work only in your private chat with me, so that no group sees "
                        "the data."
                    )
                ),
            )
            return
        await handler(update, context)

    return wrapper
