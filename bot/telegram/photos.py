"""Pictures sent again by the file_id Telegram gave them, not uploaded again.

Telegram keeps every uploaded photo and answers the upload with its ``file_id``; sending that id again shows
the same picture without the bytes going over the wire (and PTB builds no multipart body). The result chart
recurs (one picture per split of the budget and language), so its file_id is kept per chart key. Telegram may
forget a file or refuse an id (a new bot token, a file removed): the id is then forgotten and the picture
uploaded again, in the same send.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import InputFile
from telegram.error import BadRequest
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

log = logging.getLogger(__name__)

# PTB suggests its typed method; the call goes through do_api_request on purpose (see send_photo).
PNG = "image/png"

warnings.filterwarnings("ignore", r"Please use 'Bot\.sendPhoto'", PTBUserWarning, "bot.telegram.photos")


class SentPhotos:
    """The file_ids of pictures this bot uploaded, by the key of the picture (the most recent ``size``)."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._ids: OrderedDict[Hashable, str] = OrderedDict()

    def get(self, key: Hashable) -> str | None:
        file_id = self._ids.get(key)
        if file_id is not None:
            self._ids.move_to_end(key)
        return file_id

    def put(self, key: Hashable, file_id: str) -> None:
        self._ids[key] = file_id
        self._ids.move_to_end(key)
        while len(self._ids) > self._size:
            self._ids.popitem(last=False)

    def forget(self, key: Hashable, file_id: str) -> None:
        if self._ids.get(key) == file_id:  # another send may have put a fresh id meanwhile
            del self._ids[key]

    def __len__(self) -> int:
        return len(self._ids)


async def send_photo(
    bot: ExtBot[Any],
    sent: SentPhotos,
    chat_id: int,
    key: Hashable,
    png: Callable[[], Awaitable[bytes]],
    filename: str,
    caption: str,
) -> None:
    """Send the picture of ``key``: by its file_id when it was uploaded before, else (or when Telegram refuses
    the id) upload ``png()`` and keep the id Telegram answers with.

    Like ``send_html`` the call goes through ``do_api_request``: the sent message is not parsed into PTB objects.
    """
    file_id = sent.get(key)
    if file_id is not None:
        try:
            await bot.do_api_request("sendPhoto", {"chat_id": chat_id, "photo": file_id, "caption": caption})
            return
        except BadRequest as error:  # e.g. "wrong file identifier": upload it again below
            sent.forget(key, file_id)
            log.info("A kept photo id was refused (%s); the picture is uploaded again", error.message)
    # Named after the upload, not at it: PTB guesses the type from the name with ``mimetypes``, whose first use
    # reads the system's whole table of types (~0.35 MB kept for the process) to learn that .png is image/png.
    photo = InputFile(io.BytesIO(await png()))
    photo.filename, photo.mimetype = filename, PNG
    answer = await bot.do_api_request("sendPhoto", {"chat_id": chat_id, "photo": photo, "caption": caption})
    uploaded = largest_photo_id(answer)
    if uploaded is not None:
        sent.put(key, uploaded)


def largest_photo_id(message: object) -> str | None:
    """The file_id of the largest size of the photo in a sent message (as JSON), if it has one."""
    if not isinstance(message, dict):
        return None
    sizes = message.get("photo")
    if not isinstance(sizes, list) or not sizes or not isinstance(sizes[-1], dict):
        return None
    file_id = sizes[-1].get("file_id")
    return file_id if isinstance(file_id, str) and file_id else None
