"""How the bot introduces itself before the first /start: its command menus, description and short description.

Telegram shows the description in an empty chat and the short description on the bot's profile and in
shared links; all are set per language (German, English and a default for everyone else).
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError

from bot.commands import GROUP_COMMANDS, PRIVATE_COMMANDS, TIP_COMMANDS
from bot.i18n import LANGUAGES, Translator
from dialogs.questions import QUESTIONS
from dialogs.text import msg

log = logging.getLogger(__name__)

DESCRIPTION = msg(
    "I tell small and medium-sized companies their size class under the EU definition and a plan to close"
    " their digital gap: up to {count} short questions, about 3 minutes, with a PDF report at the end.\n\n"
    "Stored: your answers and results under a random number, linked to your Telegram account (pseudonymous)."
    " Used for statistics only with your consent. /privacy explains the details, /deletedata deletes"
    " everything.",
    count=len(QUESTIONS),
)
SHORT_DESCRIPTION = msg(
    "Your EU SME size class and a plan for your next digital steps: about 3 minutes, with a PDF report."
)

# The default (no language code) is English, like the command menus.
LANGUAGE_CODES: tuple[str | None, ...] = (None, "de", "en")


def descriptions(language: str) -> tuple[str, str]:
    """The description and the short description in ``language`` (the tests keep them within the limits)."""
    t = Translator(language)
    return t(DESCRIPTION), t(SHORT_DESCRIPTION)


async def set_descriptions(bot: Bot) -> None:
    """Set both descriptions in every language; a Bot API that refuses them does not stop the start."""
    for code in LANGUAGE_CODES:
        description, short = descriptions(code or "en")
        try:
            await bot.set_my_description(description, language_code=code)
            await bot.set_my_short_description(short, language_code=code)
        except TelegramError as error:  # a description is a courtesy: the bot works without it
            log.warning("Bot description not set (%s): %s", code or "default", type(error).__name__)


async def introduce(bot: Bot) -> None:
    """Register the command menus and both descriptions in German, English and a default."""
    await set_command_menus(bot)
    await set_descriptions(bot)


async def set_command_menus(bot: Bot) -> None:
    """The commands of private and of group chats, per language; a refused menu does not stop the rest."""
    for language in (None, *LANGUAGES):
        t = Translator(language or "en")
        for scope, commands in (
            (BotCommandScopeAllPrivateChats(), (*PRIVATE_COMMANDS, *TIP_COMMANDS)),
            (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        ):
            menu = [BotCommand(name, t(description)) for name, description in commands]
            try:
                await bot.set_my_commands(menu, scope=scope, language_code=language)
            except TelegramError as error:  # a menu is a convenience: the bot works without it
                log.warning("Command menu not set (%s): %s", language or "default", type(error).__name__)
