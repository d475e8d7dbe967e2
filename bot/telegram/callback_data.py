"""One codec for the data of every inline button: how it is written, and the pattern each handler is routed by.

Telegram allows at most 64 bytes of callback data; ``encode`` refuses more.
"""

from __future__ import annotations

import re

from bot.outcome import Pressed
from dialogs import relations
from dialogs.events import Back, Choose, Confirm, Edit, Restart, Show
from dialogs.questions import QUESTION_BY_ID
from dialogs.session import RESULT, SUMMARY

MAX_BYTES = 64
SEPARATOR = "|"

# Routed to their own handlers; everything else goes to the dialogue's button handler.
CONSENT = re.compile(r"^cons\|(?P<consent>[01])$")
LANGUAGE = re.compile(r"^l\|(?P<language>de|en)$")
DELETE = re.compile(r"^del\|(?P<answer>yes|no)$")
PRIVACY_CONSENT = re.compile(r"^pc\|(?P<consent>[01])$")
TIPS = re.compile(r"^tips\|on$")
REPORT = re.compile(r"^pdf\|result$")
DECLARATION = re.compile(r"^decl\|result$")
BROADCAST = re.compile(r"^bc\|(?P<action>ok|no)\|(?P<draft>\d{1,18})$")  # an id SQLite can hold
BROADCAST_ANY = re.compile(r"^bc\|")  # a malformed one is answered "no longer open"
VIEW = re.compile(r"^rv\|(?P<view>home|plan|size|cmp)$")  # a part of the result, in place
STEP = re.compile(r"^st\|(?P<step>[a-z0-9_]{1,40})$")  # tick a step off (or open it again)
BRIEF_REPORT = re.compile(r"^rv\|pdf$")  # the report, once per result
FOLLOWUP = re.compile(
    r"^fu\|(?P<action>offer|yes|no|list|stopall|stop|retest|skip|done|later)(?:\|(?P<arg>[a-z0-9_]{1,40}))?$"
)


def encode(*parts: str | int) -> str:
    data = SEPARATOR.join(str(part) for part in parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def choose(question_id: str, key: str) -> str:
    return encode("c", question_id, key)


def back(state: str) -> str:
    return encode("b", state)


def edit(question_id: str) -> str:
    return encode("e", question_id)


def confirm() -> str:
    return encode("ok", SUMMARY)


def restart() -> str:
    return encode("r", RESULT)


def show_result() -> str:
    return encode("show", RESULT)


def report() -> str:
    return encode("pdf", RESULT)


def declaration() -> str:
    return encode("decl", RESULT)


def consent(yes: bool) -> str:
    return encode("cons", int(yes))


def language(code: str) -> str:
    return encode("l", code)


def delete(yes: bool) -> str:
    return encode("del", "yes" if yes else "no")


def privacy_consent(yes: bool) -> str:
    """Give (or withdraw) consent later, from the privacy notice."""
    return encode("pc", int(yes))


def tips_on() -> str:
    return encode("tips", "on")


def view(name: str) -> str:
    return encode("rv", name)


def step(step_id: str) -> str:
    return encode("st", step_id)


def brief_report() -> str:
    return encode("rv", "pdf")


def followup(action: str, arg: str | int | None = None) -> str:
    return encode("fu", action) if arg is None else encode("fu", action, arg)


def broadcast(action: str, draft_id: int) -> str:
    return encode("bc", action, draft_id)


def decode_dialogue(data: str) -> Pressed | None:
    """The dialogue event a button stands for, with the state it was offered in; None when forged."""
    kind, _, rest = data.partition(SEPARATOR)
    if kind == "c":
        question_id, _, key = rest.partition(SEPARATOR)
        known = question_id in QUESTION_BY_ID or relations.is_screen_id(question_id)
        if not known or not key:
            return None
        return Pressed(Choose(question_id, key))  # the engine refuses a choice of another question
    if kind == "b" and rest:
        return Pressed(Back(), offered_in=rest)
    if kind == "r" and rest:
        return Pressed(Restart(), offered_in=rest)
    if kind == "ok" and rest:
        return Pressed(Confirm(), offered_in=rest)
    if kind == "e" and rest in QUESTION_BY_ID:
        return Pressed(Edit(rest), offered_in=SUMMARY)
    if kind == "show" and rest == RESULT:
        return Pressed(Show(), offered_in=RESULT)
    return None


def is_dialogue(data: object) -> bool:
    """Whether a button's data is one of the questionnaire's (a handler pattern)."""
    return isinstance(data, str) and decode_dialogue(data) is not None
