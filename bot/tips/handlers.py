"""Weekly tips for private chats, groups and channels, and admin broadcasts (issue 4).

The tip catalogue is localized content under ``locales/<language>/tips.toml``. Subscriptions are stored per
chat; scheduled runs and admin broadcasts go through ``TipBroadcaster``, which paces and records every send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.broadcast import BroadcastProgress, ChatPacer, TipBroadcaster
from bot.config import Config
from bot.i18n import LANGUAGES, LOCALES_DIR, Translator
from bot.rendering import HTML
from bot.storage import Storage
from dialogs.engine import language_for
from dialogs.text import Text, msg, nmsg

log = logging.getLogger(__name__)

TOPICS = ("website", "social_media_strategy", "referral_marketing", "monitoring", "budget", "support")
SIZE_CLASSES = ("micro", "small", "medium", "small_midcap", "large")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GERMAN_WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
CHANNEL = "telegram"  # identities of private users, as bot.telegram_handlers stores them
ADMIN_STATUSES = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
Context = CallbackContext[Any, Any, Any, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


# --- the catalogue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tip:
    """One concrete thing to do this week, why, and how to measure it."""

    id: str
    topic: str
    sizes: tuple[str, ...]
    title: str
    do: str
    why: str
    measure: str


class CatalogueError(ValueError):
    """The tip catalogue of a language is malformed."""


@cache
def load_catalogue(language: str) -> tuple[Tip, ...]:
    """The tips of ``language`` in delivery order (topics interleaved), read from its tips.toml."""
    path = LOCALES_DIR / language / "tips.toml"
    with path.open("rb") as toml_file:
        data = tomllib.load(toml_file)
    tips: list[Tip] = []
    for entry in data.get("tip", []):
        try:
            tip = Tip(
                id=str(entry["id"]),
                topic=str(entry["topic"]),
                sizes=tuple(entry.get("sizes", ())),
                title=str(entry["title"]).strip(),
                do=str(entry["do"]).strip(),
                why=str(entry["why"]).strip(),
                measure=str(entry["measure"]).strip(),
            )
        except KeyError as error:
            raise CatalogueError(f"{path}: a tip lacks {error}") from error
        if tip.topic not in TOPICS or not set(tip.sizes) <= set(SIZE_CLASSES):
            raise CatalogueError(f"{path}: tip {tip.id!r} has an unknown topic or size class")
        tips.append(tip)
    if len({tip.id for tip in tips}) != len(tips):
        raise CatalogueError(f"{path}: tip ids are not unique")
    return interleave_topics(tips)


def interleave_topics(tips: Sequence[Tip]) -> tuple[Tip, ...]:
    """Order tips round-robin over topics, so that two tips in a row are rarely about the same thing."""
    by_topic = {topic: [tip for tip in tips if tip.topic == topic] for topic in TOPICS}
    ordered: list[Tip] = []
    while any(by_topic.values()):
        for topic in TOPICS:
            if by_topic[topic]:
                ordered.append(by_topic[topic].pop(0))
    return tuple(ordered)


def tip_by_id(language: str, tip_id: str) -> Tip | None:
    return next((tip for tip in load_catalogue(language) if tip.id == tip_id), None)


def next_tip(tips: Sequence[Tip], seen: set[str], size_class: str | None) -> tuple[Tip, bool]:
    """The first tip not yet seen that suits the size class; ``True`` when a new round has to begin."""
    suitable = [tip for tip in tips if size_class is None or not tip.sizes or size_class in tip.sizes]
    for tip in suitable:
        if tip.id not in seen:
            return tip, False
    return suitable[0], True


def render_tip(tip: Tip, language: str, *, footer: Text | None) -> str:
    """A tip as one HTML message."""
    t = Translator(language)
    lines = [
        "💡 " + HTML.bold(HTML.escape(tip.title)),
        "",
        HTML.bold(HTML.escape(t(msg("This week:")))) + " " + HTML.escape(tip.do),
        "",
        HTML.bold(HTML.escape(t(msg("Why:")))) + " " + HTML.escape(tip.why),
        "",
        HTML.bold(HTML.escape(t(msg("How to measure it:")))) + " " + HTML.escape(tip.measure),
    ]
    if footer is not None:
        lines += ["", f"<i>{HTML.escape(t(footer))}</i>"]
    return "\n".join(lines)


def footer_for(chat_id: int, kind: str | None) -> Text | None:
    if chat_id > 0:
        return msg("/tips off stops these tips.")
    if kind == "channel":
        return None
    return msg("Group administrators can stop these tips with /unsubscribe.")


# --- schedules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    kind: str  # daily or weekly
    weekday: int  # 0 = Monday
    at: str  # HH:MM

    def describe(self, t: Translator) -> str:
        if self.kind == "daily":
            return t(msg("daily at {time}", time=self.at))
        day = t(WEEKDAY_NAMES[self.weekday])
        return t(msg("weekly on {weekday} at {time}", weekday=day, time=self.at))


WEEKDAY_NAMES = (
    msg("Monday"),
    msg("Tuesday"),
    msg("Wednesday"),
    msg("Thursday"),
    msg("Friday"),
    msg("Saturday"),
    msg("Sunday"),
)
DEFAULT_SCHEDULE = Schedule("weekly", 0, "09:00")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_schedule(words: Sequence[str]) -> Schedule:
    """Read "weekly mon 09:00", "daily 08:30", "wöchentlich di 9:15", "täglich 7.45"; raises ValueError."""
    words = [word.lower().strip(",") for word in words]
    if not words:
        raise ValueError("empty")
    kind = {"weekly": "weekly", "wöchentlich": "weekly", "daily": "daily", "täglich": "daily"}.get(words[0])
    if kind is None:
        raise ValueError(words[0])
    rest = words[1:]
    weekday = 0
    if kind == "weekly" and rest and not _TIME.match(rest[0]):
        day = rest.pop(0)[:3]
        if day[:3] in WEEKDAYS:
            weekday = WEEKDAYS.index(day[:3])
        elif day[:2] in GERMAN_WEEKDAYS:
            weekday = GERMAN_WEEKDAYS.index(day[:2])
        else:
            raise ValueError(day)
    at = DEFAULT_SCHEDULE.at
    if rest:
        match = _TIME.match(rest.pop(0))
        if match is None:
            raise ValueError("time")
        at = f"{int(match.group(1)):02d}:{match.group(2)}"
    if rest:
        raise ValueError(rest[0])
    return Schedule(kind, weekday if kind == "weekly" else 0, at)


def schedule_of(subscription: dict[str, Any]) -> Schedule:
    kind = subscription["schedule"]
    return Schedule(kind, int(subscription["weekday"] or 0) if kind == "weekly" else 0, subscription["at"])


def ensure_slot_job(application: AnyApplication, schedule: Schedule) -> None:
    """Make sure a daily/weekly job runs the tips of ``schedule``'s slot (one job serves every chat in it)."""
    queue = application.job_queue
    if queue is None:
        log.warning("No job queue: scheduled tips are off (install python-telegram-bot[job-queue])")
        return
    name = f"tips:{schedule.kind}:{schedule.weekday}:{schedule.at}"
    if queue.get_jobs_by_name(name):
        return
    config: Config = application.bot_data["config"]
    hours, minutes = (int(part) for part in schedule.at.split(":"))
    when = time(hours, minutes, tzinfo=ZoneInfo(config.timezone))
    # PTB counts days from Sunday = 0; our weekdays start with Monday = 0.
    days = tuple(range(7)) if schedule.kind == "daily" else ((schedule.weekday + 1) % 7,)
    queue.run_daily(_tip_slot_job, when, days=days, name=name, data=schedule)


async def _tip_slot_job(context: Context) -> None:
    """Prepare and send this slot's tips."""
    assert context.job is not None
    schedule: Schedule = context.job.data  # type: ignore[assignment]
    config: Config = context.application.bot_data["config"]
    day = datetime.now(ZoneInfo(config.timezone)).date().isoformat()
    await start_tip_run(context.application, schedule, day)


def prepare_tip_deliveries(storage: Storage, subscriptions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Choose each chat's next unseen tip in its language (private chats: suited to their size class)."""
    deliveries = []
    for subscription in subscriptions:
        chat_id = int(subscription["chat_id"])
        language = subscription["language"] if subscription["language"] in LANGUAGES else "de"
        size_class = storage.latest_size_class(CHANNEL, chat_id) if chat_id > 0 else None
        tip, new_round = next_tip(load_catalogue(language), storage.seen_tips(chat_id), size_class)
        if new_round:
            storage.forget_seen_tips(chat_id)
        deliveries.append({"chat_id": chat_id, "tip_id": tip.id, "language": language})
    return deliveries


async def start_tip_run(application: AnyApplication, schedule: Schedule, day: str) -> int | None:
    """Start the run of one slot on one day; a second call for the same slot and day does nothing."""
    storage: Storage = application.bot_data["storage"]
    subscriptions = storage.subscriptions_in_slot(schedule.kind, schedule.weekday, schedule.at)
    if not subscriptions:
        return None
    run_key = f"tips:{schedule.kind}:{schedule.weekday}:{schedule.at}:{day}"
    broadcast_id = storage.create_broadcast(
        "tips", prepare_tip_deliveries(storage, subscriptions), run_key=run_key
    )
    if broadcast_id is not None:
        log.info("Tip run %d started for %d chats", broadcast_id, len(subscriptions))
        await run_broadcast(application, broadcast_id)
    return broadcast_id


# --- sending runs -------------------------------------------------------------------------------------


def broadcaster_of(application: AnyApplication) -> TipBroadcaster:
    """The application's one broadcaster, sending through a bot without PTB's rate limiter.

    AIORateLimiter pauses every request on any 429 and retries on its own; the broadcaster paces itself
    (a little below Telegram's limits) and lets only the refused chat wait.
    """
    broadcaster: TipBroadcaster | None = application.bot_data.get("tip_broadcaster")
    if broadcaster is None:
        storage: Storage = application.bot_data["storage"]
        config: Config | None = application.bot_data.get("config")
        bot = application.bot
        if config is not None and config.token:
            bot = Bot(
                config.token,
                base_url=config.api_base_url,
                base_file_url=config.api_file_url,
                request=application.bot.request,
            )
        # Only for benchmarks against a Bot API fake whose limits are scaled by the same factor.
        time_scale = float(os.environ.get("TIPS_BROADCAST_TIME_SCALE", "") or 1.0)
        pacer = application.bot_data.get("tip_pacer") or ChatPacer(time_scale=time_scale)
        broadcaster = TipBroadcaster(
            storage,
            bot,
            pacer=pacer,
            on_blocked=lambda chat_id: storage.unsubscribe_tips(chat_id, reason="blocked"),
            on_migrated=storage.migrate_tip_chat,
        )
        application.bot_data["tip_broadcaster"] = broadcaster
    return broadcaster


def render_delivery(storage: Storage, broadcast: dict[str, Any]) -> Any:
    def render(row: dict[str, Any]) -> str | None:
        if broadcast["kind"] == "admin":
            return str(broadcast["text"])
        tip = tip_by_id(row["language"], row["tip_id"])
        if tip is None:
            return None
        chat_id = int(row["target_chat_id"])
        kind = None
        if chat_id < 0:
            subscription = storage.tip_subscription(chat_id)
            kind = subscription["kind"] if subscription else None
        return render_tip(tip, row["language"], footer=footer_for(chat_id, kind))

    return render


async def run_broadcast(application: AnyApplication, broadcast_id: int) -> BroadcastProgress | None:
    """Send a run's pending deliveries; an admin broadcast reports progress in its status message."""
    storage: Storage = application.bot_data["storage"]
    broadcast = storage.broadcast(broadcast_id)
    if broadcast is None:
        return None
    broadcaster = broadcaster_of(application)
    on_progress = None
    if broadcast["kind"] == "admin" and broadcast["status_chat_id"]:
        on_progress = _status_editor(application, broadcast)
    progress = await broadcaster.run(
        broadcast_id, render_delivery(storage, broadcast), on_progress=on_progress
    )
    log.info(
        "Run %d finished: %d sent, %d failed, %d blocked, %d uncertain",
        broadcast_id,
        progress.sent,
        progress.failed,
        progress.blocked,
        progress.uncertain,
    )
    if broadcast["kind"] == "admin" and broadcast["status_chat_id"]:
        t = Translator(_admin_language(storage, broadcast))
        await broadcaster.pacer.acquire(int(broadcast["status_chat_id"]))  # counts against the limits
        await application.bot.send_message(
            broadcast["status_chat_id"], HTML.escape(t(final_report(progress))), parse_mode=ParseMode.HTML
        )
    return progress


def _admin_language(storage: Storage, broadcast: dict[str, Any]) -> str:
    """The language the admin who started a broadcast uses with the bot."""
    respondent = storage.find_respondent(CHANNEL, int(broadcast["created_by"] or 0))
    session = storage.load_session(respondent) if respondent else None
    return str(session["language"]) if session and session.get("language") in LANGUAGES else "de"


def progress_text(progress: BroadcastProgress) -> Text:
    return msg(
        "Sending… {done} of {total}\nsent: {sent} · failed: {failed} · blocked: {blocked}\n"
        "about {seconds} s left",
        done=progress.done,
        total=progress.total,
        sent=progress.sent,
        failed=progress.failed,
        blocked=progress.blocked,
        seconds=progress.seconds_left,
    )


def final_report(progress: BroadcastProgress) -> Text:
    return msg(
        "Broadcast finished: {sent} of {total} delivered, {failed} failed, {blocked} blocked the bot, "
        "{uncertain} uncertain (interrupted, not repeated), {migrated} followed to a new group id.",
        sent=progress.sent,
        total=progress.total,
        failed=progress.failed,
        blocked=progress.blocked,
        uncertain=progress.uncertain,
        migrated=progress.migrated,
    )


def _status_editor(application: AnyApplication, broadcast: dict[str, Any]) -> Any:
    storage: Storage = application.bot_data["storage"]
    t = Translator(_admin_language(storage, broadcast))
    chat_id = int(broadcast["status_chat_id"])
    message_id = int(broadcast["status_message_id"])
    pacer = broadcaster_of(application).pacer

    async def edit(progress: BroadcastProgress) -> None:
        await pacer.acquire(chat_id)
        try:
            await application.bot.edit_message_text(
                HTML.escape(t(progress_text(progress))),
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as error:  # a missed progress update is harmless
            log.debug("Status message not edited: %s", type(error).__name__)

    return edit


def _start_in_background(application: AnyApplication, broadcast_id: int) -> None:
    tasks: set[asyncio.Task[Any]] = application.bot_data.setdefault("tip_tasks", set())
    task = asyncio.get_running_loop().create_task(run_broadcast(application, broadcast_id))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


# --- who may do what ----------------------------------------------------------------------------------


def is_bot_admin(context: Context, user_id: int | None) -> bool:
    config: Config | None = context.bot_data.get("config")
    return user_id is not None and config is not None and user_id in config.admin_ids


async def is_chat_admin(update: Update, context: Context) -> bool:
    """Whether the sender administers the group (anonymous admins write as the group itself)."""
    chat = update.effective_chat
    message = update.effective_message
    user = update.effective_user
    if chat is None or user is None:
        return False
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in ADMIN_STATUSES


def _storage(context: Context) -> Storage:
    return context.bot_data["storage"]


def _language(update: Update, context: Context) -> str:
    """The user's chosen language in a private chat, else their Telegram language."""
    user = update.effective_user
    if user is None:
        return "de"
    storage = _storage(context)
    respondent = storage.find_respondent(CHANNEL, user.id)
    session = storage.load_session(respondent) if respondent else None
    if session and session.get("language") in LANGUAGES:
        return str(session["language"])
    return language_for(user.language_code)


async def _reply(
    update: Update, context: Context, text: Text, language: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id, HTML.escape(Translator(language)(text)), parse_mode=ParseMode.HTML, reply_markup=markup
    )


# --- handlers: subscriptions ------------------------------------------------------------------------


def subscribed_text(schedule: Schedule, language: str) -> Text:
    return msg(
        "Tips are on: {schedule}. Change it with /tips weekly mon 09:00 or /tips daily 08:30; "
        "/tips off stops them.",
        schedule=schedule.describe(Translator(language)),
    )


async def on_tips_button(update: Update, context: Context, conv: Any, rest: str) -> None:
    """The result's "Send me tips" button: subscribe the private chat in the user's language."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    language = conv.session.language
    await _subscribe(update, context, "private", language)


async def _subscribe(update: Update, context: Context, kind: str, language: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    storage = _storage(context)
    storage.subscribe_tips(chat.id, kind=kind, language=language)
    subscription = storage.tip_subscription(chat.id)
    assert subscription is not None
    schedule = schedule_of(subscription)
    ensure_slot_job(context.application, schedule)
    await _reply(update, context, subscribed_text(schedule, language), language)


async def tips_command(update: Update, context: Context) -> None:
    """Switch tips on or off, set their schedule or language, or show the current setting."""
    chat = update.effective_chat
    assert chat is not None
    language = _language(update, context)
    args = [arg.lower() for arg in (context.args or [])]
    in_group = chat.type in (Chat.GROUP, Chat.SUPERGROUP)
    storage = _storage(context)
    subscription = storage.tip_subscription(chat.id)
    if subscription is not None and in_group:
        language = subscription["language"]
    if not args:
        if subscription is None or not subscription["active"]:
            hint = (
                msg("Tips are off. An administrator can switch them on with /subscribe.")
                if in_group
                else msg("Tips are off. /tips on sends you one concrete tip a week.")
            )
            await _reply(update, context, hint, language)
        else:
            await _reply(update, context, subscribed_text(schedule_of(subscription), language), language)
        return
    if in_group and not await is_chat_admin(update, context):
        await _reply(update, context, msg("Only group administrators can change the tips."), language)
        return
    if args[0] in ("on", "an", "ein"):
        await _subscribe(update, context, chat.type, language)
        return
    if args[0] in ("off", "aus"):
        await _unsubscribe(update, context, language)
        return
    if args[0] in LANGUAGES and len(args) == 1:
        if subscription is None:
            await _reply(update, context, msg("Please switch the tips on first."), args[0])
            return
        storage.set_tip_language(chat.id, args[0])
        confirmation = (
            msg("Tips will come in English.") if args[0] == "en" else msg("Tips will come in German.")
        )
        await _reply(update, context, confirmation, args[0])
        return
    try:
        schedule = parse_schedule(args)
    except ValueError:
        await _reply(
            update,
            context,
            msg(
                "I did not understand that. Examples: /tips on, /tips off, /tips weekly mon 09:00, "
                "/tips daily 08:30, /tips de"
            ),
            language,
        )
        return
    if subscription is None or not subscription["active"]:
        storage.subscribe_tips(
            chat.id,
            kind=chat.type,
            language=language,
            schedule=schedule.kind,
            weekday=schedule.weekday,
            at=schedule.at,
        )
    storage.set_tip_schedule(chat.id, schedule=schedule.kind, weekday=schedule.weekday, at=schedule.at)
    ensure_slot_job(context.application, schedule)
    await _reply(update, context, subscribed_text(schedule, language), language)


async def subscribe_command(update: Update, context: Context) -> None:
    """Subscribe this chat; in a group only an administrator may."""
    chat = update.effective_chat
    assert chat is not None
    language = _language(update, context)
    if context.args and context.args[0].lower() in LANGUAGES:
        language = context.args[0].lower()
    if chat.type != Chat.PRIVATE and not await is_chat_admin(update, context):
        await _reply(
            update, context, msg("Only group administrators can subscribe this group to tips."), language
        )
        return
    await _subscribe(update, context, chat.type, language)


async def unsubscribe_command(update: Update, context: Context) -> None:
    """Stop the tips in this chat; in a group only an administrator may."""
    chat = update.effective_chat
    assert chat is not None
    language = _language(update, context)
    if chat.type != Chat.PRIVATE and not await is_chat_admin(update, context):
        await _reply(update, context, msg("Only group administrators can stop the tips."), language)
        return
    await _unsubscribe(update, context, language)


async def _unsubscribe(update: Update, context: Context, language: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    _storage(context).unsubscribe_tips(chat.id)
    await _reply(update, context, msg("Tips are off. You will receive no more tips here."), language)


# --- handlers: admin ---------------------------------------------------------------------------------


async def addchannel_command(update: Update, context: Context) -> None:
    """Register a channel for tips after checking that the bot may post there."""
    user = update.effective_user
    language = _language(update, context)
    if not is_bot_admin(context, user.id if user else None):
        await _reply(update, context, msg("This command is for the bot's administrators."), language)
        return
    args = context.args or []
    if not args:
        await _reply(update, context, msg("Usage: /addchannel @channelname [de|en]"), language)
        return
    reference: str | int = (
        args[0]
        if args[0].startswith("@")
        else (int(args[0]) if re.fullmatch(r"-?\d+", args[0]) else "@" + args[0])
    )
    channel_language = args[1].lower() if len(args) > 1 and args[1].lower() in LANGUAGES else language
    try:
        chat = await context.bot.get_chat(reference)
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError:
        await _reply(
            update,
            context,
            msg("I cannot find that channel. Add me to it as an administrator first, then try again."),
            language,
        )
        return
    may_post = member.status == ChatMember.OWNER or (
        member.status == ChatMember.ADMINISTRATOR and bool(getattr(member, "can_post_messages", False))
    )
    if chat.type != Chat.CHANNEL or not may_post:
        await _reply(
            update,
            context,
            msg(
                "I am not an administrator with the right to post in that channel. Please give me that right "
                "and try again."
            ),
            language,
        )
        return
    _storage(context).subscribe_tips(chat.id, kind="channel", language=channel_language)
    subscription = _storage(context).tip_subscription(chat.id)
    assert subscription is not None
    ensure_slot_job(context.application, schedule_of(subscription))
    await _reply(
        update,
        context,
        msg(
            "The channel {name} now receives tips {schedule}.",
            name=chat.title or str(chat.id),
            schedule=schedule_of(subscription).describe(Translator(language)),
        ),
        language,
    )


async def broadcast_command(update: Update, context: Context) -> None:
    """Ask an admin for the broadcast text, or take the message this command replies to."""
    user = update.effective_user
    message = update.effective_message
    assert message is not None
    language = _language(update, context)
    if user is None or not is_bot_admin(context, user.id):
        await _reply(update, context, msg("This command is for the bot's administrators."), language)
        return
    replied = message.reply_to_message
    if replied is not None and replied.text:
        await _preview(update, context, replied.text_html, language)
        return
    assert context.user_data is not None
    context.user_data["awaiting_broadcast"] = True
    await _reply(update, context, msg("Send me the text of the broadcast (or /cancel)."), language)


async def capture_broadcast_text(update: Update, context: Context) -> None:
    """Take an admin's next text as the broadcast draft (only while one was asked for)."""
    if not context.user_data or not context.user_data.pop("awaiting_broadcast", False):
        return
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.strip().lower()
    if command.startswith("/") and command != "/cancel":
        return  # another command ends the wait and is handled as usual
    if command in ("/cancel", "cancel", "abbrechen"):
        await _reply(update, context, msg("Broadcast cancelled."), _language(update, context))
    else:
        await _preview(update, context, message.text_html, _language(update, context))
    raise ApplicationHandlerStop


async def _preview(update: Update, context: Context, text_html: str, language: str) -> None:
    user = update.effective_user
    assert user is not None
    storage = _storage(context)
    draft_id = storage.create_broadcast("admin", [], text=text_html, created_by=user.id, status="draft")
    recipients = len(storage.active_tip_subscriptions())
    t = Translator(language)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(msg("✅ Send")), callback_data=f"bc|ok|{draft_id}"),
                InlineKeyboardButton(t(msg("Cancel")), callback_data=f"bc|no|{draft_id}"),
            ]
        ]
    )
    chat = update.effective_chat
    assert chat is not None
    question = t(
        nmsg(
            "Send the message above to {n} subscribed chat?",
            "Send the message above to {n} subscribed chats?",
            recipients,
        )
    )
    # One message (preview and question), since a private chat takes about one message a second.
    await context.bot.send_message(
        chat.id,
        f"{text_html}\n\n— — —\n<b>{HTML.escape(question)}</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def on_broadcast_button(update: Update, context: Context) -> None:
    """Confirm or cancel a broadcast draft."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    parts = (query.data or "").split("|")
    action = parts[1] if len(parts) > 1 else ""
    draft = parts[2] if len(parts) > 2 else ""
    await query.answer()
    storage = _storage(context)
    language = _language(update, context)
    broadcast = storage.broadcast(int(draft)) if draft.isdigit() else None
    if (
        user is None
        or not is_bot_admin(context, user.id)
        or broadcast is None
        or broadcast["status"] != "draft"
        or broadcast["created_by"] != user.id
    ):
        await _reply(update, context, msg("This broadcast is no longer open."), language)
        return
    if query.message is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(query.message.chat.id, query.message.message_id)
    broadcast_id = int(broadcast["id"])
    if action != "ok":
        storage.set_broadcast_status(broadcast_id, "cancelled")
        await _reply(update, context, msg("Broadcast cancelled."), language)
        return
    deliveries = [
        {"chat_id": int(s["chat_id"]), "language": s["language"]} for s in storage.active_tip_subscriptions()
    ]
    storage.add_deliveries(broadcast_id, deliveries)
    chat = update.effective_chat
    assert chat is not None
    await broadcaster_of(context.application).pacer.acquire(chat.id)
    status = await context.bot.send_message(
        chat.id,
        HTML.escape(
            Translator(language)(progress_text(broadcaster_of(context.application).progress(broadcast_id)))
        ),
        parse_mode=ParseMode.HTML,
    )
    storage.set_broadcast_status_message(broadcast_id, chat.id, status.message_id)
    storage.set_broadcast_status(broadcast_id, "running")
    _start_in_background(context.application, broadcast_id)


# --- wiring ------------------------------------------------------------------------------------------


def register_tip_handlers(application: AnyApplication) -> None:
    """Add the tip and broadcast handlers; call before the catch-all handlers of the dialogue."""
    config: Config | None = application.bot_data.get("config")
    admins = sorted(config.admin_ids) if config else []
    private = filters.ChatType.PRIVATE
    add = application.add_handler
    add(CommandHandler("tips", tips_command, filters=private | filters.ChatType.GROUPS))
    add(CommandHandler("subscribe", subscribe_command, filters=private | filters.ChatType.GROUPS))
    add(CommandHandler("unsubscribe", unsubscribe_command, filters=private | filters.ChatType.GROUPS))
    add(CommandHandler("addchannel", addchannel_command, filters=private))
    add(CommandHandler("broadcast", broadcast_command, filters=private))
    add(CallbackQueryHandler(on_broadcast_button, pattern=r"^bc\|"))
    # Runs before the dialogue's text handler; it stops further handling only when it took the text.
    add(
        MessageHandler(private & filters.TEXT & filters.User(user_id=admins), capture_broadcast_text),
        group=-1,
    )
    application.bot_data["tips_enabled"] = True
    application.bot_data["on_tips_button"] = on_tips_button


async def post_init_tips(application: AnyApplication) -> None:
    """Rebuild the schedule jobs from the database and resume interrupted runs."""
    storage: Storage = application.bot_data["storage"]
    for kind, weekday, at in storage.tip_slots():
        ensure_slot_job(application, Schedule(kind, weekday, at))
    for broadcast in storage.unfinished_broadcasts():
        uncertain = broadcaster_of(application).resume_interrupted(int(broadcast["id"]))
        log.info("Resuming run %d after a restart (%d sends left uncertain)", broadcast["id"], uncertain)
        _start_in_background(application, int(broadcast["id"]))
