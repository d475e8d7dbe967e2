"""/addchannel: an admin registers a channel for tips once the bot may post there."""

from __future__ import annotations

import re

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError

from bot.i18n import LANGUAGES, Translator
from bot.telegram.access import admin_only
from bot.telegram.jobs import ensure_slot_job
from bot.telegram.send import reply_text, user_language
from bot.telegram.services import Context
from bot.tips.schedule import schedule_of
from dialogs.text import msg


@admin_only
async def addchannel_command(update: Update, context: Context) -> None:
    """Register a channel for tips after checking that the bot may post there."""
    language = user_language(update, context)
    args = context.args or []
    if not args:
        await reply_text(update, context, msg("Usage: /addchannel @channelname [de|en]"), language)
        return
    reference: str | int = (
        args[0]
        if args[0].startswith("@")
        else (int(args[0]) if re.fullmatch(r"-?\d{1,18}", args[0]) else "@" + args[0])
    )
    channel_language = args[1].lower() if len(args) > 1 and args[1].lower() in LANGUAGES else language
    try:
        chat = await context.bot.get_chat(reference)
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError:
        await reply_text(
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
        await reply_text(
            update,
            context,
            msg(
                "I am not an administrator with the right to post in that channel. Please give me that right "
                "and try again."
            ),
            language,
        )
        return
    storage = context.bot_data.storage
    storage.tips.subscribe_tips(chat.id, kind="channel", language=channel_language)
    subscription = storage.tips.tip_subscription(chat.id)
    assert subscription is not None
    ensure_slot_job(context.application, schedule_of(subscription))
    await reply_text(
        update,
        context,
        msg(
            "The channel {name} now receives tips {schedule}.",
            name=chat.title or str(chat.id),
            schedule=schedule_of(subscription).describe(Translator(language)),
        ),
        language,
    )
