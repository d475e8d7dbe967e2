"""The error handler: log without personal data, and tell the user that their answers are safe."""

from __future__ import annotations

import contextlib
import logging

from telegram import Chat, Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.i18n import Translator
from bot.telegram.services import CHANNEL, Context
from dialogs.engine import language_for
from dialogs.text import msg

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log without personal data and reassure the user that their answers are safe."""
    error = context.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        context.bot_data.storage.mark_blocked(CHANNEL, update.effective_user.id)
        log.info("A user has blocked the bot; recorded")
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, NetworkError):
        # The answer is committed; the reply may or may not have arrived. An apology would meet the same
        # network, and the user's next message is answered from the stored state anyway.
        log.warning("Bot API unreachable while handling update %s: %s", update_id, type(error).__name__)
        return
    log.error(
        "Error while handling update %s: %s",
        update_id,
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == Chat.PRIVATE:
        user = update.effective_user
        t = Translator(language_for(user.language_code if user else None))
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                update.effective_chat.id,
                t(
                    msg(
                        "Sorry, something went wrong on our side. Your answers are safe. Please try again, "
                        "or send /start to continue."
                    )
                ),
            )
