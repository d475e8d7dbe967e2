"""Sending to Telegram: long HTML split into messages that fit, screens edited into place, keyboards taken off.

Retries of failed requests happen below, in ``bot.telegram.request``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Generic, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.warnings import PTBUserWarning

from bot.i18n import Translator
from bot.outcome import Respondent
from bot.rendering import HTML
from bot.telegram.services import CHANNEL, Context
from dialogs.text import Text

log = logging.getLogger(__name__)


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split at paragraph or line boundaries so each part fits into one Telegram message."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        current = line
    if current:
        parts.append(current)
    return parts


# PTB suggests its typed methods; these are called through do_api_request on purpose (see send_html and bot.telegram.photos).
warnings.filterwarnings(
    "ignore",
    r"Please use 'Bot\.(sendMessage|editMessageText|sendPhoto|answerCallbackQuery)'",
    PTBUserWarning,
    "bot.telegram.send",
)

# Sent as they are: the JSON of a keyboard is made once per keyboard, and no reply is parsed into PTB objects.
NO_LINK_PREVIEW = json.dumps({"is_disabled": True})


_Keyed = TypeVar("_Keyed", InlineKeyboardMarkup, InlineKeyboardButton, tuple[InlineKeyboardButton, ...])


class _ByIdentity(Generic[_Keyed]):
    """JSON of keyboards and buttons by the object's identity. The screens' keyboards and the result's shared
    buttons are built once (``bot.telegram.keyboards``, ``bot.telegram.views``) and come again as the same
    object, and hashing one to find it by equality hashes every field (of every button)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[int, tuple[_Keyed, str]] = OrderedDict()

    def get(
        self, item: _Keyed, make: Callable[[_Keyed], str], keep: Callable[[_Keyed], bool] = lambda _: True
    ) -> str:
        """The item's JSON; made by ``make`` on a miss and kept only if ``keep(item)`` (an item made for one user
        would never come again, and keeping it would hold the object and its text for nothing)."""
        kept = self._kept.get(id(item))
        if kept is not None and kept[0] is item:  # the entry holds the object, so its id is not reused
            self._kept.move_to_end(id(item))
            return kept[1]
        text = make(item)
        if keep(item):
            self._kept[id(item)] = (item, text)
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return text


_MARKUPS: _ByIdentity[InlineKeyboardMarkup] = _ByIdentity(512)
_BUTTONS: _ByIdentity[InlineKeyboardButton] = _ByIdentity(2048)
# Rows built once and shared by keyboards that differ per user (the result's, ``bot.telegram.views``): PTB keeps
# a row that is a tuple as the same object, so its JSON is found by identity instead of button by button (a
# fifth of the cost). Rows made for one user (the plan's ticks) pass through; 128 bound what they can hold.
_ROWS: _ByIdentity[tuple[InlineKeyboardButton, ...]] = _ByIdentity(128)
# A link button's fields besides its text and address: when none is set, its JSON is written directly.
_NOT_LINK_FIELDS = tuple(name for name in InlineKeyboardButton.__slots__ if name not in ("text", "url"))


def markup_json(markup: InlineKeyboardMarkup) -> str:
    """A keyboard as the Bot API takes it; the screens' keyboards repeat for every user, so once each.

    A keyboard that differs per user (the result's, with its share link) is made of buttons that repeat:
    those are serialized once each, which is a quarter of the cost of ``to_dict`` on the whole keyboard.
    A link button is made for one user (the share link carries the user's code), so neither it nor a keyboard
    holding it is kept: 200 results kept ~1.4 MB of such keyboards, buttons and texts that never came again.
    """
    return _MARKUPS.get(markup, _markup_json, _without_links)


def _without_links(markup: InlineKeyboardMarkup) -> bool:
    return all(_row_kept(row) for row in markup.inline_keyboard)


def _markup_json(markup: InlineKeyboardMarkup) -> str:
    return (
        '{"inline_keyboard":['
        + ",".join(_ROWS.get(row, _row_json, _row_kept) for row in markup.inline_keyboard)
        + "]}"
    )


def _row_json(row: tuple[InlineKeyboardButton, ...]) -> str:
    return "[" + ",".join(_button_json(button) for button in row) + "]"


def _row_kept(row: tuple[InlineKeyboardButton, ...]) -> bool:
    return not any(button.url for button in row)  # a link is made for one user (see ``markup_json``)


def _button_json(button: InlineKeyboardButton) -> str:
    if button.url:
        if button.api_kwargs or any(getattr(button, name) is not None for name in _NOT_LINK_FIELDS):
            return _serialized(button)
        return json.dumps({"text": button.text, "url": button.url}, ensure_ascii=False, separators=(",", ":"))
    return _BUTTONS.get(button, button_json)


@lru_cache(maxsize=2048)
def button_json(button: InlineKeyboardButton) -> str:
    """A button as the Bot API takes it (equal buttons built anew, e.g. the language keyboard's, hit here)."""
    return _serialized(button)


def _serialized(button: InlineKeyboardButton) -> str:
    return json.dumps(button.to_dict(), ensure_ascii=False, separators=(",", ":"))


def html_params(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> dict[str, object]:
    params: dict[str, object] = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": NO_LINK_PREVIEW,
    }
    if markup is not None:
        params["reply_markup"] = markup_json(markup)
    return params


async def send_html(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send (possibly several) HTML messages; the keyboard goes with the last one.

    The calls go through ``Bot.do_api_request`` (rate limiter and error mapping included), which leaves
    Telegram's answer as JSON: nothing here reads the sent message back, and parsing it into PTB objects
    was the largest single cost of an answer.
    """
    parts = split_message(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await context.bot.do_api_request("sendMessage", html_params(chat_id, part, markup if last else None))


async def show_in_place(
    context: Context, chat_id: int, message: object, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit ``message`` (the one whose button was pressed) into this screen: one call instead of two.

    When Telegram refuses the edit (too old to edit, deleted, a photo) or the screen needs more than one
    message, the screen is sent as a new message instead. "Not modified" means the message shows this screen
    already (a retried edit whose first answer was lost): sending it again would show it twice.
    """
    if (
        isinstance(message, Message)
        and message.text is not None
        and len(text) <= MessageLimit.MAX_TEXT_LENGTH
    ):
        params = html_params(chat_id, text, markup)
        params["message_id"] = message.message_id
        try:
            await context.bot.do_api_request("editMessageText", params)
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return  # it shows this screen already: an edit whose answer was lost, retried
        else:
            return
    await send_html(context, chat_id, text, markup)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner, with ``text`` as a toast. A refusal ("query is too old" after downtime)
    does not stop the handler: the press itself is still taken."""
    params: dict[str, object] = {"callback_query_id": query.id}
    if text is not None:
        params["text"] = text
    try:  # as screens are sent: PTB's typed method costs as much again in argument handling
        await query.get_bot().do_api_request("answerCallbackQuery", params)
    except TelegramError as error:
        log.info("Button press not acknowledged (%s): %s", type(error).__name__, error.message)


async def remove_keyboard(message: object) -> None:
    """Take the buttons off an answered message so old buttons cannot be pressed again."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    with contextlib.suppress(TelegramError):  # already edited, too old to edit, or not supported
        await message.edit_reply_markup(reply_markup=None)


def user_language(update: Update, context: Context) -> str:
    """The user's chosen language with the bot, else their Telegram language."""
    user = update.effective_user
    if user is None:
        return "de"
    return context.bot_data.advisor.language_of(Respondent(CHANNEL, user.id, user.language_code))


async def reply_text(
    update: Update, context: Context, text: Text, language: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer in the update's chat with one short HTML message."""
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id, HTML.escape(Translator(language)(text)), parse_mode=ParseMode.HTML, reply_markup=markup
    )
