"""The error handler: log without personal data, and tell the user that their answers are safe."""

from __future__ import annotations

import contextlib
import logging

from telegram import Chat, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.i18n import Translator
from bot.outcome import Respondent
from bot.telegram.locks import user_lock
from bot.telegram.replies import show
from bot.telegram.services import CHANNEL, Context
from dialogs.engine import Show, language_for
from dialogs.text import msg

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log without personal data and reassure the user that their answers are safe."""
    error = context.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        context.bot_data.storage.respondents.mark_blocked(CHANNEL, update.effective_user.id)
        log.info("A user has blocked the bot; recorded")
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, BadRequest):  # a subclass of NetworkError, but Telegram answered: no network trouble
        log.warning("Bot API refused a request while handling update %s: %s", update_id, error.message)
        await _show_current_question(update, context)
        return
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


async def _show_current_question(update: object, context: Context) -> None:
    """After a refused request the user may have got nothing: show them where they are (read only)."""
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    if update.effective_chat.type != Chat.PRIVATE:
        return
    user = update.effective_user
    respondent = Respondent(CHANNEL, user.id, user.language_code)
    try:
        async with user_lock(user.id):
            outcome = context.bot_data.advisor.handle(respondent, Show())
            await show(context, update.effective_chat.id, outcome)
    except TelegramError as error:
        log.warning("The current question could not be shown either: %s", error.message)
