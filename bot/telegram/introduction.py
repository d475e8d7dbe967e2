"""How the bot introduces itself before the first /start: its description and short description.

Telegram shows the description in an empty chat and the short description on the bot's profile and in
shared links; both are set per language (German, English and a default for everyone else).
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.i18n import Translator
from dialogs.questions import MOST_ASKED
from dialogs.text import msg

log = logging.getLogger(__name__)

DESCRIPTION = msg(
    "I tell small and medium-sized companies their size class under the EU definition and a plan to close"
    " their digital gap: up to {count} short questions, about 4 minutes, with a PDF report at the end.\n\n"
    "Stored: your answers and results under a random number, linked to your Telegram account (pseudonymous)."
    " Used for statistics only with your consent. /privacy explains the details, /deletedata deletes"
    " everything.",
    count=MOST_ASKED,
)
SHORT_DESCRIPTION = msg(
    "Your EU SME size class and a plan for your next digital steps: about 4 minutes, with a PDF report."
)

# The default (no language code) is English, like the command menus.
LANGUAGE_CODES: tuple[str | None, ...] = (None, "de", "en")


def descriptions(language: str) -> tuple[str, str]:
    """The description and the short description in ``language`` (the tests keep them within the limits)."""
    t = Translator(language)
    return t(DESCRIPTION), t(SHORT_DESCRIPTION)


async def set_descriptions(bot: Bot) -> bool:
    """Set both descriptions in every language; a Bot API that refuses them does not stop the start.
    False when one was refused."""
    ok = True
    for code in LANGUAGE_CODES:
        description, short = descriptions(code or "en")
        try:
            await bot.set_my_description(description, language_code=code)
            await bot.set_my_short_description(short, language_code=code)
        except TelegramError as error:  # a description is a courtesy: the bot works without it
            log.warning("Bot description not set (%s): %s", code or "default", type(error).__name__)
            ok = False
    return ok
