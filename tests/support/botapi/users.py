"""The users' and chats' handles tests play with: send, press, wait for the bot's replies."""

from __future__ import annotations

import asyncio
import bisect
import copy
import mimetypes
import time
from typing import TYPE_CHECKING, Any

from tests.support.botapi.entities import _command_entities
from tests.support.botapi.faults import _inline_buttons, _reply_keyboard_labels
from tests.support.botapi.files import _image_size, tiny_png
from tests.support.botapi.limits import ChatRef, JSONDict
from tests.support.load import scaled

if TYPE_CHECKING:  # annotations only: the fake imports this module
    from tests.support.botapi.fake import BotApiFake

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
