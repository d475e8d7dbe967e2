"""Read the committed gettext catalogs in tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"


@cache
def german_messages() -> dict[str, str]:
    """msgid → German text of every translated, non-fuzzy message in the German catalog."""
    with (LOCALES / "de" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="de")
    return {
        message.id: message.string
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }
