"""The link that shares the bot with a colleague, carrying the respondent's share code."""

from __future__ import annotations

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
    text = t(msg("How digital is your company? This free check takes 4 minutes:"))
    return f"https://t.me/share/url?url={quote(deep_link, safe='')}&text={quote(text, safe='')}"
