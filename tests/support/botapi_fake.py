"""A local fake of the Telegram Bot API for end-to-end tests and broadcast benchmarks.

The fake speaks the Bot API over HTTP on 127.0.0.1 (stdlib only), so the real bot — started as
``run_bot.py`` with ``TELEGRAM_API_BASE_URL=fake.base_url`` or as an in-process PTB ``Application`` with
``base_url(fake.base_url)`` — long-polls it exactly as it would poll Telegram. Tests play users
(``fake.user(42).send("/start")``), observe what the bot sends (``user.wait_reply()``), and inject faults
(``fake.inject("sendMessage", error=429)``) or Telegram's flood limits (``fake.enforce_limits()``).

Behaviour follows https://core.telegram.org/bots/api; the deliberate simplifications are listed in
``BotApiFake``'s docstring. A typical end-to-end test::

    with BotApiFake("123:ABC", bot_username="KmuBot") as fake:
        anna = fake.user(42, first_name="Anna", language_code="de")
        start_bot(base_url=fake.base_url, base_file_url=fake.base_file_url)  # however the bot starts
        anna.send("/start")
        question = anna.wait_reply(timeout=10)
        anna.press_button_text("Ja")
        assert "KMU" in anna.wait_reply()["text"]
        assert all(call.ok for call in fake.calls("sendMessage"))

In async tests that run the bot in the same event loop, use the ``*_async`` waits instead.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import copy
import html
import itertools
import json
import logging
import math
import mimetypes
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeAlias

from tests.support.load import scaled

__all__ = [
    "ApiError",
    "BotApiFake",
    "CallRecord",
    "FakeChat",
    "FakeUser",
    "Fault",
    "format_text",
    "tiny_png",
]

_LOGGER = logging.getLogger(__name__)

JSONDict: TypeAlias = dict[str, Any]
ChatRef: TypeAlias = "int | str | FakeUser | FakeChat"

MAX_TEXT_LENGTH = 4096  # counted in Unicode code points, as Telegram does (entity offsets use UTF-16)
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
GET_UPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: GET_UPDATES_CONFLICT,
    500: "Internal Server Error",
    502: "Bad Gateway",
}

# Update types a bot receives when allowed_updates is empty or was never set.
_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_DEFAULT_ALLOWED_UPDATES = _UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# Methods whose successful calls count against the flood limits.
_SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendSticker",
        "sendVideoNote",
    }
)

# Parameter decoding: form and multipart bodies carry every value as a string.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
        "media",
        "message_ids",
        "rights",
        "reaction",
    }
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "user_id",
        "offset",
        "limit",
        "from_chat_id",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
        "max_connections",
        "duration",
        "width",
        "height",
        "until_date",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "is_anonymous",
        "for_channels",
        "disable_content_type_detection",
        "revoke_messages",
        "only_if_banned",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status ``code``, ``description`` and optional ``parameters``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str, parameters: JSONDict | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}", parameters)


# --------------------------------------------------------------------------------------------------
# Text with entities: HTML, Markdown and MarkdownV2, the way Telegram strips markup from text.
# --------------------------------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _entity_error(detail: str) -> ApiError:
    return _bad_request(f"can't parse entities: {detail}")


class _TextBuilder:
    """Collects plain text and entities whose offsets are counted in UTF-16 code units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.pos += _utf16_len(text)

    def add(self, entity_type: str, start: int, **extra: Any) -> None:
        if self.pos > start:  # Telegram drops empty entities
            self.entities.append({"type": entity_type, "offset": start, "length": self.pos - start, **extra})

    def result(self) -> tuple[str, list[JSONDict]]:
        # Entities are collected as they close; reversed, an outer entity precedes an inner one of
        # the same span once sorted by offset.
        return "".join(self.parts), sorted(reversed(self.entities), key=lambda e: (e["offset"], -e["length"]))


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_HTML_ATTR = re.compile(r"([a-zA-Z_][a-zA-Z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")


def _parse_html(src: str) -> tuple[str, list[JSONDict]]:
    out = _TextBuilder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            m = _HTML_ENTITY.match(src, i)
            if m:
                if m[1]:
                    char = _HTML_NAMED[m[1]]
                else:
                    code_point = int(m[2]) if m[2] else int(m[3], 16)
                    char = chr(code_point) if 0 < code_point <= 0x10FFFF else m[0]
                out.emit(char)
                i = m.end()
                continue
            out.emit("&")
            i += 1
            continue
        if c != "<":
            out.emit(c)
            i += 1
            continue
        begin = i
        if src.startswith("</", i):
            end = src.find(">", i)
            if end < 0:
                raise _entity_error(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            name = src[i + 2 : end].strip().lower()
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            tag, start, tag_attrs = stack.pop()
            if name and name != tag:
                raise _entity_error(
                    f'Unmatched end tag at byte offset {_byte_offset(src, begin)}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            _close_html_tag(out, tag, start, tag_attrs, stack)
            i = end + 1
            continue
        m = _HTML_START_TAG.match(src, i)
        name = m[1].lower() if m else ""
        if m is None or name not in _HTML_TAGS:
            raise _entity_error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
        j = m.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise _entity_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            if src[j] == ">":
                j += 1
                break
            am = _HTML_ATTR.match(src, j)
            if am is None:
                raise _entity_error(
                    f'Empty attribute name in the tag "{name}" at byte offset {_byte_offset(src, j)}'
                )
            value = next((g for g in am.groups()[1:] if g is not None), "")
            attrs[am[1].lower()] = html.unescape(value)
            j = am.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _entity_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}'
            )
        stack.append((name, out.pos, attrs))
        i = j
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: _TextBuilder,
    tag: str,
    start: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
) -> None:
    entity_type = _HTML_TAGS[tag]
    extra: JSONDict = {}
    if tag == "a":
        href = attrs.get("href", "")
        if not href:
            return
        mention = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if mention:
            entity_type = "text_mention"
            extra["user"] = {"id": int(mention[1]), "is_bot": False, "first_name": ""}
        else:
            extra["url"] = href
    elif tag == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        css = attrs.get("class", "")
        if css.startswith("language-"):
            stack[-1][2]["\0language"] = css[len("language-") :]
        return
    elif tag == "pre" and attrs.get("\0language"):
        extra["language"] = attrs["\0language"]
    elif tag == "blockquote" and "expandable" in attrs:
        entity_type = "expandable_blockquote"
    elif tag == "tg-emoji":
        extra["custom_emoji_id"] = attrs.get("emoji-id", "")
    out.add(entity_type, start, **extra)


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Strip surrounding whitespace like Telegram does and shift the entities accordingly."""
    left = _utf16_len(text[: len(text) - len(text.lstrip())])
    stripped = text.strip()
    size = _utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(int(entity.get("offset", 0)) - left, 0)
        end = min(int(entity.get("offset", 0)) + int(entity.get("length", 0)) - left, size)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, result


def format_text(raw: Any, parse_mode: Any = None, entities: Any = None) -> tuple[str, list[JSONDict]]:
    """Return the plain text and entities Telegram would store for ``raw`` sent with ``parse_mode``."""
    if raw is None:
        return "", []
    source = str(raw)
    mode = str(parse_mode or "").lower()
    if mode == "":
        if entities is not None and not isinstance(entities, list):
            raise _bad_request("can't parse entities JSON object")
        text, found = source, [dict(e) for e in entities or [] if isinstance(e, dict)]
    elif mode == "html":
        text, found = _parse_html(source)
    else:
        raise _bad_request("unsupported parse_mode")
    return _trim(text, found)


_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def _command_entities(text: str) -> list[JSONDict]:
    return [
        {"type": "bot_command", "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m[0])}
        for m in _COMMAND_RE.finditer(text)
    ]


# --------------------------------------------------------------------------------------------------
# Files: uploads, image sizes, sample content.
# --------------------------------------------------------------------------------------------------


def tiny_png(width: int = 1, height: int = 1) -> bytes:
    """Return a valid white RGB PNG image of the given size (for photo uploads in tests)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF, BMP or WebP image; None when it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return width, abs(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        kind = data[12:16]
        if kind == b"VP8X":
            return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
        if kind == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in _JPEG_SOF:
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:
                i += 2 if marker != 0xFF else 1
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + length
    return None


@dataclass
class _Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None
    url: str | None = None


_MEDIA_KINDS = {
    # method -> (message field, file_path folder, default file extension)
    "sendPhoto": ("photo", "photos", ".jpg"),
    "sendDocument": ("document", "documents", ""),
}
_MAX_UPLOAD = {"photo": 10 * 1024 * 1024}
_MAX_UPLOAD_DEFAULT = 50 * 1024 * 1024


# --------------------------------------------------------------------------------------------------
# Records shared with tests.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRecord:
    """One request the bot made. ``time`` is ``time.monotonic()`` at completion; ``status`` 0 = dropped."""

    method: str
    params: JSONDict
    time: float
    chat_id: int | str | None
    status: int
    description: str | None = None
    result: Any = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Fault:
    """An injected failure; see ``BotApiFake.inject``. ``remaining`` None means it never runs out."""

    method: str | None
    error: int | str
    retry_after: int = 1
    remaining: int | None = 1
    chat_id: int | str | None = None
    description: str | None = None
    delay: float = 6.0
    takes_effect: bool | None = None
    hits: int = 0

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is None:
            if method in ("getUpdates", "getMe"):
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    @property
    def applies_effect(self) -> bool:
        """Whether the request still takes effect: by default yes for "timeout", no for "drop"."""
        if self.takes_effect is not None:
            return self.takes_effect
        return self.error == "timeout"


@dataclass
class _RandomFaults:
    rng: random.Random
    rate: float
    errors: tuple[int | str, ...]
    methods: frozenset[str] | None  # lower-case names; None = every method but getMe
    retry_after: int
    delay: float


@dataclass
class _Limits:
    global_per_second: float | None
    per_chat_per_second: float | None
    per_group_per_minute: float | None
    time_scale: float

    def allowed(self, base: float | None) -> int | None:
        return None if base is None else max(1, math.floor(base * self.time_scale))


@dataclass
class _Message:
    data: JSONDict
    from_bot: bool
    version: int = 0
    deleted: bool = False
    reply_keyboard: JSONDict | None = None  # a reply keyboard sent along (Telegram does not echo it)


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    bot_rights: dict[str, bool] = field(default_factory=dict)
    messages: dict[int, _Message] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    next_message_id: int = 1
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None
    reply_keyboard: tuple[int, JSONDict] | None = None
    sends_second: collections.deque[float] = field(default_factory=collections.deque)
    sends_minute: collections.deque[float] = field(default_factory=collections.deque)


def _inline_buttons(markup: JSONDict | None) -> list[JSONDict]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def _reply_keyboard_labels(markup: JSONDict | None) -> list[str]:
    if not markup or "keyboard" not in markup:
        return []
    return [b if isinstance(b, str) else str(b.get("text", "")) for row in markup["keyboard"] for b in row]


def _api(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        function._api_method = name  # type: ignore[attr-defined]
        return function

    return mark


class _Outcome:
    __slots__ = ("body", "delay", "drop", "status")

    def __init__(self, status: int, body: bytes | None, *, delay: float = 0.0, drop: bool = False) -> None:
        self.status = status
        self.body = body
        self.delay = delay
        self.drop = drop


# --------------------------------------------------------------------------------------------------
# The fake itself.
# --------------------------------------------------------------------------------------------------


class BotApiFake:
    """A thread-safe, in-memory Telegram Bot API served over HTTP on 127.0.0.1.

    Users and chats exist only once created (``user``, ``group``, ``channel``); sending to any other id
    answers "chat not found", as Telegram does. Message ids increase per chat and are shared by the user's
    and the bot's messages. In groups with ``privacy_mode`` (the default) the bot only receives commands,
    replies to its own messages and service messages, unless it is an administrator.

    Simplifications: no inline mode, payments, forum topics, media groups or business connections;
    methods the fake does not implement answer 404 "Not Found" like unknown methods (and log a warning).
    Webhooks may use plain ``http://`` URLs (Telegram insists on HTTPS) and get one update at a time.
    Entity parsing follows TDLib's rules closely but not byte for byte; of the entities Telegram
    detects by itself only ``bot_command`` is added, to user messages. Callback queries never expire.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "FakeTestBot",
        bot_first_name: str = "Fake Test Bot",
        privacy_mode: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = 1,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.privacy_mode = privacy_mode
        self._host = host
        self._port = port

        self._cond = threading.Condition(threading.RLock())
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()

        self._chats: dict[int, _Chat] = {}
        self._usernames: dict[str, int] = {}
        self._users: dict[int, FakeUser] = {}
        self._updates: collections.deque[tuple[int, JSONDict]] = collections.deque()
        self._next_update_id = first_update_id
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._poll_sequence = 0
        self._get_updates_arrivals = 0
        self._webhook: JSONDict | None = None
        self._webhook_error: tuple[int, str] | None = None

        self._sent: list[tuple[int, int]] = []  # every bot message in send order: (chat id, message id)
        self._events: list[tuple[int, int]] = []  # every bot send, edit or delete, for waiters
        self._calls: list[CallRecord] = []
        self._callbacks: dict[str, JSONDict] = {}
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}  # (field, language code) -> text

        self._faults: list[Fault] = []
        self._random_faults: _RandomFaults | None = None
        self._slow: dict[str | None, float] = {}
        self._limits: _Limits | None = None
        self._global_sends: collections.deque[float] = collections.deque()
        self._limit_violations = 0

        self._handlers: dict[str, tuple[str, Callable[[JSONDict, dict[str, _Upload]], Any]]] = {}
        for attribute in dir(type(self)):
            function = getattr(type(self), attribute)
            name = getattr(function, "_api_method", None)
            if name:
                self._handlers[name.lower()] = (name, getattr(self, attribute))

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> BotApiFake:
        """Start serving in background threads; returns self."""
        if self._server is not None:
            return self
        self._stop_event.clear()
        self._server = _Server((self._host, self._port), self)
        server = self._server
        serve = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.01), name="botapi-fake", daemon=True
        )
        webhook = threading.Thread(target=self._deliver_webhooks, name="botapi-fake-webhook", daemon=True)
        self._threads = [serve, webhook]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake every waiting request and close open connections."""
        server = self._server
        if server is None:
            return
        self._stop_event.set()
        with self._cond:
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        with self._cond:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> BotApiFake:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("BotApiFake is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What PTB's ``base_url`` expects: the token is appended to it."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ---------------------------------------------------------------- users and chats

    def user(
        self,
        user_id: int,
        first_name: str = "Anna",
        language_code: str | None = "de",
        username: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """Create a user who has started the bot; they act in their private chat.

        An id that exists already returns that user unchanged.
        """
        with self._cond:
            existing = self._users.get(user_id)
            if existing is not None:
                return existing
            user = FakeUser(self, user_id, first_name, language_code, username, last_name)
            self._users[user_id] = user
            self._chats[user_id] = _Chat(id=user_id, type="private", members={user_id: "member"})
            return user

    def group(
        self,
        chat_id: int,
        title: str = "Test group",
        type: str = "group",
        members: Mapping[int | FakeUser, str] | None = None,
        *,
        bot_status: str = "member",
        username: str | None = None,
    ) -> FakeChat:
        """Create a group or supergroup; ``members`` maps user ids to creator/administrator/member."""
        if type not in ("group", "supergroup"):
            raise ValueError("type must be 'group' or 'supergroup'")
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        with self._cond:
            chat = _Chat(id=chat_id, type=type, title=title, bot_status=bot_status)
            self._register(chat, username)
            for member, status in (members or {}).items():
                self._add_member(chat, member, status)
            if bot_status == "administrator":
                chat.bot_rights = self._admin_rights(chat)
            return FakeChat(self, chat_id)

    def channel(
        self,
        chat_id: int,
        username: str | None = None,
        title: str = "Test channel",
        *,
        bot_status: str = "administrator",
        can_post_messages: bool = True,
        members: Mapping[int | FakeUser, str] | None = None,
    ) -> FakeChat:
        """Create a channel; the bot posts there only as an administrator with ``can_post_messages``."""
        if chat_id >= 0:
            raise ValueError("channel chat ids are negative")
        with self._cond:
            chat = _Chat(id=chat_id, type="channel", title=title, bot_status=bot_status)
            self._register(chat, username)
            for member, status in (members or {}).items():
                self._add_member(chat, member, status)
            if bot_status == "administrator":
                chat.bot_rights = {**self._admin_rights(chat), "can_post_messages": can_post_messages}
            return FakeChat(self, chat_id)

    def _register(self, chat: _Chat, username: str | None) -> None:
        if chat.id in self._chats:
            raise ValueError(f"chat {chat.id} exists already")
        if username:
            chat.username = username.lstrip("@")
            self._usernames[chat.username.lower()] = chat.id
        self._chats[chat.id] = chat

    def _add_member(self, chat: _Chat, member: int | FakeUser, status: str) -> None:
        if status not in ("creator", "administrator", "member", "left", "kicked", "restricted"):
            raise ValueError(f"unknown member status {status!r}")
        user_id = member.id if isinstance(member, FakeUser) else int(member)
        if user_id not in self._users:
            self.user(user_id, first_name=f"User {user_id}")
        chat.members[user_id] = status

    def set_bot_status(
        self,
        chat: ChatRef,
        status: str,
        *,
        by: int | FakeUser | None = None,
        can_post_messages: bool | None = None,
        notify: bool = True,
    ) -> None:
        """Change the bot's membership (e.g. "administrator", "left") and emit a my_chat_member update."""
        with self._cond:
            state = self._chat(chat)
            old = self._bot_member(state)
            state.bot_status = status
            state.bot_rights = self._admin_rights(state) if status == "administrator" else {}
            if status == "administrator" and state.type == "channel":
                state.bot_rights["can_post_messages"] = (
                    True if can_post_messages is None else can_post_messages
                )
            if notify:
                actor = self._actor(state, by)
                self._my_chat_member(state, actor, old, self._bot_member(state))

    def block(self, user_id: int | FakeUser, *, notify: bool = True) -> None:
        """The user blocks the bot: every send to their chat answers 403 "bot was blocked by the user"."""
        self._set_blocked(user_id, True, notify)

    def unblock(self, user_id: int | FakeUser, *, notify: bool = True) -> None:
        self._set_blocked(user_id, False, notify)

    def _set_blocked(self, user_id: int | FakeUser, blocked: bool, notify: bool) -> None:
        with self._cond:
            chat = self._chat(user_id)
            if chat.blocked == blocked:
                return
            old = self._bot_member(chat)
            chat.blocked = blocked
            if notify:
                self._my_chat_member(chat, self._users[chat.id].as_dict(), old, self._bot_member(chat))

    def deactivate(self, user_id: int | FakeUser) -> None:
        """The user deleted their account: sends answer 403 "user is deactivated"."""
        with self._cond:
            self._chat(user_id).deactivated = True

    def migrate(self, group_chat_id: int | FakeChat, new_chat_id: int | None = None) -> FakeChat:
        """Upgrade a group to a supergroup; sends to the old id then answer 400 with migrate_to_chat_id."""
        with self._cond:
            old = self._chat(group_chat_id)
            if old.type != "group":
                raise ValueError("only basic groups can be migrated")
            new_id = new_chat_id if new_chat_id is not None else int(f"-100{abs(old.id)}")
            new = _Chat(
                id=new_id,
                type="supergroup",
                title=old.title,
                members=dict(old.members),
                bot_status=old.bot_status,
                bot_rights=dict(old.bot_rights),
            )
            self._register(new, None)
            old.migrated_to = new_id
            actor = self._actor(old, None)
            self._store_user_message(old, actor, {"migrate_to_chat_id": new_id})
            self._store_user_message(new, actor, {"migrate_from_chat_id": old.id})
            return FakeChat(self, new_id)

    # ---------------------------------------------------------------- observing

    def messages(
        self, chat_id: ChatRef, *, include_user: bool = False, include_deleted: bool = False
    ) -> list[JSONDict]:
        """The bot's messages in a chat (latest state, oldest first); optionally the users' messages too."""
        with self._cond:
            chat = self._chat(chat_id)
            return [
                copy.deepcopy(record.data)
                for record in chat.messages.values()
                if (include_user or record.from_bot) and (include_deleted or not record.deleted)
            ]

    def message(self, chat_id: ChatRef, message_id: int) -> JSONDict | None:
        with self._cond:
            record = self._chat(chat_id).messages.get(message_id)
            return copy.deepcopy(record.data) if record else None

    def last_message(self, chat_id: ChatRef) -> JSONDict | None:
        """The newest bot message in the chat that was not deleted."""
        with self._cond:
            chat = self._chat(chat_id)
            for message_id in reversed(chat.bot_message_ids):
                record = chat.messages[message_id]
                if not record.deleted:
                    return copy.deepcopy(record.data)
            return None

    def sent_count(self, chat_id: ChatRef | None = None) -> int:
        """How many messages the bot has sent (deleted ones included), in one chat or overall."""
        with self._cond:
            if chat_id is None:
                return len(self._sent)
            return len(self._chat(chat_id).bot_message_ids)

    def transcript(self, chat_id: ChatRef, last: int | None = None) -> str:
        """A readable log of a chat ("user: ..." / "bot: ..."), handy in assertion messages."""
        with self._cond:
            chat = self._chat(chat_id)
            lines = []
            for record in chat.messages.values():
                data = record.data
                who = "bot" if record.from_bot else data.get("from", {}).get("first_name", "user")
                content = data.get("text") or data.get("caption") or self._media_label(data)
                buttons = [b.get("text") for b in _inline_buttons(data.get("reply_markup"))]
                buttons += _reply_keyboard_labels(record.reply_keyboard)
                suffix = f" {buttons}" if buttons else ""
                flags = " (deleted)" if record.deleted else " (edited)" if "edit_date" in data else ""
                lines.append(f"#{data['message_id']} {who}: {content}{suffix}{flags}")
            return "\n".join(lines[-last:] if last else lines)

    @staticmethod
    def _media_label(data: JSONDict) -> str:
        for key in ("photo", "document", "sticker", "voice", "audio", "video", "animation", "contact"):
            if key in data:
                return f"<{key}>"
        return "<service message>"

    def calls(self, method: str | None = None, chat_id: ChatRef | None = None) -> list[CallRecord]:
        """Every request made so far (optionally one method and/or chat), oldest first."""
        with self._cond:
            wanted_chat = self._chat_key(chat_id) if chat_id is not None else None
            return [
                call
                for call in self._calls
                if (method is None or call.method.lower() == method.lower())
                and (wanted_chat is None or call.chat_id == wanted_chat)
            ]

    def wait_for(
        self,
        condition: Callable[[JSONDict], bool] | int,
        chat_id: ChatRef | None = None,
        timeout: float = 10.0,
    ) -> Any:
        """Block until a bot message satisfies ``condition`` and return it (latest state).

        With an int ``n`` instead, wait until the bot has sent at least ``n`` messages (in the chat or
        overall) and return the list of its messages. Raises ``TimeoutError`` with a transcript.
        """
        deadline = time.monotonic() + scaled(timeout)
        with self._cond:
            key = self._chat(chat_id).id if chat_id is not None else None

            def sent() -> list[tuple[int, int]]:
                return self._sent if key is None else [(key, m) for m in self._chats[key].bot_message_ids]

            if isinstance(condition, int):
                while self.sent_count(key) < condition:
                    self._wait_until(deadline, f"{condition} bot messages", key)
                return [copy.deepcopy(self._chats[c].messages[m].data) for c, m in sent()]
            for chat, message_id in sent():
                found = self._matching(chat, message_id, condition)
                if found is not None:
                    return found
            seen = len(self._events)
            while True:
                self._wait_until(deadline, "a matching bot message", key)
                events, seen = self._events[seen:], len(self._events)
                for chat, message_id in events:
                    if key is None or chat == key:
                        found = self._matching(chat, message_id, condition)
                        if found is not None:
                            return found

    async def wait_for_async(
        self,
        condition: Callable[[JSONDict], bool] | int,
        chat_id: ChatRef | None = None,
        timeout: float = 10.0,
    ) -> Any:
        """``wait_for`` for tests that run the bot in the same event loop."""
        return await asyncio.to_thread(self.wait_for, condition, chat_id, timeout)

    def _matching(
        self, chat_id: int, message_id: int, condition: Callable[[JSONDict], bool]
    ) -> JSONDict | None:
        record = self._chats[chat_id].messages[message_id]
        if record.deleted:
            return None
        candidate = copy.deepcopy(record.data)
        return candidate if condition(candidate) else None

    def _wait_until(self, deadline: float, what: str, chat_id: int | None) -> None:
        """Wait for any change; raise TimeoutError once ``deadline`` has passed. Lock must be held."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            where = f" in chat {chat_id}" if chat_id is not None else ""
            tail = f"\n{self.transcript(chat_id, last=8)}" if chat_id is not None else ""
            raise TimeoutError(f"timed out waiting for {what}{where}{tail}")
        self._cond.wait(remaining)

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[CallRecord], bool] | None = None,
        timeout: float = 10.0,
    ) -> CallRecord:
        """Block until a completed request of ``method`` (matching ``predicate``) is in the log."""
        deadline = time.monotonic() + scaled(timeout)
        with self._cond:
            checked = 0
            while True:
                for call in self._calls[checked:]:
                    if call.method.lower() == method.lower() and (predicate is None or predicate(call)):
                        return call
                checked = len(self._calls)
                self._wait_until(deadline, f"a {method} call", None)

    def wait_polling(self, timeout: float = 10.0) -> None:
        """Block until the bot has sent its first getUpdates request (i.e. it is up and polling)."""
        deadline = time.monotonic() + scaled(timeout)
        with self._cond:
            while self._get_updates_arrivals == 0:
                self._wait_until(deadline, "the first getUpdates request", None)

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot."""
        with self._cond:
            return [copy.deepcopy(update) for _, update in self._updates]

    def wait_updates_consumed(self, timeout: float = 10.0) -> None:
        """Block until the bot has confirmed every update (its next getUpdates offset passed them)."""
        deadline = time.monotonic() + scaled(timeout)
        with self._cond:
            while self._updates:
                self._wait_until(deadline, "the bot to confirm all updates", None)

    def callback_answer(self, query_id: str | JSONDict, timeout: float | None = None) -> JSONDict | None:
        """The bot's answerCallbackQuery parameters for a press (None if unanswered, or wait ``timeout``)."""
        key = query_id["id"] if isinstance(query_id, dict) else str(query_id)
        deadline = time.monotonic() + scaled(timeout or 0)
        with self._cond:
            while True:
                answer = self._callbacks[key]["answer"]
                if answer is not None or timeout is None:
                    return copy.deepcopy(answer)
                self._wait_until(deadline, f"an answer to callback query {key}", None)

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands the bot stored with setMyCommands for exactly this scope and language."""
        with self._cond:
            return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code or ""), []))

    def webhook_info(self) -> JSONDict:
        with self._cond:
            return self._webhook_info()

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes stored for a file_id (uploaded by the bot or sent by a fake user)."""
        with self._cond:
            stored = self._files.get(file_id)
            if stored is None or stored.data is None:
                raise KeyError(file_id)
            return stored.data

    def keyboard(self, chat_id: ChatRef) -> list[str] | None:
        """Labels of the reply keyboard currently shown in a chat, or None."""
        with self._cond:
            current = self._chat(chat_id).reply_keyboard
            return _reply_keyboard_labels(current[1]) if current else None

    # ---------------------------------------------------------------- fault injection and limits

    def inject(
        self,
        method: str | None = None,
        error: int | str = 429,
        *,
        retry_after: int = 1,
        times: int | None = 1,
        chat_id: ChatRef | None = None,
        description: str | None = None,
        delay: float = 6.0,
        takes_effect: bool | None = None,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` fail (``times=None``: until ``clear_faults``).

        ``error`` is an HTTP status (429 carries ``retry_after``; 403 says "bot was blocked by the user";
        any code may get a custom ``description``), ``"timeout"`` (the request takes effect but the answer
        is held for ``delay`` seconds, longer than PTB's default 5 s read timeout) or ``"drop"`` (the
        connection is closed without an answer; the request does not take effect unless
        ``takes_effect=True``). ``method=None`` matches every method except getUpdates and getMe.
        """
        if not isinstance(error, int) and error not in ("timeout", "drop"):
            raise ValueError("error must be an HTTP status, 'timeout' or 'drop'")
        with self._cond:
            fault = Fault(
                method=method,
                error=error,
                retry_after=retry_after,
                remaining=times,
                chat_id=self._chat_key(chat_id) if chat_id is not None else None,
                description=description,
                delay=delay,
                takes_effect=takes_effect,
            )
            self._faults.append(fault)
            return fault

    def inject_random(
        self,
        rate: float = 0.1,
        errors: Iterable[int | str] = (429, 500, "timeout", "drop"),
        *,
        seed: int | None = None,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
        delay: float = 6.0,
    ) -> None:
        """Fail a ``rate`` fraction of calls with a random choice of ``errors`` (``rate=0`` turns it off).

        ``methods=None`` covers every method except getMe (getUpdates included). The sequence is
        reproducible with ``seed`` as far as the order of requests is.
        """
        with self._cond:
            if rate <= 0:
                self._random_faults = None
                return
            chosen = frozenset(m.lower() for m in methods) if methods is not None else None
            self._random_faults = _RandomFaults(
                random.Random(seed), rate, tuple(errors), chosen, retry_after, delay
            )

    def slow(self, method: str | None, seconds: float) -> None:
        """Delay every call of ``method`` (None: all methods) by ``seconds`` before handling it; 0 removes."""
        with self._cond:
            key = method.lower() if method else None
            if seconds > 0:
                self._slow[key] = seconds
            else:
                self._slow.pop(key, None)

    def clear_faults(self) -> None:
        """Remove injected, random and slow-down faults."""
        with self._cond:
            self._faults.clear()
            self._random_faults = None
            self._slow.clear()

    def enforce_limits(
        self,
        global_per_second: float | None = 30,
        per_chat_per_second: float | None = 1,
        per_group_per_minute: float | None = 20,
        time_scale: float = 1.0,
    ) -> None:
        """Answer sends beyond Telegram's flood limits with 429 and ``retry_after``.

        Sliding windows over successful sends (the send* methods; edits do not count): all chats per
        second, one chat per second, one group/supergroup/channel per minute. ``None`` turns a limit off.
        ``time_scale`` multiplies every allowed count while the windows stay 1 s and 60 s, so
        ``time_scale=10`` lets a benchmark run ten times faster (300/s overall, 10/s per chat, 200/min
        per group) with the same relative pacing. ``limit_violations`` counts the 429 answers.
        """
        with self._cond:
            self._limits = _Limits(global_per_second, per_chat_per_second, per_group_per_minute, time_scale)
            self._global_sends.clear()
            for chat in self._chats.values():
                chat.sends_second.clear()
                chat.sends_minute.clear()

    def disable_limits(self) -> None:
        with self._cond:
            self._limits = None

    @property
    def limit_violations(self) -> int:
        with self._cond:
            return self._limit_violations

    # ---------------------------------------------------------------- request pipeline

    def _handle_request(self, method_name: str, params: JSONDict, files: dict[str, _Upload]) -> _Outcome:
        handler = self._handlers.get(method_name.lower())
        method = handler[0] if handler else method_name
        with self._cond:
            delay = self._slow.get(method.lower(), self._slow.get(None, 0.0))
        if delay and self._stop_event.wait(delay):
            return _Outcome(0, None, drop=True)
        with self._cond:
            if method == "getUpdates":
                self._get_updates_arrivals += 1
                self._cond.notify_all()
            chat_key = self._peek_chat(params)
            fault = self._take_fault(method, chat_key)
            logged = self._loggable(params, files)
            if fault is not None and isinstance(fault.error, int):
                error = self._fault_error(fault)
                self._log(method, logged, chat_key, error.code, error.description, None, str(fault.error))
                return _Outcome(error.code, _dumps(error.payload()))
            if fault is not None and not fault.applies_effect:
                self._log(method, logged, chat_key, 0, "connection dropped", None, str(fault.error))
                return _Outcome(0, None, drop=True)
            status, body = self._run(handler, method, params, files, logged, chat_key, _tag(fault))
        if fault is None:
            return _Outcome(status, body)
        if fault.error == "drop":
            return _Outcome(0, None, drop=True)
        return _Outcome(status, body, delay=fault.delay)

    def _run(
        self,
        handler: tuple[str, Callable[[JSONDict, dict[str, _Upload]], Any]] | None,
        method: str,
        params: JSONDict,
        files: dict[str, _Upload],
        logged: JSONDict,
        chat_key: int | str | None,
        fault: str | None,
    ) -> tuple[int, bytes]:
        """Call the method's handler (lock held), log the call and return the HTTP status and body."""
        try:
            if handler is None:
                _LOGGER.warning("BotApiFake: unknown method %s", method)
                raise ApiError(404, "Not Found")
            result = handler[1](params, files)
        except ApiError as error:
            self._log(method, logged, chat_key, error.code, error.description, None, fault)
            return error.code, _dumps(error.payload())
        payload: JSONDict = {"ok": True, "result": result}
        if isinstance(result, _Described):
            payload = {"ok": True, "result": result.value, "description": result.description}
            result = result.value
        self._log(method, logged, chat_key, 200, None, result, fault)
        return 200, _dumps(payload)

    def _take_fault(self, method: str, chat_key: int | str | None) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, chat_key):
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        chaos = self._random_faults
        if chaos is not None:
            covered = method != "getMe" if chaos.methods is None else method.lower() in chaos.methods
            if covered and chaos.errors and chaos.rng.random() < chaos.rate:
                error = chaos.rng.choice(chaos.errors)
                return Fault(method, error, retry_after=chaos.retry_after, delay=chaos.delay, hits=1)
        return None

    @staticmethod
    def _fault_error(fault: Fault) -> ApiError:
        code = int(fault.error)
        if code == 429:
            description = fault.description or f"Too Many Requests: retry after {fault.retry_after}"
            return ApiError(429, description, {"retry_after": fault.retry_after})
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        return ApiError(code, fault.description or _DEFAULT_DESCRIPTIONS.get(code, phrase))

    def _log(
        self,
        method: str,
        params: JSONDict,
        chat_id: int | str | None,
        status: int,
        description: str | None,
        result: Any,
        fault: str | None,
    ) -> None:
        self._calls.append(
            CallRecord(method, params, time.monotonic(), chat_id, status, description, result, fault)
        )
        self._cond.notify_all()

    @staticmethod
    def _loggable(params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        logged = dict(params)
        for name, upload in files.items():
            logged[name] = {
                "filename": upload.filename,
                "size": len(upload.data),
                "mime_type": upload.content_type,
            }
        return logged

    def _peek_chat(self, params: JSONDict) -> int | str | None:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            return None
        try:
            return self._chat_key(raw)
        except (ApiError, ValueError, TypeError):
            return str(raw)

    def _chat_key(self, ref: Any) -> int | str:
        if isinstance(ref, FakeUser | FakeChat):
            return ref.id
        if isinstance(ref, bool):
            raise TypeError("chat id must be an int")
        if isinstance(ref, int):
            return ref
        text = str(ref).strip()
        if text.startswith("@"):
            return self._usernames.get(text[1:].lower(), text)
        return int(text)

    def _chat(self, ref: Any) -> _Chat:
        """Resolve a chat for the control API (raises KeyError for unknown chats)."""
        key = self._chat_key(ref)
        if not isinstance(key, int) or key not in self._chats:
            raise KeyError(f"unknown chat {ref!r}")
        return self._chats[key]

    # ---------------------------------------------------------------- parameter helpers

    def _target_chat(self, params: JSONDict, name: str = "chat_id") -> _Chat:
        raw = params.get(name)
        if raw is None or raw == "":
            raise _bad_request(f"{name} is empty")
        try:
            key = self._chat_key(raw)
        except (ValueError, TypeError):
            raise _bad_request("chat not found") from None
        chat = self._chats.get(key) if isinstance(key, int) else None
        if chat is None:
            raise _bad_request("chat not found")
        return chat

    def _check_can_send(self, chat: _Chat) -> None:
        if chat.type == "private":
            if chat.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if chat.blocked:
                raise ApiError(403, BLOCKED)
            return
        if chat.migrated_to is not None:
            raise _bad_request(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": chat.migrated_to}
            )
        if chat.type == "channel":
            if chat.bot_status in ("left", "kicked"):
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
            if chat.bot_status != "administrator" or not chat.bot_rights.get("can_post_messages"):
                raise _bad_request("need administrator rights in the channel chat")
            return
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        if chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")

    def _check_rate(self, chat: _Chat) -> None:
        limits = self._limits
        if limits is None:
            return
        now = time.monotonic()
        waits = []
        windows = [
            (self._global_sends, 1.0, limits.allowed(limits.global_per_second)),
            (chat.sends_second, 1.0, limits.allowed(limits.per_chat_per_second)),
        ]
        if chat.type != "private":
            windows.append((chat.sends_minute, 60.0, limits.allowed(limits.per_group_per_minute)))
        for sends, size, allowed in windows:
            if allowed is None:
                continue
            while sends and sends[0] <= now - size:
                sends.popleft()
            if len(sends) >= allowed:
                waits.append(sends[len(sends) - allowed] + size - now)
        if waits:
            self._limit_violations += 1
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _record_send(self, chat: _Chat) -> None:
        if self._limits is None:
            return
        now = time.monotonic()
        self._global_sends.append(now)
        chat.sends_second.append(now)
        if chat.type != "private":
            chat.sends_minute.append(now)

    @staticmethod
    def _checked_text(
        raw: Any, parse_mode: Any, entities: Any, *, limit: int, too_long: str, empty: str | None
    ) -> tuple[str, list[JSONDict]]:
        text, found = format_text(raw, parse_mode, entities)
        if not text and empty is not None:
            raise _bad_request(empty)
        if len(text) > limit:
            raise _bad_request(too_long)
        return text, found

    @staticmethod
    def _validate_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for button in (button for row in rows for button in row):
                if not isinstance(button, dict):
                    raise _bad_request(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise _bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not any(action in button for action in _INLINE_BUTTON_ACTIONS):
                    raise _bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if (
                        not isinstance(data, str)
                        or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not str(button["url"]).strip():
                    raise _bad_request("BUTTON_URL_INVALID")
            return markup
        if inline_only:
            raise _bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            for button in (button for row in rows for button in row):
                if not (
                    isinstance(button, str)
                    or (isinstance(button, dict) and isinstance(button.get("text"), str))
                ):
                    raise _bad_request(
                        "can't parse keyboard button: KeyboardButton must be a String or an Object"
                    )
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise _bad_request("can't parse reply keyboard markup JSON object")

    def _reply_target(self, chat: _Chat, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow = reply.get("message_id"), bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, chat.id):
                chat = self._target_chat({"chat_id": reply["chat_id"]})
        else:
            message_id = params.get("reply_to_message_id")
            allow = bool(params.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        record = chat.messages.get(int(message_id))
        if record is None or record.deleted:
            if allow:
                return None
            raise _bad_request("message to be replied not found")
        target = copy.deepcopy(record.data)
        target.pop("reply_to_message", None)
        return target

    def _store_bot_message(
        self, chat: _Chat, content: JSONDict, markup: JSONDict | None, reply_to: JSONDict | None
    ) -> JSONDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: JSONDict = {"message_id": message_id}
        if chat.type == "channel":
            data["sender_chat"] = self._chat_dict(chat)
        else:
            data["from"] = self.bot_user
        data["chat"] = self._chat_dict(chat)
        data["date"] = int(time.time())
        if reply_to is not None:
            data["reply_to_message"] = reply_to
        data.update(content)
        record = _Message(data, from_bot=True)
        if markup is not None and "inline_keyboard" in markup:
            if _inline_buttons(markup):
                data["reply_markup"] = markup
        elif markup is not None and "keyboard" in markup:
            record.reply_keyboard = markup
            chat.reply_keyboard = (message_id, markup)
        elif markup is not None and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        chat.messages[message_id] = record
        chat.bot_message_ids.append(message_id)
        self._sent.append((chat.id, message_id))
        self._events.append((chat.id, message_id))
        self._record_send(chat)
        self._cond.notify_all()
        return copy.deepcopy(data)

    def _prepare_send(self, params: JSONDict) -> tuple[_Chat, JSONDict | None, JSONDict | None]:
        chat = self._target_chat(params)
        self._check_can_send(chat)
        markup = self._validate_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        return chat, markup, reply_to

    def _editable(self, params: JSONDict) -> tuple[_Chat, _Message]:
        if params.get("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        self._check_can_send(chat)
        record = chat.messages.get(message_id)
        if record is None or record.deleted:
            raise _bad_request("message to edit not found")
        if not record.from_bot:
            raise _bad_request("message can't be edited")
        return chat, record

    def _apply_edit(
        self, chat: _Chat, record: _Message, changes: JSONDict, markup: JSONDict | None
    ) -> JSONDict:
        """Apply ``changes`` (None removes a field) and the new inline keyboard; omitted keyboards vanish."""
        new_markup = markup if _inline_buttons(markup) else None
        content_changed = any(
            (key in record.data) if value is None else record.data.get(key) != value
            for key, value in changes.items()
        )
        if not content_changed and record.data.get("reply_markup") == new_markup:
            raise _bad_request(NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                record.data.pop(key, None)
            else:
                record.data[key] = value
        if new_markup is None:
            record.data.pop("reply_markup", None)
        else:
            record.data["reply_markup"] = new_markup
        record.data["edit_date"] = int(time.time())
        record.version += 1
        self._events.append((chat.id, record.data["message_id"]))
        self._cond.notify_all()
        return copy.deepcopy(record.data)

    # ---------------------------------------------------------------- Bot API methods

    @_api("getMe")
    def _get_me(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_api("getUpdates")
    def _get_updates(self, params: JSONDict, files: dict[str, _Upload]) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.get("offset") or 0
        limit = min(max(params.get("limit") or 100, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise _bad_request("can't parse allowed updates JSON object")
            self._allowed_updates = frozenset(allowed) & _UPDATE_TYPES or _DEFAULT_ALLOWED_UPDATES
        if offset > 0:
            while self._updates and self._updates[0][0] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        self._poll_sequence += 1
        me = self._poll_sequence
        deadline = time.monotonic() + scaled(timeout)
        self._cond.notify_all()  # wakes an older getUpdates, which then answers 409
        while True:
            if self._poll_sequence != me:
                raise ApiError(409, GET_UPDATES_CONFLICT)
            self._drop_unwanted_updates()
            if self._updates:
                return [update for _, update in itertools.islice(self._updates, limit)]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stop_event.is_set():
                return []
            self._cond.wait(remaining)

    def _drop_unwanted_updates(self) -> None:
        allowed = self._allowed_updates
        if any(next(k for k in update if k != "update_id") not in allowed for _, update in self._updates):
            self._updates = collections.deque(
                (uid, update)
                for uid, update in self._updates
                if next(k for k in update if k != "update_id") in allowed
            )

    @_api("setWebhook")
    def _set_webhook(self, params: JSONDict, files: dict[str, _Upload]) -> _Described:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params, files)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) & _UPDATE_TYPES or _DEFAULT_ALLOWED_UPDATES
        if params.get("drop_pending_updates"):
            self._updates.clear()
        already = self._webhook is not None and self._webhook["url"] == url
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get("max_connections") or 40,
            "ip_address": params.get("ip_address"),
        }
        self._webhook_error = None
        self._cond.notify_all()
        return _Described(True, "Webhook is already set" if already else "Webhook was set")

    @_api("deleteWebhook")
    def _delete_webhook(self, params: JSONDict, files: dict[str, _Upload]) -> _Described:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        existed = self._webhook is not None
        self._webhook = None
        self._cond.notify_all()
        return _Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    @_api("getWebhookInfo")
    def _get_webhook_info(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        return self._webhook_info()

    def _webhook_info(self) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            info["url"] = self._webhook["url"]
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook["ip_address"]:
                info["ip_address"] = self._webhook["ip_address"]
            if self._allowed_updates != _DEFAULT_ALLOWED_UPDATES:
                info["allowed_updates"] = sorted(self._allowed_updates)
            if self._webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    def _scope_key(self, scope: Any) -> str:
        if scope is None:
            return json.dumps({"type": "default"})
        if not isinstance(scope, dict) or scope.get("type") not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        ):
            raise _bad_request("can't parse BotCommandScope JSON object")
        normalized = dict(scope)
        if "chat_id" in normalized:
            normalized["chat_id"] = self._target_chat(normalized).id
        return json.dumps(normalized, sort_keys=True)

    @_api("setMyCommands")
    def _set_my_commands(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands")
        stored = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).lstrip("/")
            description = str(command.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = stored
        return True

    @_api("getMyCommands")
    def _get_my_commands(self, params: JSONDict, files: dict[str, _Upload]) -> list[JSONDict]:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return copy.deepcopy(self._commands.get(key, []))

    @_api("deleteMyCommands")
    def _delete_my_commands(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    def _set_description(self, field_name: str, params: JSONDict, limit: int) -> bool:
        value = str(params.get(field_name) or "")
        if len(value) > limit:
            raise _bad_request(f"{field_name} is too long")
        self._descriptions[(field_name, str(params.get("language_code") or ""))] = value
        return True

    @_api("setMyDescription")
    def _set_my_description(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        return self._set_description("description", params, 512)

    @_api("setMyShortDescription")
    def _set_my_short_description(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        return self._set_description("short_description", params, 120)

    @_api("sendMessage")
    def _send_message(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        chat, markup, reply_to = self._prepare_send(params)
        text, entities = self._checked_text(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
        )
        self._check_rate(chat)
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._store_bot_message(chat, content, markup, reply_to)

    def _send_media(self, method: str, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        kind, folder, extension = _MEDIA_KINDS[method]
        chat, markup, reply_to = self._prepare_send(params)
        caption, caption_entities = self._checked_text(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            empty=None,
        )
        media = self._media_object(kind, folder, extension, params, files)
        self._check_rate(chat)
        content: JSONDict = {kind: media}
        if caption and kind not in ("sticker", "video_note"):
            content["caption"] = caption
            if caption_entities:
                content["caption_entities"] = caption_entities
        return self._store_bot_message(chat, content, markup, reply_to)

    def _media_object(
        self, kind: str, folder: str, extension: str, params: JSONDict, files: dict[str, _Upload]
    ) -> Any:
        raw = params.get(kind)
        upload = files.get(kind)
        if isinstance(raw, str) and raw.startswith("attach://"):
            upload = files.get(raw[len("attach://") :])
        if upload is None:
            if not raw:
                raise _bad_request(f"there is no {kind} in the request")
            stored = self._files.get(str(raw))
            if stored is not None:
                return self._describe_file(kind, stored, None, params)
            if re.match(r"https?://", str(raw)):
                # Telegram would download the URL; the fake records it without fetching.
                return self._describe_file(
                    kind, self._new_file(folder, extension, None, url=str(raw)), None, params
                )
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if not upload.data:
            raise _bad_request("file must be non-empty")
        if len(upload.data) > _MAX_UPLOAD.get(kind, _MAX_UPLOAD_DEFAULT):
            raise ApiError(413, "Request Entity Too Large")
        suffix = "." + upload.filename.rsplit(".", 1)[1] if "." in upload.filename else extension
        stored = self._new_file(folder, suffix, upload.data)
        return self._describe_file(kind, stored, upload, params)

    def _new_file(self, folder: str, suffix: str, data: bytes | None, url: str | None = None) -> _StoredFile:
        number = next(self._file_counter)
        stored = _StoredFile(
            file_id=f"FAKE{folder.upper()[:3]}{number:06d}{zlib.crc32(str(number).encode()):08x}",
            file_unique_id=f"U{number:08d}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=data,
            url=url,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _describe_file(self, kind: str, stored: _StoredFile, upload: _Upload | None, params: JSONDict) -> Any:
        data = stored.data or b""
        base: JSONDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.data is not None:
            base["file_size"] = len(data)
        if kind == "photo":
            size = _image_size(data) if stored.data is not None else (800, 600)
            if size is None or min(size) <= 0:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            return self._photo_sizes(stored, size)
        filename = upload.filename if upload else stored.file_path.rsplit("/", 1)[1]
        mime_type = mimetypes.guess_type(filename)[0] or (upload.content_type if upload else None)
        if kind == "document":
            result = {"file_name": filename, **({"mime_type": mime_type} if mime_type else {}), **base}
            return result
        if kind == "sticker":
            width, height = _image_size(data) or (512, 512)
            return {
                **base,
                "type": "regular",
                "width": width,
                "height": height,
                "is_animated": False,
                "is_video": False,
            }
        duration = params.get("duration") or 1
        if kind == "voice":
            return {**base, "duration": duration, "mime_type": "audio/ogg"}
        if kind == "audio":
            return {
                **base,
                "duration": duration,
                "file_name": filename,
                "mime_type": mime_type or "audio/mpeg",
            }
        if kind == "video_note":
            return {**base, "length": params.get("length") or 240, "duration": duration}
        return {
            **base,
            "width": params.get("width") or 640,
            "height": params.get("height") or 360,
            "duration": duration,
            "file_name": filename,
            "mime_type": mime_type or "video/mp4",
        }

    def _photo_sizes(self, stored: _StoredFile, size: tuple[int, int]) -> list[JSONDict]:
        width, height = size
        sizes = []
        largest = max(width, height)
        for side in (90, 320, 800, 1280):
            if side < largest:
                scale = side / largest
                thumb = self._new_file("photos", ".jpg", stored.data)
                sizes.append(
                    {
                        "file_id": thumb.file_id,
                        "file_unique_id": thumb.file_unique_id,
                        "file_size": len(stored.data or b""),
                        "width": max(1, round(width * scale)),
                        "height": max(1, round(height * scale)),
                    }
                )
        scale = min(1.0, 2560 / largest)
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data or b""),
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
            }
        )
        return sizes

    @_api("sendPhoto")
    def _send_photo(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        return self._send_media("sendPhoto", params, files)

    @_api("sendDocument")
    def _send_document(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        return self._send_media("sendDocument", params, files)

    @_api("editMessageText")
    def _edit_message_text(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        chat, record = self._editable(params)
        text, entities = self._checked_text(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            too_long="MESSAGE_TOO_LONG",
            empty="message text is empty",
        )
        if "text" not in record.data:
            raise _bad_request("there is no text in the message to edit")
        markup = self._validate_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, record, {"text": text, "entities": entities or None}, markup)

    @_api("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        chat, record = self._editable(params)
        markup = self._validate_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, record, {}, markup)

    @_api("answerCallbackQuery")
    def _answer_callback_query(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        entry = self._callbacks.get(str(params.get("callback_query_id") or ""))
        if entry is None or entry["answer"] is not None:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        entry["answer"] = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": params.get("cache_time") or 0,
        }
        self._cond.notify_all()
        return True

    @_api("sendChatAction")
    def _send_chat_action(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        chat = self._target_chat(params)
        self._check_can_send(chat)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    @_api("getChat")
    def _get_chat(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        chat = self._target_chat(params)
        info = {
            **self._chat_dict(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.type == "private":
            info["bio"] = ""
        return info

    @_api("getChatMember")
    def _get_chat_member(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        chat = self._target_chat(params)
        user_id = params.get("user_id")
        if user_id is None:
            raise _bad_request("user_id is empty")
        if user_id == self.bot_id:
            return self._bot_member(chat)
        if user_id not in self._users:
            raise _bad_request("user not found")
        if chat.type == "private":
            if user_id != chat.id:
                raise _bad_request("user not found")
            return self._member_dict(chat, user_id, "member")
        return self._member_dict(chat, user_id, chat.members.get(user_id, "left"))

    # ---------------------------------------------------------------- chat and member dicts

    def _chat_dict(self, chat: _Chat) -> JSONDict:
        if chat.type == "private":
            user = self._users[chat.id]
            result: JSONDict = {"id": chat.id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                result["last_name"] = user.last_name
            if user.username:
                result["username"] = user.username
            return result
        result = {"id": chat.id, "type": chat.type, "title": chat.title}
        if chat.username:
            result["username"] = chat.username
        return result

    def _admin_rights(self, chat: _Chat) -> dict[str, bool]:
        rights = {
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
        }
        if chat.type == "channel":
            rights.update(can_post_messages=True, can_edit_messages=True)
        else:
            rights["can_pin_messages"] = True
        if chat.type == "supergroup":
            rights["can_manage_topics"] = False
        return rights

    def _member_dict(self, chat: _Chat, user_id: int, status: str) -> JSONDict:
        user = self._users[user_id].as_dict()
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            return {"status": "administrator", "user": user, **self._admin_rights(chat)}
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        if status == "restricted":
            status = "member"  # restrictions are not modelled
        return {"status": status, "user": user}

    def _bot_member(self, chat: _Chat) -> JSONDict:
        status = chat.bot_status
        if chat.type == "private":
            status = "kicked" if chat.blocked else "member"
        if status == "administrator":
            return {
                "status": "administrator",
                "user": self.bot_user,
                **self._admin_rights(chat),
                **chat.bot_rights,
            }
        if status == "kicked":
            return {"status": "kicked", "user": self.bot_user, "until_date": 0}
        return {"status": status, "user": self.bot_user}

    def _actor(self, chat: _Chat, by: int | FakeUser | None) -> JSONDict:
        if by is not None:
            user_id = by.id if isinstance(by, FakeUser) else int(by)
            return self._users[user_id].as_dict()
        for wanted in ("creator", "administrator", "member"):
            for user_id, status in chat.members.items():
                if status == wanted:
                    return self._users[user_id].as_dict()
        if chat.type == "private":
            return self._users[chat.id].as_dict()
        raise ValueError(f"chat {chat.id} has no member who could act; pass by=")

    def _my_chat_member(self, chat: _Chat, actor: JSONDict, old: JSONDict, new: JSONDict) -> None:
        self._enqueue(
            "my_chat_member",
            {
                "chat": self._chat_dict(chat),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    # ---------------------------------------------------------------- the users' side

    def _enqueue(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._updates.append((self._next_update_id, update))
        self._next_update_id += 1
        self._cond.notify_all()
        return update

    def _store_user_message(
        self, chat: _Chat, sender: JSONDict | None, content: JSONDict, reply_to: int | None = None
    ) -> JSONDict:
        if chat.type == "private" and chat.blocked:
            # Writing to a bot one has blocked means pressing "Restart", which unblocks it.
            self._set_blocked(chat.id, False, True)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: JSONDict = {"message_id": message_id}
        if sender is not None:
            data["from"] = sender
        else:
            data["sender_chat"] = self._chat_dict(chat)
        data["chat"] = self._chat_dict(chat)
        data["date"] = int(time.time())
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None:
                raise LookupError(f"no message {reply_to} in chat {chat.id}")
            data["reply_to_message"] = {k: v for k, v in target.data.items() if k != "reply_to_message"}
        data.update(content)
        chat.messages[message_id] = _Message(data, from_bot=False)
        if self._bot_sees(chat, data):
            self._enqueue("channel_post" if chat.type == "channel" else "message", data)
        return copy.deepcopy(data)

    def _bot_sees(self, chat: _Chat, message: JSONDict) -> bool:
        """Privacy mode: which group messages reach the bot."""
        if chat.type == "private":
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if chat.type == "channel":
            return chat.bot_status == "administrator"
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        if any(key in message for key in ("migrate_to_chat_id", "migrate_from_chat_id", "new_chat_members")):
            return True
        if message.get("reply_to_message", {}).get("from", {}).get("id") == self.bot_id:
            return True
        command = re.match(
            r"/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?", message.get("text") or message.get("caption") or ""
        )
        return command is not None and (command[1] is None or command[1].lower() == self.bot_username.lower())

    def _user_chat(self, user: FakeUser, chat: ChatRef | None) -> _Chat:
        state = self._chat(chat if chat is not None else user.id)
        if state.type == "private" and state.id != user.id:
            raise ValueError(f"user {user.id} cannot write in the private chat of {state.id}")
        if state.type != "private" and state.members.get(user.id) in (None, "left", "kicked"):
            raise ValueError(f"user {user.id} is not a member of chat {state.id}")
        return state

    def _press(
        self, user: FakeUser, chat_ref: ChatRef | None, data: str, message_id: int | None, force: bool
    ) -> JSONDict:
        chat = self._user_chat(user, chat_ref)
        if message_id is not None:
            record = chat.messages.get(message_id)
            if record is None or record.deleted or not record.from_bot:
                raise LookupError(f"no bot message {message_id} in chat {chat.id}")
            datas = [b.get("callback_data") for b in _inline_buttons(record.data.get("reply_markup"))]
            if data not in datas and not force:
                raise LookupError(
                    f"message {message_id} has no button with callback_data {data!r}; it has {datas}"
                )
        else:
            live = [chat.messages[m] for m in reversed(chat.bot_message_ids) if not chat.messages[m].deleted]
            with_data = (
                r
                for r in live
                if any(b.get("callback_data") == data for b in _inline_buttons(r.data.get("reply_markup")))
            )
            found = next(with_data, None)
            if found is None and force:
                # Forged data goes to the newest message with a keyboard, else the newest bot message.
                found = next((r for r in live if _inline_buttons(r.data.get("reply_markup"))), None)
                found = found or next(iter(live), None)
            if found is None:
                raise LookupError(
                    f"no bot message in chat {chat.id} has a button with callback_data {data!r}\n"
                    + self.transcript(chat.id, last=5)
                )
            record = found
        query_id = str(next(self._query_ids))
        query = {
            "id": query_id,
            "from": user.as_dict(),
            "message": copy.deepcopy(record.data),
            "chat_instance": str(abs(chat.id * 7919 + self.bot_id) % 10**19),
            "data": data,
        }
        self._callbacks[query_id] = {"query": query, "answer": None}
        user._seen_versions[(chat.id, record.data["message_id"])] = record.version
        self._enqueue("callback_query", query)
        return copy.deepcopy(query)

    # ---------------------------------------------------------------- webhooks

    def _deliver_webhooks(self) -> None:
        while not self._stop_event.is_set():
            with self._cond:
                while not self._stop_event.is_set() and not (self._webhook and self._updates):
                    self._cond.wait(0.5)
                if self._stop_event.is_set():
                    return
                assert self._webhook is not None
                self._drop_unwanted_updates()
                if not self._updates:
                    continue
                update_id, update = self._updates[0]
                url, secret = self._webhook["url"], self._webhook["secret_token"]
                body = _dumps(update)
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            error = None
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                error = f"Wrong response from the webhook: {exc.code} {exc.reason}"
            except (urllib.error.URLError, OSError) as exc:
                error = f"Connection failed: {exc}"
            with self._cond:
                if error is None:
                    if self._updates and self._updates[0][0] == update_id:
                        self._updates.popleft()
                    self._cond.notify_all()
                    continue
                self._webhook_error = (int(time.time()), error)
            self._stop_event.wait(0.2)


class _Described:
    """A successful result that also carries a ``description`` (setWebhook, deleteWebhook)."""

    def __init__(self, value: Any, description: str) -> None:
        self.value = value
        self.description = description


def _tag(fault: Fault | None) -> str | None:
    return None if fault is None else str(fault.error)


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------------------------------
# The users' and chats' handles used by tests.
# --------------------------------------------------------------------------------------------------


class FakeUser:
    """A Telegram user talking to the bot; created with ``BotApiFake.user``."""

    def __init__(
        self,
        fake: BotApiFake,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
        last_name: str | None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.last_name = last_name
        self._cursors: dict[int, int] = {}
        self._seen_versions: dict[tuple[int, int], int] = {}

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    @property
    def chat_id(self) -> int:
        """The private chat's id (equal to the user id)."""
        return self.id

    def as_dict(self) -> JSONDict:
        result: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            result["last_name"] = self.last_name
        if self.username:
            result["username"] = self.username
        if self.language_code:
            result["language_code"] = self.language_code
        return result

    # ------------------------------------------------------------ acting

    def send(
        self,
        text: str,
        chat: ChatRef | None = None,
        *,
        reply_to: int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """Write a text message (commands get their bot_command entity); returns the message."""
        content: JSONDict = {"text": text}
        found = entities if entities is not None else _command_entities(text)
        if found:
            content["entities"] = found
        return self.send_raw(content, chat, reply_to=reply_to)

    def send_raw(
        self, content: JSONDict, chat: ChatRef | None = None, *, reply_to: int | None = None
    ) -> JSONDict:
        """Send a message with arbitrary Message fields (e.g. ``{"contact": {...}}``)."""
        with self._fake._cond:
            state = self._fake._user_chat(self, chat)
            return self._fake._store_user_message(state, self.as_dict(), content, reply_to)

    def _media(self, kind: str, folder: str, suffix: str, data: bytes, fields: JSONDict) -> JSONDict:
        """Store ``data`` as a downloadable file and return the message field describing it."""
        with self._fake._cond:
            stored = self._fake._new_file(folder, suffix, data)
        base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(data)}
        content = {kind: [{**base, **fields}] if kind == "photo" else {**base, **fields}}
        return content

    def send_sticker(self, emoji: str = "👍", chat: ChatRef | None = None) -> JSONDict:
        """Send a sticker (something a text-only dialogue must answer politely)."""
        fields = {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
        content = self._media("sticker", "stickers", ".webp", b"RIFF\0\0\0\0WEBP", {**fields, "emoji": emoji})
        return self.send_raw(content, chat)

    def send_photo(
        self, data: bytes | None = None, caption: str | None = None, chat: ChatRef | None = None
    ) -> JSONDict:
        """Send a photo (a small PNG unless ``data`` is given), optionally with a caption."""
        image = data if data is not None else tiny_png(4, 3)
        width, height = _image_size(image) or (800, 600)
        content = self._media("photo", "photos", ".jpg", image, {"width": width, "height": height})
        if caption:
            content["caption"] = caption
        return self.send_raw(content, chat)

    def send_voice(
        self, data: bytes = b"OggS\0fake-voice", duration: int = 3, chat: ChatRef | None = None
    ) -> JSONDict:
        """Send a voice message."""
        fields = {"duration": duration, "mime_type": "audio/ogg"}
        return self.send_raw(self._media("voice", "voice", ".oga", data, fields), chat)

    def send_document(
        self,
        data: bytes = b"%PDF-1.4 fake",
        file_name: str = "document.pdf",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatRef | None = None,
    ) -> JSONDict:
        """Send a file as a document."""
        fields = {
            "file_name": file_name,
            "mime_type": mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
        }
        suffix = "." + file_name.rsplit(".", 1)[1] if "." in file_name else ""
        content = self._media("document", "documents", suffix, data, fields)
        if caption:
            content["caption"] = caption
        return self.send_raw(content, chat)

    def send_contact(self, phone_number: str = "+49301234567", chat: ChatRef | None = None) -> JSONDict:
        """Share the user's own contact (what a request_contact keyboard button sends)."""
        contact = {"phone_number": phone_number, "first_name": self.first_name, "user_id": self.id}
        return self.send_raw({"contact": contact}, chat)

    def edit(self, message_id: int, text: str, chat: ChatRef | None = None) -> JSONDict:
        """Edit one of the user's own text messages (an edited_message update)."""
        fake = self._fake
        with fake._cond:
            state = fake._user_chat(self, chat)
            record = state.messages.get(message_id)
            if record is None or record.from_bot or record.data.get("from", {}).get("id") != self.id:
                raise LookupError(f"user {self.id} has no message {message_id} in chat {state.id}")
            record.data["text"] = text
            record.data.pop("entities", None)
            if _command_entities(text):
                record.data["entities"] = _command_entities(text)
            record.data["edit_date"] = int(time.time())
            record.version += 1
            if fake._bot_sees(state, record.data):
                fake._enqueue("edited_message", record.data)
            return copy.deepcopy(record.data)

    def press(
        self,
        callback_data: str,
        message_id: int | None = None,
        chat: ChatRef | None = None,
        *,
        force: bool = False,
    ) -> JSONDict:
        """Press an inline button: a callback_query update; returns the query (its ``id`` for answers).

        Without ``message_id`` the newest bot message carrying a button with that data is used. Raises
        LookupError when no such button exists, unless ``force=True`` (forged data, e.g. an attack test).
        """
        with self._fake._cond:
            return self._fake._press(self, chat, callback_data, message_id, force)

    def press_button_text(self, label: str, chat: ChatRef | None = None) -> JSONDict:
        """Press the button labelled ``label`` on the newest inline keyboard or the reply keyboard.

        An inline button becomes a callback_query (returns the query); a reply-keyboard button sends its
        label as a message (returns the message).
        """
        fake = self._fake
        with fake._cond:
            state = fake._user_chat(self, chat)
            options: list[tuple[int, str, Any]] = []
            for candidate_id in reversed(state.bot_message_ids):
                record = state.messages[candidate_id]
                buttons = _inline_buttons(record.data.get("reply_markup"))
                if buttons and not record.deleted:
                    options.append((candidate_id, "inline", buttons))
                    break
            if state.reply_keyboard is not None:
                options.append(
                    (state.reply_keyboard[0], "reply", _reply_keyboard_labels(state.reply_keyboard[1]))
                )
            options.sort(key=lambda option: option[0], reverse=True)
            for message_id, kind, buttons in options:
                if kind == "reply" and label in buttons:
                    return self.send(label, chat)
                for button in buttons if kind == "inline" else []:
                    if button.get("text") == label:
                        if "callback_data" not in button:
                            raise LookupError(f"button {label!r} has no callback_data: {button}")
                        return fake._press(self, chat, button["callback_data"], message_id, False)
            available = [b.get("text") if isinstance(b, dict) else b for _, _, bs in options for b in bs]
            raise LookupError(f"no button {label!r} in chat {state.id}; available: {available}")

    def block_bot(self) -> None:
        self._fake.block(self)

    def unblock_bot(self) -> None:
        self._fake.unblock(self)

    # ------------------------------------------------------------ observing

    def wait_reply(self, timeout: float = 10.0, chat: ChatRef | None = None) -> JSONDict:
        """The next new bot message in the chat after the last one this user saw (via wait_reply)."""
        fake = self._fake
        deadline = time.monotonic() + scaled(timeout)
        with fake._cond:
            state = fake._chat(chat if chat is not None else self.id)
            while True:
                cursor = self._cursors.get(state.id, 0)
                ids = state.bot_message_ids
                for index in range(bisect.bisect_right(ids, cursor), len(ids)):
                    record = state.messages[ids[index]]
                    self._cursors[state.id] = ids[index]
                    if not record.deleted:
                        self._seen_versions[(state.id, ids[index])] = record.version
                        return copy.deepcopy(record.data)
                fake._wait_until(deadline, f"a reply to user {self.id}", state.id)

    def wait_screen(self, timeout: float = 10.0, chat: ChatRef | None = None) -> JSONDict:
        """What the user sees change next: a new bot message, or one seen before that the bot edited."""
        fake = self._fake
        deadline = time.monotonic() + scaled(timeout)
        with fake._cond:
            state = fake._chat(chat if chat is not None else self.id)
            while True:
                cursor = self._cursors.get(state.id, 0)
                ids = state.bot_message_ids
                for index in range(bisect.bisect_right(ids, cursor), len(ids)):
                    record = state.messages[ids[index]]
                    self._cursors[state.id] = ids[index]
                    if not record.deleted:
                        self._seen_versions[(state.id, ids[index])] = record.version
                        return copy.deepcopy(record.data)
                for (chat_id, message_id), version in self._seen_versions.items():
                    record = state.messages.get(message_id) if chat_id == state.id else None
                    if record is not None and not record.deleted and record.version > version:
                        self._seen_versions[(chat_id, message_id)] = record.version
                        return copy.deepcopy(record.data)
                fake._wait_until(deadline, f"a reply or an edit for user {self.id}", state.id)

    def wait_replies(self, count: int, timeout: float = 10.0, chat: ChatRef | None = None) -> list[JSONDict]:
        """The next ``count`` new bot messages (one shared deadline)."""
        deadline = time.monotonic() + scaled(timeout)
        return [self.wait_reply(max(deadline - time.monotonic(), 0.0), chat) for _ in range(count)]

    def wait_edit(self, message_id: int, timeout: float = 10.0, chat: ChatRef | None = None) -> JSONDict:
        """Block until the bot edits (or deletes) a message since this user last saw it; return it."""
        fake = self._fake
        deadline = time.monotonic() + scaled(timeout)
        with fake._cond:
            state = fake._chat(chat if chat is not None else self.id)
            key = (state.id, message_id)
            while True:
                record = state.messages.get(message_id)
                if record is not None and record.version > self._seen_versions.get(key, 0):
                    self._seen_versions[key] = record.version
                    return copy.deepcopy(record.data)
                fake._wait_until(deadline, f"an edit of message {message_id}", state.id)

    def skip_replies(self, chat: ChatRef | None = None) -> None:
        """Mark every bot message sent so far as seen, so wait_reply only returns newer ones."""
        with self._fake._cond:
            state = self._fake._chat(chat if chat is not None else self.id)
            if state.bot_message_ids:
                self._cursors[state.id] = state.bot_message_ids[-1]

    def replies(self, chat: ChatRef | None = None) -> list[JSONDict]:
        """Every bot message in the chat (latest state)."""
        return self._fake.messages(chat if chat is not None else self.id)

    @property
    def keyboard(self) -> list[str] | None:
        """Labels of the reply keyboard the bot currently shows this user, or None."""
        return self._fake.keyboard(self.id)

    async def wait_reply_async(self, timeout: float = 10.0, chat: ChatRef | None = None) -> JSONDict:
        return await asyncio.to_thread(self.wait_reply, timeout, chat)

    async def wait_replies_async(
        self, count: int, timeout: float = 10.0, chat: ChatRef | None = None
    ) -> list[JSONDict]:
        return await asyncio.to_thread(self.wait_replies, count, timeout, chat)

    async def wait_edit_async(
        self, message_id: int, timeout: float = 10.0, chat: ChatRef | None = None
    ) -> JSONDict:
        return await asyncio.to_thread(self.wait_edit, message_id, timeout, chat)


class FakeChat:
    """A group, supergroup or channel; created with ``BotApiFake.group`` / ``BotApiFake.channel``."""

    def __init__(self, fake: BotApiFake, chat_id: int) -> None:
        self._fake = fake
        self.id = chat_id

    def __repr__(self) -> str:
        return f"FakeChat({self.id}, {self.type!r})"

    @property
    def type(self) -> str:
        with self._fake._cond:
            return self._fake._chat(self.id).type

    @property
    def title(self) -> str | None:
        with self._fake._cond:
            return self._fake._chat(self.id).title

    @property
    def username(self) -> str | None:
        with self._fake._cond:
            return self._fake._chat(self.id).username

    @property
    def bot_status(self) -> str:
        with self._fake._cond:
            return self._fake._chat(self.id).bot_status

    def as_dict(self) -> JSONDict:
        with self._fake._cond:
            return self._fake._chat_dict(self._fake._chat(self.id))

    def add_member(self, user: int | FakeUser, status: str = "member") -> None:
        with self._fake._cond:
            self._fake._add_member(self._fake._chat(self.id), user, status)

    def post(self, text: str) -> JSONDict:
        """Publish a channel post (a channel_post update when the bot administers the channel)."""
        with self._fake._cond:
            state = self._fake._chat(self.id)
            if state.type != "channel":
                raise ValueError("only channels have posts")
            return self._fake._store_user_message(state, None, {"text": text})

    def messages(self) -> list[JSONDict]:
        return self._fake.messages(self.id)


# --------------------------------------------------------------------------------------------------
# HTTP plumbing.
# --------------------------------------------------------------------------------------------------

_API_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]*)$")
_DISPOSITION_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _parse_multipart(body: bytes, boundary: str) -> tuple[JSONDict, dict[str, _Upload]]:
    params: JSONDict = {}
    files: dict[str, _Upload] = {}
    delimiter = b"--" + boundary.encode("latin-1")
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = part.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, _, value = line.partition(":")
            headers[header.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        attrs: dict[str, str] = {}
        for key, value in _DISPOSITION_PARAM.findall(disposition):
            if value.startswith('"'):
                value = value[1:-1].replace('\\"', '"').replace("%22", '"')
            attrs[key.lower()] = value
        if "filename*" in attrs and "''" in attrs["filename*"]:
            encoding, _, quoted = attrs["filename*"].partition("''")
            attrs["filename"] = urllib.parse.unquote(quoted, encoding=encoding or "utf-8")
        name = attrs.get("name")
        if name is None:
            continue
        if "filename" in attrs:
            content_type = headers.get("content-type", "application/octet-stream")
            files[name] = _Upload(attrs["filename"], content_type, content)
        else:
            params[name] = content.decode("utf-8", "replace")
    return params, files


def _coerce_params(raw: JSONDict) -> JSONDict:
    """Give form values (always strings) the types a JSON body would have."""
    params: JSONDict = {}
    for name, value in raw.items():
        if isinstance(value, str):
            if name in _JSON_PARAMS:
                try:
                    value = json.loads(value) if value else None
                except ValueError:
                    what = "reply keyboard markup" if name == "reply_markup" else name.replace("_", " ")
                    raise _bad_request(f"can't parse {what} JSON object") from None
            elif name in _INT_PARAMS:
                try:
                    value = int(value) if value != "" else None
                except ValueError:
                    raise _bad_request(f"invalid {name} specified") from None
            elif name in _BOOL_PARAMS:
                value = value.lower() in ("true", "1")
            elif name == "chat_id" and re.fullmatch(r"-?\d+", value.strip()):
                value = int(value)
        elif name in _INT_PARAMS and isinstance(value, float) and value.is_integer():
            value = int(value)
        params[name] = value
    return params


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], fake: BotApiFake) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client gave up (a timeout fault, a stopped bot): nothing to report
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: PTB and httpx reuse connections
    disable_nagle_algorithm = True  # otherwise delayed ACKs cost ~40 ms per request
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.fake._cond:
            self.server.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.fake._cond:
            self.server.fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server.fake
        path = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        route = urllib.parse.unquote(path.path)  # PTB percent-encodes the ":" of the token in file URLs
        api_match = _API_PATH.match(route)
        if api_match is None or not api_match[2]:
            self._reply(404, _dumps(ApiError(404, "Not Found").payload()))
            return
        if api_match[1] != fake.token:
            self._reply(401, _dumps(ApiError(401, "Unauthorized").payload()))
            return
        try:
            params, files = self._parse_params(path.query, body)
        except ApiError as error:
            self._reply(error.code, _dumps(error.payload()))
            return
        outcome = fake._handle_request(api_match[2], params, files)
        if outcome.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if outcome.delay and fake._stop_event.wait(outcome.delay):
            self.close_connection = True
            return
        assert outcome.body is not None
        self._reply(outcome.status, outcome.body)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _parse_params(self, query: str, body: bytes) -> tuple[JSONDict, dict[str, _Upload]]:
        raw: JSONDict = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        files: dict[str, _Upload] = {}
        content_type = self.headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        if body:
            if mime == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise _bad_request("can't parse JSON object") from None
                if not isinstance(decoded, dict):
                    raise _bad_request("JSON object expected")
                raw.update(decoded)
            elif mime == "multipart/form-data":
                boundary = re.search(r'boundary="?([^";]+)"?', content_type)
                if boundary is None:
                    raise _bad_request("multipart boundary is missing")
                parts, files = _parse_multipart(body, boundary[1])
                raw.update(parts)
            else:
                raw.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return _coerce_params(raw), files

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        head = (
            f"HTTP/1.1 {status} {phrase}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        try:
            self.wfile.write(head.encode("latin-1") + body)  # one segment: no delayed-ACK stall
        except OSError:
            self.close_connection = True
