"""Localizable text as plain data: the engine returns these, the channels translate and format them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Union


@dataclass(frozen=True)
class Money:
    """An amount in euros, formatted by the channel with babel in the reader's locale."""

    amount: Decimal
    compact: bool = True


@dataclass(frozen=True)
class Percent:
    """A share in percent points (15 means 15 %), formatted with babel."""

    points: Decimal


@dataclass(frozen=True)
class Number:
    """A plain number (e.g. staff in annual work units), formatted with babel."""

    value: Decimal


@dataclass(frozen=True)
class Day:
    """A calendar date, written out by the channel in the reader's language ("1. Januar 2027")."""

    value: date


Arg = Union[str, int, Money, Percent, Number, Day, "Text"]


@dataclass(frozen=True)
class Text:
    """A gettext message id (English source text) with brace-style arguments.

    Build them with ``msg`` and ``nmsg``, which pybabel knows as extraction keywords.
    Arguments that are themselves ``Text`` are translated before they are inserted.
    """

    msgid: str
    args: Mapping[str, Arg] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None


def msg(msgid: str, **args: Arg) -> Text:
    """Mark ``msgid`` for translation and attach its arguments: ``msg("Question {i}", i=3)``."""
    return _text(msgid, args, None, None)


def nmsg(singular: str, plural: str, n: int, **args: Arg) -> Text:
    """Mark a text whose form depends on ``n`` (available to the message as ``{n}``)."""
    return _text(singular, {"n": n, **args}, plural, n)


_new_object = object.__new__


def _text(msgid: str, args: Mapping[str, Arg], plural: str | None, n: int | None) -> Text:
    """``Text(msgid, args, plural, n)``, filled in directly: one result builds dozens of texts, and a frozen
    dataclass's ``__init__`` pays an ``object.__setattr__`` call per field (this takes half the time)."""
    text: Text = _new_object(Text)
    fields = text.__dict__
    fields["msgid"], fields["args"], fields["plural"], fields["n"] = msgid, args, plural, n
    return text


class InvalidAnswer(ValueError):
    """An answer the advisor cannot accept; ``reason`` tells the user why, in their language."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason.msgid)
        self.reason = reason


# The languages the advisor speaks, defined once for every module and channel.
LANGUAGES = ("de", "en")


def language_for(code: str | None, default: str = "en") -> str:
    """The advisor's language for a Telegram or POSIX language code: ``de*`` is German, ``en*`` English, and
    anything else (or no code) ``default``."""
    text = (code or "").strip().lower()
    for language in LANGUAGES:
        if text.startswith(language):
            return language
    return default if default in LANGUAGES else "en"
