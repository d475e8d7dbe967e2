"""An in-process stand-in for the Bot API (a PTB ``BaseRequest``) and builders of Telegram updates.

It refuses what Telegram refuses in the calls the bot makes: HTML that does not parse, texts over 4,096
characters, captions over 1,024, and button data over 64 bytes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any, ClassVar

from telegram import Update
from telegram.error import TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from tests.support.botapi import MAX_CALLBACK_DATA_BYTES, MAX_TEXT_LENGTH, ApiError, format_text

MAX_CAPTION_LENGTH = 1024
SHOWN = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText")
# Calls that count against the 30 messages a second Telegram allows a bot (answerCallbackQuery does not).
RATE_LIMITED = (*SHOWN, "editMessageReplyMarkup", "sendChatAction")

BOT_ID = 777000
BOT_USERNAME = "KmuBeraterTestBot"
TOKEN = "123456:TEST-token-for-offline-tests-only"


class FakeRequest(BaseRequest):
    """Answers every Bot API call the bot makes and records it for assertions.

    An uploaded photo is answered with a file_id of its own, and a photo sent by file_id is refused unless that
    id was handed out, as Telegram does (the ids of every fake count: they all stand for the one test bot).
    """

    photo_ids: ClassVar[set[str]] = set()  # every file_id the fakes answered an upload with
    _photo_numbers = itertools.count(1)

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1)
        self.send_delay = 0.0  # seconds each send takes, so that concurrent updates really interleave
        self.refusals: dict[str, list[tuple[int, str] | TimedOut]] = {}  # method -> the next failures
        self.validate = True  # refuse what Telegram refuses (parses every HTML text: costly in benchmarks)
        self.edit_refusal: str | None = None  # when set, every editMessageText is refused with it

    def refuse(self, api: str, description: str, times: int = 1, status: int = 400) -> None:
        """Answer the next ``times`` calls of ``api`` with ``status`` and ``description``."""
        self.refusals.setdefault(api, []).extend([(status, description)] * times)

    def time_out(self, api: str, times: int = 1) -> None:
        """Let the next ``times`` calls of ``api`` time out (as if the answer never came)."""
        self.refusals.setdefault(api, []).extend([TimedOut()] * times)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data and request_data.multipart_data:
            params["_files"] = {name: f[1] for name, f in request_data.multipart_data.items()}
            params["_file_types"] = {name: (f[0], f[2]) for name, f in request_data.multipart_data.items()}
        self.calls.append((api, params))
        if api.startswith("send") and self.send_delay:
            await asyncio.sleep(self.send_delay)
        if self.refusals.get(api):
            failure = self.refusals[api].pop(0)
            if isinstance(failure, TimedOut):
                raise failure
            status, description = failure
            return status, json.dumps(
                {"ok": False, "error_code": status, "description": description}
            ).encode()
        try:
            if api == "editMessageText" and self.edit_refusal is not None:
                raise ApiError(400, self.edit_refusal)
            if api == "sendPhoto" and "_files" not in params and params.get("photo") not in self.photo_ids:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            if self.validate:
                check(api, params)
        except ApiError as error:
            return error.code, json.dumps(error.payload()).encode()
        return 200, json.dumps({"ok": True, "result": self.result(api, params)}).encode()

    def result(self, api: str, params: dict[str, Any]) -> Any:
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Berater", "username": BOT_USERNAME}
        if api == "getMe":
            return bot
        if api in ("sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params.get("chat_id", 0))
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": bot,
            }
            if "text" in params:
                message["text"] = params["text"]
            markup = params.get("reply_markup")
            if markup:
                message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            if api == "sendPhoto":
                file_id = params.get("photo") if "_files" not in params else None
                if file_id is None:
                    file_id = f"photo-{next(FakeRequest._photo_numbers)}"
                    FakeRequest.photo_ids.add(file_id)
                message["photo"] = [{"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1}]
            if api == "sendDocument":
                message["document"] = {"file_id": "d", "file_unique_id": "d"}
            return message
        return True

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Every message shown in the chat, in order: the ones sent and the ones edited into a new screen."""
        return [
            p
            for api, p in self.calls
            if api in SHOWN and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [p.get("text") or p.get("caption") or "" for p in self.sent(chat_id)]

    def last_keyboard(self, chat_id: int) -> list[list[dict[str, Any]]]:
        for params in reversed(self.sent(chat_id)):
            markup = params.get("reply_markup")
            if markup:
                markup = json.loads(markup) if isinstance(markup, str) else markup
                return markup["inline_keyboard"]  # type: ignore[no-any-return]
        return []

    def rate_limited(self) -> list[str]:
        """The calls made so far that count against Telegram's 30 messages a second."""
        return [api for api, _ in self.calls if api in RATE_LIMITED]

    def clear(self) -> None:
        self.calls.clear()


def check(api: str, params: dict[str, Any]) -> None:
    """Raise the ``ApiError`` Telegram would answer a send or edit with."""
    if api in ("sendMessage", "editMessageText"):
        text, _ = format_text(params.get("text"), params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
    elif "caption" in params:
        caption, _ = format_text(params.get("caption"), params.get("parse_mode"))
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


class Updates:
    """Builds update payloads as Telegram sends them."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(5000)

    def user(self, user_id: int, language_code: str | None = "de") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if language_code:
            user["language_code"] = language_code
        return user

    def message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        language_code: str | None = "de",
        extra: dict[str, Any] | None = None,
        kind: str = "message",
    ) -> Update:
        chat_id = chat_id if chat_id is not None else user_id
        chat = (
            {"id": chat_id, "type": "private"}
            if chat_id > 0
            else {"id": chat_id, "type": "group", "title": "Handwerk"}
        )
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user(user_id, language_code),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra or {})
        return Update.de_json({"update_id": next(self._update_ids), kind: message}, self.app.bot)

    def press(
        self,
        user_id: int,
        data: str,
        *,
        language_code: str | None = "de",
        message_text: str = "…",
        chat_id: int | None = None,
    ) -> Update:
        chat_id = chat_id if chat_id is not None else user_id
        chat = (
            {"id": chat_id, "type": "private"}
            if chat_id > 0
            else {"id": chat_id, "type": "group", "title": "H"}
        )
        payload = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._update_ids)),
                "from": self.user(user_id, language_code),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": chat,
                    "text": message_text,
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Berater"},
                    "reply_markup": {"inline_keyboard": [[{"text": "…", "callback_data": data}]]},
                },
            },
        }
        return Update.de_json(payload, self.app.bot)
