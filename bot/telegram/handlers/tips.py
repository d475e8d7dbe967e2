"""Tip subscriptions in private chats and groups: /tips, /subscribe, /unsubscribe and the result's tips button."""

from __future__ import annotations

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError

from bot.i18n import LANGUAGES, Translator
from bot.telegram.jobs import ensure_slot_job
from bot.telegram.locks import serialized
from bot.telegram.send import answer_query, reply_text, user_language
from bot.telegram.services import Context
from bot.tips.schedule import Schedule, parse_schedule, schedule_of
from dialogs.text import Text, msg

ADMIN_STATUSES = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


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


def subscribed_text(schedule: Schedule, language: str) -> Text:
    return msg(
        "Tips are on: {schedule}. Change it with /tips weekly mon 09:00 or /tips daily 08:30; "
        "/tips off stops them.",
        schedule=schedule.describe(Translator(language)),
    )


@serialized
async def on_tips_button(update: Update, context: Context) -> None:
    """The result's "Send me tips" button: subscribe the private chat in the user's language."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    await _subscribe(update, context, "private", user_language(update, context))


async def _subscribe(update: Update, context: Context, kind: str, language: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    storage = context.bot_data.storage
    storage.tips.subscribe_tips(chat.id, kind=kind, language=language)
    subscription = storage.tips.tip_subscription(chat.id)
    assert subscription is not None
    schedule = schedule_of(subscription)
    ensure_slot_job(context.application, schedule)
    await reply_text(update, context, subscribed_text(schedule, language), language)


async def tips_command(update: Update, context: Context) -> None:
    """Switch tips on or off, set their schedule or language, or show the current setting."""
    chat = update.effective_chat
    assert chat is not None
    language = user_language(update, context)
    args = [arg.lower() for arg in (context.args or [])]
    in_group = chat.type in (Chat.GROUP, Chat.SUPERGROUP)
    storage = context.bot_data.storage
    subscription = storage.tips.tip_subscription(chat.id)
    if subscription is not None and in_group:
        language = subscription["language"]
    if not args:
        if subscription is None or not subscription["active"]:
            hint = (
                msg("Tips are off. An administrator can switch them on with /subscribe.")
                if in_group
                else msg("Tips are off. /tips on sends you one concrete tip a week.")
            )
            await reply_text(update, context, hint, language)
        else:
            await reply_text(update, context, subscribed_text(schedule_of(subscription), language), language)
        return
    if in_group and not await is_chat_admin(update, context):
        await reply_text(update, context, msg("Only group administrators can change the tips."), language)
        return
    if args[0] in ("on", "an", "ein"):
        await _subscribe(update, context, chat.type, language)
        return
    if args[0] in ("off", "aus"):
        await _unsubscribe(update, context, language)
        return
    if args[0] in LANGUAGES and len(args) == 1:
        if subscription is None:
            await reply_text(update, context, msg("Please switch the tips on first."), args[0])
            return
        storage.tips.set_tip_language(chat.id, args[0])
        confirmation = (
            msg("Tips will come in English.") if args[0] == "en" else msg("Tips will come in German.")
        )
        await reply_text(update, context, confirmation, args[0])
        return
    try:
        schedule = parse_schedule(args)
    except ValueError:
        await reply_text(
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
        storage.tips.subscribe_tips(
            chat.id,
            kind=chat.type,
            language=language,
            schedule=schedule.kind,
            weekday=schedule.weekday,
            at=schedule.at,
        )
    storage.tips.set_tip_schedule(chat.id, schedule=schedule.kind, weekday=schedule.weekday, at=schedule.at)
    ensure_slot_job(context.application, schedule)
    await reply_text(update, context, subscribed_text(schedule, language), language)


async def subscribe_command(update: Update, context: Context) -> None:
    """Subscribe this chat; in a group only an administrator may."""
    chat = update.effective_chat
    assert chat is not None
    language = user_language(update, context)
    if context.args and context.args[0].lower() in LANGUAGES:
        language = context.args[0].lower()
    if chat.type != Chat.PRIVATE and not await is_chat_admin(update, context):
        await reply_text(
            update, context, msg("Only group administrators can subscribe this group to tips."), language
        )
        return
    await _subscribe(update, context, chat.type, language)


async def unsubscribe_command(update: Update, context: Context) -> None:
    """Stop the tips in this chat; in a group only an administrator may."""
    chat = update.effective_chat
    assert chat is not None
    language = user_language(update, context)
    if chat.type != Chat.PRIVATE and not await is_chat_admin(update, context):
        await reply_text(update, context, msg("Only group administrators can stop the tips."), language)
        return
    await _unsubscribe(update, context, language)


async def _unsubscribe(update: Update, context: Context, language: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    context.bot_data.storage.tips.unsubscribe_tips(chat.id)
    await reply_text(update, context, msg("Tips are off. You will receive no more tips here."), language)
