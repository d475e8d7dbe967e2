"""The user's privacy rights in the private chat: /privacy, /mydata, /deletedata and its confirmation."""

from __future__ import annotations

import io
import json

from telegram import Update

from bot.advisor import Respondent
from bot.i18n import Translator
from bot.rendering import HTML
from bot.telegram import callback_data
from bot.telegram.keyboards import delete_keyboard
from bot.telegram.locks import serialized
from bot.telegram.replies import show
from bot.telegram.send import remove_keyboard, send_html
from bot.telegram.services import CHANNEL, Context
from dialogs.engine import Show
from dialogs.text import msg


def _respondent(update: Update) -> Respondent:
    user = update.effective_user
    assert user is not None
    return Respondent(CHANNEL, user.id, user.language_code)


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


@serialized
async def privacy(update: Update, context: Context) -> None:
    """Say who stores what, why, for how long, and the user's rights."""
    services = context.bot_data
    t = Translator(services.advisor.language_of(_respondent(update)))
    operator = services.config.privacy_contact or t(msg("the operator of this bot"))
    text = t(
        msg(
            "Responsible: {operator}.\n"
            "What is stored: your answers to the questionnaire and your results, under a random number. "
            "Separately, your Telegram user id and language are linked to that number so that you can "
            "continue later; no name, no username.\n"
            "Why: to give you your result and show changes since your last check; with your consent, "
            "anonymously for statistics (exports contain only rounded bands of consenting users and never "
            "your Telegram id).\n"
            "How long: until you delete them.\n"
            "Your rights: /mydata shows everything stored about you, /deletedata erases it.",
            operator=operator,
        )
    )
    await send_html(context, _chat_id(update), HTML.escape(text))


@serialized
async def mydata(update: Update, context: Context) -> None:
    """Send everything stored about the user as a JSON document."""
    respondent = _respondent(update)
    services = context.bot_data
    # A private chat's id is the user's id: its tip subscription belongs to the user too.
    data = services.storage.personal_data(CHANNEL, respondent.user_id, chat_id=_chat_id(update))
    document = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    t = Translator(services.advisor.language_of(respondent))
    await context.bot.send_document(
        _chat_id(update),
        io.BytesIO(document),
        filename="my-data.json",
        caption=t(msg("Everything stored about you.")),
    )


@serialized
async def deletedata(update: Update, context: Context) -> None:
    """Ask for confirmation before erasing everything stored about the user."""
    t = Translator(context.bot_data.advisor.language_of(_respondent(update)))
    question = msg(
        "Delete your answers, results and the link to your Telegram account? This cannot be undone."
    )
    await send_html(context, _chat_id(update), HTML.escape(t(question)), delete_keyboard(t))


@serialized
async def on_delete_button(update: Update, context: Context) -> None:
    """Erase everything after "yes"; after "no", go on where the user was."""
    query = update.callback_query
    assert query is not None
    match = callback_data.DELETE.match(query.data or "")
    assert match is not None
    await query.answer()
    await remove_keyboard(query.message)
    advisor = context.bot_data.advisor
    respondent = _respondent(update)
    if match["answer"] == "yes":
        t = Translator(advisor.language_of(respondent))
        advisor.forget(respondent, chat_id=_chat_id(update))
        await send_html(
            context,
            _chat_id(update),
            HTML.escape(t(msg("All your data has been deleted. Send /start to begin anew."))),
        )
        return
    outcome = advisor.handle(respondent, Show(), update_id=update.update_id)
    nothing = HTML.escape(Translator(outcome.language)(msg("Nothing was deleted.")))
    await show(context, _chat_id(update), outcome, nothing)
