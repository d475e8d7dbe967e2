"""An in-process stand-in for the Bot API (a PTB ``BaseRequest``) and builders of Telegram updates."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

BOT_ID = 777000
BOT_USERNAME = "KmuBeraterTestBot"
TOKEN = "123456:TEST-token-for-offline-tests-only"


class FakeRequest(BaseRequest):
    """Answers every Bot API call the bot makes and records it for assertions."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1)

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
        self.calls.append((api, params))
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
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            if api == "sendPhoto":
                message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
            if api == "sendDocument":
                message["document"] = {"file_id": "d", "file_unique_id": "d"}
            return message
        return True

    # --- assertions helpers ---

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [
            p
            for api, p in self.calls
            if api in ("sendMessage", "sendPhoto", "sendDocument")
            and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)
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

    def clear(self) -> None:
        self.calls.clear()


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
        self, user_id: int, data: str, *, language_code: str | None = "de", message_text: str = "…"
    ) -> Update:
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
                    "chat": {"id": user_id, "type": "private"},
                    "text": message_text,
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Berater"},
                },
            },
        }
        return Update.de_json(payload, self.app.bot)
