"""Read the committed gettext catalogs in tests."""

from __future__ import annotations

import ast
import string
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "locales"


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


def source_msgids(module: str) -> set[str]:
    """The literal msgids of ``msg(...)`` calls in a module of the project (path relative to the root)."""
    tree = ast.parse((LOCALES.parent / module).read_text(encoding="utf-8"))
    return {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "msg"
        and isinstance(node.args[0], ast.Constant)
    }


def placeholders(text: str) -> set[str]:
    """The names of the brace placeholders in a message."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
