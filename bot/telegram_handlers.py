"""Telegram handlers: turn updates into engine events, persist, and render the engine's replies.

Every answer is committed to SQLite before the bot replies; updates of one user are serialized by a lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import json
import logging
import weakref
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, MessageLimit, ParseMode
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.analytics import peer_benchmark
from bot.chart import draw_off_loop, marketing_split_chart
from bot.commands import PRIVATE_COMMANDS, TIP_COMMANDS
from bot.i18n import Translator
from bot.rendering import HTML, event_for_text, render_question, render_result, render_summary
from bot.report import build_report, report_filename
from bot.storage import Storage
from dialogs.engine import (
    QUESTION_BY_ID,
    RESULT,
    SUMMARY,
    Back,
    Choose,
    Confirm,
    Edit,
    Event,
    QuestionScreen,
    Reply,
    Restart,
    Result,
    ResultScreen,
    Session,
    Show,
    SummaryScreen,
    SwitchLanguage,
    evaluate,
    handle,
    language_for,
    restore,
)
from dialogs.text import Text, msg

log = logging.getLogger(__name__)
CHANNEL = "telegram"
Context = ContextTypes.DEFAULT_TYPE

_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


def user_lock(user_id: int) -> asyncio.Lock:
    """One lock per user, so a double tap or two fast messages are handled one after the other."""
    lock = _locks.get(user_id)
    if lock is None:
        lock = asyncio.Lock()
        _locks[user_id] = lock
    return lock


def storage_of(context: Context) -> Storage:
    storage: Storage = context.bot_data["storage"]
    return storage


# --- conversation state of one user -------------------------------------------------------------


class Conversation:
    """A user's respondent id, session and language for the span of one update."""

    def __init__(
        self, storage: Storage, user_id: int, language_code: str | None, update_id: int | None = None
    ) -> None:
        self.storage = storage
        self.user_id = user_id
        self.update_id = update_id
        self.respondent_id = storage.respondent_for(CHANNEL, user_id, language_code=language_code)
        stored = storage.load_session(self.respondent_id)
        self.is_new = stored is None
        # The previous reply never went out (crash, dropped connection): the user has not seen the question.
        self.reply_was_lost = bool(stored and stored.get("reply_pending"))
        self.session, self.restore_notices = restore(stored, language_for(language_code))

    @property
    def t(self) -> Translator:
        return Translator(self.session.language)

    @functools.cached_property
    def consent(self) -> bool | None:
        """Whether answers may be kept for statistics (None: not asked yet); read once per update."""
        return self.storage.consent(self.respondent_id)

    def give_consent(self, consent: bool) -> None:
        self.storage.set_consent(self.respondent_id, consent)
        self.__dict__["consent"] = consent

    def apply(self, event: Event) -> Reply:
        """Run one event through the engine and commit the new session before anything is sent."""
        self.session, reply = handle(self.session, event)
        if self.restore_notices:
            reply = Reply(self.restore_notices + reply.notices, reply.screen, reply.rejected, reply.completed)
            self.restore_notices = ()
        self.storage.save_session(
            self.respondent_id,
            self.session.to_dict(),
            finished=reply.completed,
            update_id=self.update_id,
            reply_pending=True,
        )
        self.reply_was_lost = False
        return reply

    def replied(self) -> None:
        """Record that the reply is out (cleared only after every message of it was sent)."""
        self.storage.mark_replied(self.respondent_id)

    def current(self) -> Reply:
        return self.apply(Show())


async def _conversation(update: Update, context: Context) -> Conversation:
    user = update.effective_user
    assert user is not None
    return Conversation(storage_of(context), user.id, user.language_code, update.update_id)


def serialized(
    handler: Callable[[Update, Context], Coroutine[Any, Any, None]],
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Run a private-chat handler under the user's lock, once per update even if Telegram repeats it."""

    async def wrapper(update: Update, context: Context) -> None:
        user = update.effective_user
        if user is None:
            return
        async with user_lock(user.id):
            if storage_of(context).is_processed(update.update_id):
                log.info("Update %s was handled before a restart; skipped", update.update_id)
                return
            await handler(update, context)

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


# --- rendering ----------------------------------------------------------------------------------


def _button(t: Translator, label: Text, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(label), callback_data=data)


ButtonRows = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


@lru_cache(maxsize=256)
def inline_keyboard(rows: ButtonRows) -> InlineKeyboardMarkup:
    """The keyboard of these buttons, built once: the same screen in the same language repeats for every
    user, keyboards are immutable, and building PTB's button objects costs more than the rest of a screen."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def question_keyboard(screen: QuestionScreen, t: Translator) -> InlineKeyboardMarkup:
    labels = [t(c.label) for c in screen.choices]
    short = all(len(label) <= 14 for label in labels)
    rows: list[tuple[tuple[str, str], ...]] = []
    row: list[tuple[str, str]] = []
    for choice, label in zip(screen.choices, labels, strict=True):
        row.append((label, f"c|{screen.question_id}|{choice.key}"))
        if not short or len(row) == 2:
            rows.append(tuple(row))
            row = []
    if row:
        rows.append(tuple(row))
    if screen.can_go_back:
        rows.append(((t(msg("◀ Back")), f"b|{screen.question_id}"),))
    return inline_keyboard(tuple(rows))


def summary_keyboard(screen: SummaryScreen, t: Translator) -> InlineKeyboardMarkup:
    rows = [((t(msg("✅ Show my result")), "ok|summary"),)]
    for item in screen.items:
        rows.append((("✏️ " + t(item.label), f"e|{item.question_id}"),))
    rows.append(((t(msg("◀ Back")), "b|summary"),))
    return inline_keyboard(tuple(rows))


def result_keyboard(
    t: Translator, share_url: str | None, tips_enabled: bool, *, show_again: bool = False, report: bool = True
) -> InlineKeyboardMarkup:
    rows = [[_button(t, msg("🔁 Start again"), "r|result"), _button(t, msg("✏️ Change answers"), "b|result")]]
    if report:  # not when the answers are deleted right after the result (no consent): nothing to report
        rows.insert(0, [_button(t, msg("📄 Report (PDF)"), "pdf|result")])
    if show_again:
        rows.insert(0, [_button(t, msg("📋 Show my result again"), "show|result")])
    if share_url:
        rows.append([InlineKeyboardButton(t(msg("📨 Share with a colleague")), url=share_url)])
    if tips_enabled:
        rows.append([_button(t, msg("💡 Send me tips"), "tips|on")])
    return InlineKeyboardMarkup(rows)


def notices_html(reply: Reply, t: Translator) -> str:
    mark = "⚠️ " if reply.rejected else "✓ "
    return "\n".join(mark + HTML.escape(t(notice)) for notice in reply.notices)


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


async def show_reply(
    update: Update,
    context: Context,
    conv: Conversation,
    reply: Reply,
    prefix: str = "",
    *,
    full_result: bool = False,
) -> None:
    """Render the engine's reply: notices and the screen, with buttons.

    A result is shown in full when it is new (or asked for); otherwise a short note with the result buttons
    stands in for it, so a stray message after the result does not repeat pages of advice.
    """
    chat = update.effective_chat
    assert chat is not None
    t = conv.t
    head = "\n".join(p for p in (prefix, notices_html(reply, t)) if p)
    screen = reply.screen
    if isinstance(screen, QuestionScreen):
        body = render_question(screen, t, HTML)
        await send_html(context, chat.id, f"{head}\n\n{body}" if head else body, question_keyboard(screen, t))
    elif isinstance(screen, SummaryScreen):
        body = render_summary(screen, t, HTML)
        await send_html(context, chat.id, f"{head}\n\n{body}" if head else body, summary_keyboard(screen, t))
    elif isinstance(screen, ResultScreen) and (reply.completed or full_result):
        await show_result(context, chat.id, conv, screen.result, head, fresh=reply.completed)
    elif isinstance(screen, ResultScreen):
        body = HTML.escape(t(msg("Your result is shown above. What would you like to do next?")))
        keyboard = result_keyboard(
            t, share_link(context, conv), bool(context.bot_data.get("tips_enabled")), show_again=True
        )
        await send_html(context, chat.id, f"{head}\n\n{body}" if head else body, keyboard)
    conv.replied()


async def show_result(
    context: Context, chat_id: int, conv: Conversation, result: Result, head: str, *, fresh: bool
) -> None:
    t = conv.t
    with contextlib.suppress(TelegramError):  # "typing…" is a courtesy; never fail the result for it
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    changes: list[str] = []
    if fresh:
        changes = record_result(conv, result)
    blocks = render_result(result, t, HTML)
    # --- peer benchmark (issue 5): only when at least k consenting companies of the class compare ---
    peer = peer_benchmark(context.bot_data, conv.storage).line(result.classification.category.value)
    if peer is not None:
        blocks[1] = blocks[1] + "\n\n" + HTML.escape(t(peer))
    # --- end peer benchmark ---
    if changes:
        blocks[0] = blocks[0] + "\n\n" + "\n".join(changes)
    if head:
        blocks[0] = head + "\n\n" + blocks[0]
    for block in blocks[:-1]:
        await send_html(context, chat_id, block)
    try:
        chart = await draw_off_loop(marketing_split_chart, result.profile, t)
        await context.bot.send_photo(
            chat_id,
            io.BytesIO(chart),
            filename="marketing-split.png",
            caption=t(msg("Your marketing split beside the 2014 survey figures")),
        )
    except (
        OSError,
        ValueError,
        RuntimeError,
        TelegramError,
    ) as error:  # the chart is a bonus: never fail the result for it
        log.warning("Chart could not be drawn: %s", type(error).__name__)
    share_url = share_link(context, conv)
    tips_enabled = bool(context.bot_data.get("tips_enabled"))
    keyboard = result_keyboard(t, share_url, tips_enabled, report=conv.consent is not False)
    await send_html(context, chat_id, blocks[-1], keyboard)
    if fresh and conv.consent is False:
        conv.storage.erase_answers(conv.respondent_id)


def record_result(conv: Conversation, result: Result) -> list[str]:
    """Store a fresh result and describe what changed since the previous one."""
    previous = conv.storage.latest_results(conv.respondent_id, limit=1)
    step_ids = [step.id for step in result.advice.steps]
    conv.storage.save_result(
        conv.respondent_id,
        category=result.classification.category.value,
        score=result.advice.score,
        answers=conv.session.answers,
        step_ids=step_ids,
    )
    if not previous:
        return []
    before = previous[0]
    t = conv.t
    lines = [HTML.bold(HTML.escape(t(msg("Since your last check"))))]
    if before["category"] != result.classification.category.value:
        lines.append(
            "• "
            + HTML.escape(
                t(msg("Your size class changed to: {category}", category=result.classification.name))
            )
        )
    delta = result.advice.score - int(before["score"])
    if delta < 0:
        lines.append(
            "• "
            + HTML.escape(t(msg("Your digital gap shrank by {points} points. Well done!", points=-delta)))
        )
    elif delta > 0:
        lines.append("• " + HTML.escape(t(msg("Your digital gap grew by {points} points.", points=delta))))
    else:
        lines.append("• " + HTML.escape(t(msg("Your digital gap is unchanged."))))
    done = [sid for sid in before["step_ids"] if sid not in step_ids]
    if done:
        lines.append("• " + HTML.escape(t(msg("Steps you no longer need: {count}", count=len(done)))))
    return lines


def share_link(context: Context, conv: Conversation) -> str | None:
    username = context.bot.username if context.bot else None
    if not username:
        return None
    from urllib.parse import quote

    code = conv.storage.referral_code(conv.respondent_id)
    deep_link = f"https://t.me/{username}?start=ref_{code}"
    text = conv.t(msg("How digital is your company? This free check takes 3 minutes:"))
    return f"https://t.me/share/url?url={quote(deep_link, safe='')}&text={quote(text, safe='')}"


# --- consent ------------------------------------------------------------------------------------


def consent_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t, msg("Yes, keep them anonymously"), "cons|1")], [_button(t, msg("No, thanks"), "cons|0")]]
    )


def privacy_intro(t: Translator) -> str:
    return "\n".join(
        [
            HTML.bold(HTML.escape(t(msg("Welcome to the KMU Digital-Berater!")))),
            HTML.escape(
                t(
                    msg(
                        "In 11 short questions (about 3 minutes) you learn your company's EU SME "
                        "category and concrete steps to close its digital gap."
                    )
                )
            ),
            "",
            HTML.escape(
                t(
                    msg(
                        "Privacy: I store your answers under a random number, separate from your "
                        "Telegram account, to give you your result and to show you changes later."
                    )
                )
            ),
            HTML.escape(
                t(
                    msg(
                        "May I also keep them anonymously for statistics? You still get your result "
                        "if you say no. Details: /privacy"
                    )
                )
            ),
        ]
    )


async def ask_consent(update: Update, context: Context, conv: Conversation, prefix: str = "") -> None:
    chat = update.effective_chat
    assert chat is not None
    text = privacy_intro(conv.t)
    await send_html(context, chat.id, f"{prefix}\n\n{text}" if prefix else text, consent_keyboard(conv.t))


async def continue_dialogue(
    update: Update,
    context: Context,
    conv: Conversation,
    event: Event,
    prefix: str = "",
    *,
    full_result: bool = False,
) -> None:
    """Apply an event, or ask for consent first when the user has not decided yet."""
    if conv.consent is None:
        await ask_consent(update, context, conv, prefix)
        return
    await show_reply(update, context, conv, conv.apply(event), prefix, full_result=full_result)


# --- private-chat handlers ----------------------------------------------------------------------


@serialized
async def start(update: Update, context: Context) -> None:
    """Greet, count a referral on first contact, and show where the user stands."""
    conv = await _conversation(update, context)
    payload = context.args[0] if context.args else ""
    if conv.is_new and payload.startswith("ref_"):
        conv.storage.count_referral_arrival(payload[4:64])
    if conv.consent is None:
        conv.storage.save_session(conv.respondent_id, conv.session.to_dict())
        await ask_consent(update, context, conv)
        return
    prefix = ""
    if conv.session.answers and conv.session.state not in (SUMMARY, RESULT):
        prefix = HTML.escape(conv.t(msg("Welcome back! We continue where you left off.")))
    await show_reply(update, context, conv, conv.current(), prefix)


@serialized
async def on_text(update: Update, context: Context) -> None:
    """Treat typed text as the answer to the current question."""
    conv = await _conversation(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    if conv.consent is None:
        await ask_consent(update, context, conv, HTML.escape(conv.t(msg("Please answer this first:"))))
        return
    if conv.reply_was_lost and conv.session.state != RESULT:
        # The user never saw our last reply, so this text answers an earlier question (typed again):
        # show where they are instead of storing it as the answer to a question they have not seen.
        notice = msg(
            "My last reply may not have reached you. Your answers are saved; here is where you are now."
        )
        await show_reply(update, context, conv, conv.apply(Show()), "⚠️ " + HTML.escape(conv.t(notice)))
        return
    _, shown = handle(conv.session, Show())
    event = event_for_text(message.text, shown.screen, conv.t)
    await show_reply(update, context, conv, conv.apply(event))


@serialized
async def on_button(update: Update, context: Context) -> None:
    """Handle a button: validate its data against the current state, then apply it."""
    query = update.callback_query
    assert query is not None
    conv = await _conversation(update, context)
    data = query.data or ""
    kind, _, rest = data.partition("|")
    t = conv.t
    if kind == "cons" and rest in ("0", "1"):
        await query.answer()
        if conv.consent is None:
            conv.give_consent(rest == "1")
            thanks = (
                msg("Thank you! Your answers are kept anonymously for statistics.")
                if rest == "1"
                else msg("Understood: your answers are deleted once you have your result.")
            )
            await remove_keyboard(query.message)
            await show_reply(update, context, conv, conv.current(), HTML.escape(t(thanks)))
        else:
            await show_reply(update, context, conv, conv.current())
        return
    if kind == "l" and rest in ("de", "en"):
        await query.answer()
        await remove_keyboard(query.message)
        await continue_dialogue(update, context, conv, SwitchLanguage(rest), full_result=True)
        return
    if kind == "show" and rest == RESULT and conv.session.state == RESULT:
        await query.answer()
        await remove_keyboard(query.message)
        await continue_dialogue(update, context, conv, Show(), full_result=True)
        return
    if kind == "pdf" and rest == RESULT:
        await query.answer()
        await send_report(update, context, conv)
        return
    if kind == "del" and rest in ("yes", "no"):
        await query.answer()
        await remove_keyboard(query.message)
        if rest == "yes":
            conv.storage.forget(CHANNEL, conv.user_id)
            await send_html(
                context,
                query.message.chat.id if query.message else conv.user_id,
                HTML.escape(t(msg("All your data has been deleted. Send /start to begin anew."))),
            )
        else:
            await continue_dialogue(
                update, context, conv, Show(), HTML.escape(t(msg("Nothing was deleted.")))
            )
        return
    if kind == "tips" and "on_tips_button" in context.bot_data:
        await context.bot_data["on_tips_button"](update, context, conv, rest)
        return
    event = button_event(kind, rest, conv.session)
    await query.answer()
    if event is None:
        await continue_dialogue(
            update,
            context,
            conv,
            Show(),
            "⚠️ "
            + HTML.escape(t(msg("That button belongs to an earlier message. Here is where you are now."))),
        )
        return
    await remove_keyboard(query.message)
    await continue_dialogue(update, context, conv, event)


def button_event(kind: str, rest: str, session: Session) -> Event | None:
    """The engine event a button stands for, or None when the data is forged or stale."""
    if kind == "c":
        question_id, _, key = rest.partition("|")
        if question_id not in QUESTION_BY_ID or not key:
            return None
        return Choose(question_id, key)  # the engine refuses a choice of another question
    if kind in ("b", "r", "ok") and rest != session.state:
        return None
    if kind == "b":
        return Back()
    if kind == "r":
        return Restart()
    if kind == "ok":
        return Confirm()
    if kind == "e" and rest in QUESTION_BY_ID and session.state == SUMMARY:
        return Edit(rest)
    return None


async def remove_keyboard(message: Any) -> None:
    """Take the buttons off an answered message so old buttons cannot be pressed again."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    with contextlib.suppress(TelegramError):  # already edited, too old to edit, or not supported
        await message.edit_reply_markup(reply_markup=None)


# --- PDF report ---------------------------------------------------------------------------------------------


@serialized
async def report(update: Update, context: Context) -> None:
    """Send the result as a PDF report."""
    await send_report(update, context, await _conversation(update, context))


async def send_report(update: Update, context: Context, conv: Conversation) -> None:
    """Build the report on the chart thread and send it as a document; without a result, say how to get one."""
    chat = update.effective_chat
    assert chat is not None
    t = conv.t
    if conv.session.state != RESULT:
        await send_html(
            context,
            chat.id,
            HTML.escape(
                t(msg("The report is ready once you have your result. Send /start to continue the check."))
            ),
        )
        return
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    checked_on = check_date(conv)
    try:
        pdf = await draw_off_loop(build_report, evaluate(conv.session.answers), t.language, checked_on)
    except (OSError, ValueError, RuntimeError) as error:
        log.warning("Report could not be built: %s", type(error).__name__)
        await send_html(
            context,
            chat.id,
            HTML.escape(t(msg("Sorry, the report could not be created. Please try again later."))),
        )
        return
    await context.bot.send_document(
        chat.id,
        io.BytesIO(pdf),
        filename=report_filename(checked_on),
        caption=t(
            msg(
                "Your check as a PDF report, to keep or forward. It contains no name and no Telegram details."
            )
        ),
    )


def check_date(conv: Conversation) -> date:
    """The day of the stored result (German time); today when none is stored."""
    latest = conv.storage.latest_results(conv.respondent_id, limit=1)
    if not latest:
        return datetime.now(REPORT_TIMEZONE).date()
    return datetime.fromisoformat(latest[0]["created_at"]).astimezone(REPORT_TIMEZONE).date()


REPORT_TIMEZONE = ZoneInfo("Europe/Berlin")


# --- navigation ---------------------------------------------------------------------------------------------


@serialized
async def back(update: Update, context: Context) -> None:
    """Go back one question."""
    conv = await _conversation(update, context)
    await continue_dialogue(update, context, conv, Back())


@serialized
async def restart(update: Update, context: Context) -> None:
    """Forget the answers and start again."""
    conv = await _conversation(update, context)
    await continue_dialogue(update, context, conv, Restart())


@serialized
async def language(update: Update, context: Context) -> None:
    """Offer German and English."""
    conv = await _conversation(update, context)
    chat = update.effective_chat
    assert chat is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🇩🇪 Deutsch", callback_data="l|de"),
                InlineKeyboardButton("🇬🇧 English", callback_data="l|en"),
            ]
        ]
    )
    await send_html(context, chat.id, HTML.escape(conv.t(msg("Which language would you like?"))), keyboard)


@serialized
async def help_command(update: Update, context: Context) -> None:
    """Explain what the bot does and list the commands."""
    conv = await _conversation(update, context)
    chat = update.effective_chat
    assert chat is not None
    await send_html(context, chat.id, help_text(conv.t))
    if chat.type == Chat.PRIVATE and conv.consent is not None:
        await show_reply(update, context, conv, conv.current())


def help_text(t: Translator) -> str:
    lines = [
        HTML.bold(HTML.escape(t(msg("KMU Digital-Berater")))),
        HTML.escape(
            t(
                msg(
                    "I ask 11 short questions and tell you your company's EU SME category and "
                    "concrete steps to close its digital gap. Answer with the buttons or type."
                )
            )
        ),
        "",
    ]
    for command, description in (*PRIVATE_COMMANDS, *TIP_COMMANDS):
        lines.append(f"/{command} – {HTML.escape(t(description))}")
    return "\n".join(lines)


@serialized
async def privacy(update: Update, context: Context) -> None:
    """Say who stores what, why, for how long, and the user's rights."""
    conv = await _conversation(update, context)
    chat = update.effective_chat
    assert chat is not None
    operator = context.bot_data.get("privacy_contact") or conv.t(msg("the operator of this bot"))
    text = conv.t(
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
    await send_html(context, chat.id, HTML.escape(text))


@serialized
async def mydata(update: Update, context: Context) -> None:
    """Send everything stored about the user as a JSON document."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    storage = storage_of(context)
    data = storage.personal_data(CHANNEL, user.id)
    document = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    language = (data.get("session") or {}).get("language") or language_for(user.language_code)
    t = Translator(language)
    await context.bot.send_document(
        chat.id, io.BytesIO(document), filename="my-data.json", caption=t(msg("Everything stored about you."))
    )


@serialized
async def deletedata(update: Update, context: Context) -> None:
    """Ask for confirmation before erasing everything stored about the user."""
    conv = await _conversation(update, context)
    chat = update.effective_chat
    assert chat is not None
    t = conv.t
    keyboard = InlineKeyboardMarkup(
        [[_button(t, msg("Yes, delete everything"), "del|yes"), _button(t, msg("Cancel"), "del|no")]]
    )
    await send_html(
        context,
        chat.id,
        HTML.escape(
            t(
                msg(
                    "Delete your answers, results and the link to your Telegram account? This cannot be undone."
                )
            )
        ),
        keyboard,
    )


@serialized
async def unsupported_message(update: Update, context: Context) -> None:
    """Explain that only text answers are understood, then ask the current question again."""
    conv = await _conversation(update, context)
    notice = HTML.escape(conv.t(msg("I can only read text. Please type your answer or use the buttons.")))
    await continue_dialogue(update, context, conv, Show(), "⚠️ " + notice)


@serialized
async def edited_message(update: Update, context: Context) -> None:
    """Explain that edits are not taken into account."""
    conv = await _conversation(update, context)
    notice = HTML.escape(
        conv.t(
            msg(
                "I cannot take an edited message into account. To change an answer, "
                "use Back or send the new answer as a new message."
            )
        )
    )
    await continue_dialogue(update, context, conv, Show(), "⚠️ " + notice)


@serialized
async def unknown_command(update: Update, context: Context) -> None:
    """Point to /help, then ask the current question again."""
    conv = await _conversation(update, context)
    notice = HTML.escape(conv.t(msg("I don't know that command. /help lists what I can do.")))
    await continue_dialogue(update, context, conv, Show(), "⚠️ " + notice)


# --- groups -------------------------------------------------------------------------------------


async def group_start(update: Update, context: Context) -> None:
    """In a group: the check runs privately, so offer a button that opens the private chat."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None
    t = Translator(language_for(user.language_code if user else None))
    username = context.bot.username
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(msg("Start the check in a private chat")), url=f"https://t.me/{username}?start=group"
                )
            ]
        ]
    )
    await context.bot.send_message(
        chat.id,
        t(msg("The digital check runs in a private chat, so your answers stay private.")),
        reply_markup=keyboard,
    )


# --- errors -------------------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """Log without personal data and reassure the user that their answers are safe."""
    error = context.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        storage_of(context).mark_blocked(CHANNEL, update.effective_user.id)
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
