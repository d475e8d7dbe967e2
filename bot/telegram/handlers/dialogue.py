"""Private-chat handlers of the questionnaire: each turns an update into an advisor event and shows the outcome."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop

from bot.commands import PRIVATE_COMMANDS, TIP_COMMANDS
from bot.i18n import Translator
from bot.outcome import AdvisorEvent, Begin, GiveConsent, Outcome, Respondent, Typed
from bot.rendering import HTML
from bot.telegram import callback_data
from bot.telegram.keyboards import language_keyboard
from bot.telegram.locks import serialized
from bot.telegram.replies import pop_up, show, toast
from bot.telegram.send import answer_query, send_html
from bot.telegram.services import CHANNEL, Context
from dialogs.engine import Back, Restart, Show, SwitchLanguage
from dialogs.questions import QUESTIONS
from dialogs.text import Text, msg

NOTICE_KEPT = msg("The privacy notice, and changing your decision at any time: /privacy")
STALE_BUTTON = msg("That button belongs to an earlier message. Here is where you are now.")


def respondent_of(update: Update) -> Respondent:
    user = update.effective_user
    assert user is not None
    return Respondent(CHANNEL, user.id, user.language_code)


def chat_id_of(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def apply(update: Update, context: Context, event: AdvisorEvent) -> Outcome:
    """Hand the event to the advisor, which commits it with the update's id."""
    return context.bot_data.advisor.handle(respondent_of(update), event, update_id=update.update_id)


def warning(outcome: Outcome, text: Text) -> str:
    return "⚠️ " + HTML.escape(Translator(outcome.language)(text))


@serialized
async def start(update: Update, context: Context) -> None:
    """Greet, count a referral on first contact, and show where the user stands."""
    payload = context.args[0] if context.args else ""
    referral = payload[4:64] if payload.startswith("ref_") else ""
    outcome = apply(update, context, Begin(referral))
    await show(context, chat_id_of(update), outcome)


@serialized
async def on_text(update: Update, context: Context) -> None:
    """Treat typed text as the answer to the current question."""
    message = update.effective_message
    assert message is not None and message.text is not None
    outcome = apply(update, context, Typed(message.text))
    prefix = ""
    if outcome.needs_consent:
        prefix = HTML.escape(Translator(outcome.language)(msg("Please answer this first:")))
    await show(context, chat_id_of(update), outcome, prefix)


@serialized
async def on_button(update: Update, context: Context) -> None:
    """Handle a button of the questionnaire; a forged or stale one shows where the user is.

    The next question replaces the one whose button was pressed (one rate-limited call), the toast and the
    recap on top of it acknowledge the answer; buttons left on older messages carry the state they were
    offered in, so pressing one later only shows where the user is.
    """
    query = update.callback_query
    assert query is not None
    pressed = callback_data.decode_dialogue(query.data or "")
    try:
        outcome = apply(update, context, pressed if pressed is not None else Show())
    except Exception:
        await answer_query(query)  # no spinner left on the button, whatever went wrong
        raise
    if pressed is None or outcome.stale:
        await answer_query(query, Translator(outcome.language)(STALE_BUTTON))
        await show(context, chat_id_of(update), outcome, warning(outcome, STALE_BUTTON))
        return
    await answer_query(query, toast(outcome))
    full_result = isinstance(pressed.event, Show)
    await show(context, chat_id_of(update), outcome, full_result=full_result, in_place=query.message)


@serialized
async def on_consent_button(update: Update, context: Context) -> None:
    """Record the consent (once), then go on with the questionnaire in place of the notice.

    Like an answer, the decision costs one rate-limited call: the notice turns into the first question, with
    the decision on top and in the pop-up; the notice itself stays one tap away under /privacy. A consent
    button pressed again later only shows where the user is, in a new message.
    """
    query = update.callback_query
    assert query is not None
    match = callback_data.CONSENT.match(query.data or "")
    assert match is not None
    try:
        outcome = apply(update, context, GiveConsent(match["consent"] == "1"))
    except Exception:
        await answer_query(query)  # no spinner left on the button, whatever went wrong
        raise
    if outcome.note is None:  # decided before: only where the user is
        await answer_query(query)
        await show(context, chat_id_of(update), outcome)
        return
    t = Translator(outcome.language)
    await answer_query(query, pop_up(t(outcome.note)))
    await show(context, chat_id_of(update), outcome, HTML.escape(t(NOTICE_KEPT)), in_place=query.message)


@serialized
async def on_language_button(update: Update, context: Context) -> None:
    """Continue in the chosen language, in place of the language question."""
    query = update.callback_query
    assert query is not None
    match = callback_data.LANGUAGE.match(query.data or "")
    assert match is not None
    await answer_query(query)
    outcome = apply(update, context, SwitchLanguage(match["language"]))
    await show(context, chat_id_of(update), outcome, full_result=True, in_place=query.message)


@serialized
async def back(update: Update, context: Context) -> None:
    """Go back one question."""
    await show(context, chat_id_of(update), apply(update, context, Back()))


@serialized
async def restart(update: Update, context: Context) -> None:
    """Forget the answers and start again."""
    await show(context, chat_id_of(update), apply(update, context, Restart()))


@serialized
async def language(update: Update, context: Context) -> None:
    """Offer German and English."""
    t = Translator(context.bot_data.advisor.language_of(respondent_of(update)))
    await send_html(
        context,
        chat_id_of(update),
        HTML.escape(t(msg("Which language would you like?"))),
        language_keyboard(),
    )


@serialized
async def help_command(update: Update, context: Context) -> None:
    """Explain what the bot does and list the commands; in a private chat, ask the current question again."""
    chat = update.effective_chat
    assert chat is not None
    advisor = context.bot_data.advisor
    t = Translator(advisor.language_of(respondent_of(update)))
    await send_html(context, chat.id, help_text(t))
    if chat.type == Chat.PRIVATE:
        outcome = apply(update, context, Show())
        if not outcome.needs_consent:
            await show(context, chat.id, outcome)


def help_text(t: Translator) -> str:
    lines = [
        HTML.bold(HTML.escape(t(msg("KMU Digital-Berater")))),
        HTML.escape(
            t(
                msg(
                    "I ask {count} short questions and tell you your company's EU SME category and "
                    "a plan to close its digital gap. Answer with the buttons or type.",
                    count=len(QUESTIONS),
                )
            )
        ),
        "",
    ]
    for command, description in (*PRIVATE_COMMANDS, *TIP_COMMANDS):
        lines.append(f"/{command} – {HTML.escape(t(description))}")
    return "\n".join(lines)


async def _show_with_warning(update: Update, context: Context, text: Text) -> None:
    outcome = apply(update, context, Show())
    await show(context, chat_id_of(update), outcome, warning(outcome, text))


@serialized
async def unsupported_message(update: Update, context: Context) -> None:
    """Explain that only text answers are understood, then ask the current question again."""
    await _show_with_warning(
        update, context, msg("I can only read text. Please type your answer or use the buttons.")
    )


async def edited_message(update: Update, context: Context) -> None:
    """Explain in a private chat that edits are not taken into account; ignore them elsewhere."""
    chat = update.effective_chat
    if chat is not None and chat.type == Chat.PRIVATE and update.effective_user is not None:
        await _explain_edit(update, context)
    raise ApplicationHandlerStop


@serialized
async def _explain_edit(update: Update, context: Context) -> None:
    await _show_with_warning(
        update,
        context,
        msg(
            "I cannot take an edited message into account. To change an answer, "
            "use Back or send the new answer as a new message."
        ),
    )


@serialized
async def unknown_command(update: Update, context: Context) -> None:
    """Point to /help, then ask the current question again."""
    await _show_with_warning(update, context, msg("I don't know that command. /help lists what I can do."))
