"""The peer baseline: the same questionnaire as a python-telegram-bot ``ConversationHandler`` with ``PicklePersistence``.

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot python benchmarks/peer_bot.py state.pickle

Written the way PTB's documentation and examples suggest (``conversationbot.py``, ``persistentconversationbot.py``,
``inlinekeyboard.py``): one conversation state per question, answers in ``context.user_data``, a
``PicklePersistence`` on its defaults (flushed by the job queue every 60 s and at shutdown), inline keyboards
whose buttons are answered with ``query.answer()``. It asks our eleven questions with our texts, choices and
parsers (``dialogs``), shows a summary with a confirm button, then the EU SME class with its reasons. It
keeps no database, no consent record and no result history: that is what the comparison is about.

Button data follow ours (``cons|1``, ``c|<question>|<key>``, ``ok|summary``), so the same update payloads
drive both bots.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.i18n import Translator
from dialogs.ceilings import CLASS_NAMES
from dialogs.classification import classify_sme
from dialogs.questions import QUESTIONS, Question
from dialogs.text import InvalidAnswer

CONSENT, SUMMARY = 100, len(QUESTIONS)  # question states are 0 … 10 (-1 is ConversationHandler.END)
t = Translator("de")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def keyboard(question: Question) -> InlineKeyboardMarkup | None:
    if not question.choices:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(c.label), callback_data=f"c|{question.id}|{c.key}")]
            for c in question.choices
        ]
    )


def next_state(answers: dict[str, Any], after: int) -> int:
    """The next question that applies (those about online budget are skipped without one), or the summary."""
    for index in range(after + 1, len(QUESTIONS)):
        question = QUESTIONS[index]
        if question.applies(answers):
            return index
        answers[question.id] = dict(question.default_when_skipped)
    return SUMMARY


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, state: int) -> int:
    """Send the question of ``state`` (or the summary) and return it as the conversation's state."""
    chat = update.effective_chat
    assert chat is not None
    if state == SUMMARY:
        answers = context.user_data["answers"] if context.user_data else {}
        lines = [f"{t(q.summary_label)}: {answers.get(q.id, {}).get('text', '–')}" for q in QUESTIONS]
        confirm = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Ergebnis zeigen", callback_data="ok|summary")]]
        )
        await context.bot.send_message(chat.id, "Ihre Angaben:\n" + "\n".join(lines), reply_markup=confirm)
        return SUMMARY
    question = QUESTIONS[state]
    text = t(question.prompt) + (f"\n\n{t(question.hint)}" if question.hint else "")
    await context.bot.send_message(chat.id, text, reply_markup=keyboard(question))
    return state


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Greet and ask for consent."""
    assert update.message is not None and context.user_data is not None
    context.user_data["answers"] = {}
    consent = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="cons|1"),
                InlineKeyboardButton("Nein", callback_data="cons|0"),
            ]
        ]
    )
    await update.message.reply_text(
        "Willkommen beim KMU Digital-Berater. Dürfen wir Ihre Antworten anonym auswerten?",
        reply_markup=consent,
    )
    return CONSENT


async def consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Store the consent and ask the first question."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    context.user_data["consent"] = query.data.endswith("|1")
    return await ask(update, context, next_state(context.user_data["answers"], -1))


def state_of(context: ContextTypes.DEFAULT_TYPE) -> int:
    answers = context.user_data["answers"] if context.user_data else {}
    return next(i for i, q in enumerate(QUESTIONS) if q.id not in answers)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Store the chosen answer and ask the next question."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    state = state_of(context)
    _, question_id, key = query.data.split("|")
    question = QUESTIONS[state]
    choice = question.choice(key) if question_id == question.id else None
    if choice is None:
        return state
    answers = context.user_data["answers"]
    value = None if choice.value is None else str(choice.value)
    answers[question.id] = {"value": value, "band": key, "text": t(choice.label)}
    return await ask(update, context, next_state(answers, state))


async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Parse a typed answer (a number, or a choice's label) and ask the next question, or ask again."""
    assert update.message is not None and update.message.text is not None and context.user_data is not None
    state = state_of(context)
    question = QUESTIONS[state]
    answers = context.user_data["answers"]
    text = update.message.text.strip()
    if question.parser is not None:
        try:
            value: Decimal = question.parser(text, "de")
            question.check(value, answers)
        except InvalidAnswer as error:
            await update.message.reply_text(t(error.reason))
            return state
        answers[question.id] = {"value": str(value), "band": None, "text": text}
    else:
        choice = next((c for c in question.choices if t(c.label).casefold() == text.casefold()), None)
        if choice is None:
            await update.message.reply_text("Bitte wählen Sie eine der Antworten.")
            return state
        answers[question.id] = {"value": choice.key, "band": None, "text": text}
    return await ask(update, context, next_state(answers, state))


def _figure(answers: dict[str, Any], question_id: str) -> Decimal | None:
    value = answers.get(question_id, {}).get("value")
    return None if value is None else Decimal(value)


async def result(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Classify by the EU SME definition and send the result."""
    query = update.callback_query
    assert query is not None and context.user_data is not None and update.effective_chat is not None
    await query.answer()
    answers = context.user_data["answers"]
    classification = classify_sme(
        _figure(answers, "staff") or Decimal(0),
        _figure(answers, "turnover") or Decimal(0),
        _figure(answers, "balance_sheet"),
        answers.get("linked", {}).get("value") == "yes",
    )
    lines = [f"Ihr Unternehmen ist: {t(CLASS_NAMES[classification.category])}"]
    lines += [t(reason) for reason in classification.reasons]
    await context.bot.send_message(update.effective_chat.id, "\n".join(lines))
    context.user_data["category"] = classification.category.value
    return ConversationHandler.END


def build_peer_application(
    token: str,
    persistence_path: Path,
    *,
    base_url: str | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> AnyApplication:
    """The questionnaire as one persistent ConversationHandler on PTB's defaults."""
    warnings.filterwarnings("ignore", category=PTBUserWarning)  # per_message=False with buttons, as intended
    builder = ApplicationBuilder().token(token).persistence(PicklePersistence(filepath=persistence_path))
    if base_url is not None:
        builder = builder.base_url(base_url)
    if request is not None:
        builder = builder.request(request)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    application = builder.build()
    answer: list[Any] = [
        CallbackQueryHandler(button, pattern=r"^c\|"),
        MessageHandler(filters.TEXT & ~filters.COMMAND, typed),
    ]
    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            CONSENT: [CallbackQueryHandler(consent, pattern=r"^cons\|")],
            **{state: answer for state in range(len(QUESTIONS))},
            SUMMARY: [CallbackQueryHandler(result, pattern=r"^ok\|summary$")],
        },
        fallbacks=[CommandHandler("start", start)],
        name="questionnaire",
        persistent=True,
    )
    application.add_handler(conversation)
    return application


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.WARNING)
    application = build_peer_application(
        os.environ["TELEGRAM_BOT_TOKEN"],
        Path(args[0] if args else "peer_bot.pickle"),
        base_url=os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
