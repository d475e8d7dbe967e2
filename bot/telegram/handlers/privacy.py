"""The user's privacy rights in the private chat: /privacy, /mydata, /deletedata and its confirmation."""

from __future__ import annotations

import io
import json

from telegram import Update

from bot.i18n import Translator
from bot.outcome import ChangeConsent, Respondent
from bot.rendering import HTML
from bot.storage.retention import PROCESSED_UPDATE_DAYS
from bot.telegram import callback_data
from bot.telegram.keyboards import delete_keyboard, privacy_consent_keyboard
from bot.telegram.locks import serialized
from bot.telegram.replies import show
from bot.telegram.send import answer_query, remove_keyboard, send_html
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


def privacy_notice(t: Translator, *, contact: str | None, retention_months: int, consent: bool | None) -> str:
    """The information Art. 13 GDPR asks for, with the configured controller and storage period."""
    operator = contact or t(msg("the operator of this bot"))
    paragraphs = [
        HTML.bold(HTML.escape(t(msg("Privacy notice")))),
        t(msg("Responsible: {operator}.", operator=operator)),
        t(
            msg(
                "What is stored: your answers and results under a random number. As long as that number is linked "
                "to your Telegram account (user id and language setting; no name, no username), the data are "
                "pseudonymous: they can be attributed to you. Your consent decision is stored with the version of "
                "its text and the month."
            )
        ),
        t(
            msg(
                "Purposes and legal basis: the check itself, its result and the comparison with your previous "
                "check, because you ask for them (Art. 6(1)(b) GDPR). With your consent (Art. 6(1)(a) GDPR), your "
                "answers are also used for statistics; exports contain only rounded bands of consenting users, "
                "never your account. Tips only go to chats that subscribed to them."
            )
        ),
        t(
            msg(
                "Storage period: after {months} months without activity the link to your Telegram account is "
                "deleted. Then only the latest result of a consenting user remains, anonymously and dated by month "
                "only; everything else is deleted. Without consent your answers are deleted as soon as you have "
                "your result. Technical records of handled messages are deleted after {days} days.",
                months=retention_months,
                days=PROCESSED_UPDATE_DAYS,
            )
        ),
        t(
            msg(
                "Telegram: every message passes through Telegram's servers, which the operator of this bot does not "
                "control; Telegram's own privacy policy applies there."
            )
        ),
        t(
            msg(
                "Your rights: access (/mydata), erasure (/deletedata), correction by answering again (/restart), "
                "withdrawal of your consent at any time with effect for the future (button below), and complaint "
                "to a data protection supervisory authority, for example the one of your federal state."
            )
        ),
        t(
            msg("Your consent to statistics: given.")
            if consent
            else msg("Your consent to statistics: not given.")
        ),
    ]
    return "\n\n".join([paragraphs[0], *(HTML.escape(p) for p in paragraphs[1:])])


@serialized
async def privacy(update: Update, context: Context) -> None:
    """Say who stores what, why, for how long, and the user's rights; offer to withdraw or give consent."""
    services = context.bot_data
    respondent = _respondent(update)
    t = Translator(services.advisor.language_of(respondent))
    consent = services.advisor.consent_of(respondent)
    text = privacy_notice(
        t,
        contact=services.config.privacy_contact,
        retention_months=services.config.retention_months,
        consent=consent,
    )
    await send_html(context, _chat_id(update), text, privacy_consent_keyboard(t, consent))


@serialized
async def on_consent_change(update: Update, context: Context) -> None:
    """Give or withdraw consent from the privacy notice; a withdrawal takes effect at once."""
    query = update.callback_query
    assert query is not None
    match = callback_data.PRIVACY_CONSENT.match(query.data or "")
    assert match is not None
    await answer_query(query)
    await remove_keyboard(query.message)
    outcome = context.bot_data.advisor.handle(
        _respondent(update), ChangeConsent(match["consent"] == "1"), update_id=update.update_id
    )
    if outcome.duplicate or outcome.note is None:
        return
    await send_html(context, _chat_id(update), HTML.escape(Translator(outcome.language)(outcome.note)))


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
    await answer_query(query)
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
