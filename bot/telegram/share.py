"""The link that shares the bot with a colleague, carrying the respondent's share code."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from bot.i18n import Translator
from bot.telegram.services import Context
from dialogs.text import msg


def share_url(context: Context, share_code: str | None, t: Translator) -> str | None:
    """The share link of a share code (None without one, or before the bot knows its username)."""
    username = context.bot.username if context.bot else None
    if not username or share_code is None:
        return None
    deep_link = f"https://t.me/{username}?start=ref_{share_code}"
    return f"https://t.me/share/url?url={quote(deep_link, safe='')}&text={_quoted_invitation(t.language)}"


@lru_cache(maxsize=8)
def _quoted_invitation(language: str) -> str:
    """The invitation's text as the link carries it: the same for everyone of a language."""
    return quote(
        Translator(language)(msg("How digital is your company? This free check takes 4 minutes:")), safe=""
    )
