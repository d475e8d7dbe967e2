"""A local fake of the Telegram Bot API, split by job: limits, entities, files, faults, the fake, users, server.

``fake`` holds ``BotApiFake`` and the module docstring with a typical end-to-end test.
"""

from tests.support.botapi.entities import format_text
from tests.support.botapi.fake import BotApiFake
from tests.support.botapi.faults import CallRecord, Fault
from tests.support.botapi.files import tiny_png
from tests.support.botapi.limits import MAX_CALLBACK_DATA_BYTES, MAX_TEXT_LENGTH, ApiError
from tests.support.botapi.users import FakeChat, FakeUser

__all__ = [
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_TEXT_LENGTH",
    "ApiError",
    "BotApiFake",
    "CallRecord",
    "FakeChat",
    "FakeUser",
    "Fault",
    "format_text",
    "tiny_png",
]
