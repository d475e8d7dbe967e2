"""The command menus and descriptions, sent to Telegram only when they changed since the last start.

Every start used to make 14 Bot API calls for them. Their content (texts in every language, the admins,
the bot) is hashed; the hash of what Telegram last accepted is kept in a small file beside the database
(``<DATABASE_PATH>.menus``, no personal data), and an unchanged hash means nothing is sent. An admin's own
menu is set at start and again at the admin's /start: Telegram refuses a menu for a chat that does not
exist yet, so an admin who had not started the bot gets the menu with the first /start, not only after a
restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.commands import ADMIN_COMMANDS, GROUP_COMMANDS, PRIVATE_COMMANDS, TIP_COMMANDS, Commands
from bot.i18n import LANGUAGES, Translator
from bot.telegram.introduction import LANGUAGE_CODES, descriptions, set_descriptions

log = logging.getLogger(__name__)

EVERYONE = (*PRIVATE_COMMANDS, *TIP_COMMANDS)


def state_path(database_path: str) -> Path:
    return Path(database_path + ".menus").expanduser()


def fingerprint(bot_id: int, admin_ids: Iterable[int]) -> str:
    """A hash of everything the menus and descriptions say, for this bot and these admins."""
    content: list[object] = [bot_id, sorted(admin_ids)]
    for code in LANGUAGE_CODES:
        t = Translator(code or "en")
        for commands in (EVERYONE, GROUP_COMMANDS, ADMIN_COMMANDS):
            content.append([(name, t(text)) for name, text in commands])
        content.append(descriptions(code or "en"))
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


async def set_public_menus(bot: Bot) -> bool:
    """The private and the group menu in German, English and a default; False when Telegram refused one."""
    ok = True
    for language in (None, *LANGUAGES):
        t = Translator(language or "en")
        for scope, commands in (
            (BotCommandScopeAllPrivateChats(), EVERYONE),
            (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        ):
            menu = [BotCommand(name, t(description)) for name, description in commands]
            try:
                await bot.set_my_commands(menu, scope=scope, language_code=language)
            except TelegramError as error:  # a menu is a convenience: the bot works without it
                log.warning("Command menu not set (%s): %s", language or "default", type(error).__name__)
                ok = False
    return ok


async def set_admin_commands(bot: Bot, admin_ids: Iterable[int], commands: Commands) -> None:
    """Show ``commands`` plus the admin commands in each admin's private chat, in German, English and a default.

    An admin who never started the bot has no chat yet: Telegram refuses, and the admin's /start sets it.
    """
    listed = (*commands, *ADMIN_COMMANDS)
    for admin_id in sorted(admin_ids):
        try:
            for language in (None, *LANGUAGES):
                t = Translator(language or "en")
                await bot.set_my_commands(
                    [BotCommand(name, t(text)) for name, text in listed],
                    scope=BotCommandScopeChat(admin_id),
                    language_code=language,
                )
        except TelegramError as error:
            log.warning(
                "Admin command menu not set for one admin (%s); has that admin started the bot?",
                type(error).__name__,
            )


async def publish_menus(bot: Bot, database_path: str, admin_ids: frozenset[int]) -> bool:
    """Send the menus and descriptions when they differ from what Telegram last accepted; True when sent."""
    path = state_path(database_path)
    wanted = fingerprint(bot.id, admin_ids)
    try:
        if path.read_text().strip() == wanted:
            log.info("Command menus and descriptions unchanged since the last start; not sent again")
            return False
    except OSError:
        pass  # first start, or the file was removed: send everything
    accepted = await set_public_menus(bot)
    accepted = await set_descriptions(bot) and accepted
    if admin_ids:
        # An admin who never started the bot is refused here and gets the menu at the first /start.
        await set_admin_commands(bot, admin_ids, EVERYONE)
    if accepted and database_path != ":memory:":
        try:
            path.write_text(wanted + "\n")
        except OSError as error:
            log.warning(
                "Could not remember the menus' hash (%s); they are sent again at the next start", error
            )
    return True


async def show_admin_menu(bot: Bot, admin_id: int, shown: set[int]) -> None:
    """Set an admin's menu once per process, at the admin's /start (their chat exists now)."""
    if admin_id in shown:
        return
    shown.add(admin_id)
    await set_admin_commands(bot, (admin_id,), EVERYONE)
