"""Tests for the local Bot API fake, driven by python-telegram-bot's own ``Bot`` and by plain httpx."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.support.botapi_fake import BotApiFake, format_text, tiny_png

TOKEN = "123456:TEST-token"
USER_ID = 42

# PTB 22 announces that RetryAfter.retry_after becomes a timedelta; retry_seconds() accepts both.
# The fake's own tests run over real HTTP with server threads, like the end-to-end suites that use it.
pytestmark = pytest.mark.e2e


@pytest.fixture
def fake() -> Iterator[BotApiFake]:
    with BotApiFake(TOKEN, bot_username="KmuTestBot") as server:
        server.user(USER_ID, first_name="Anna", language_code="de")
        yield server


# Loading the CA bundle costs ~20 ms per HTTP client; the fake speaks plain HTTP, so share one context.
_TLS = ssl.create_default_context()


def local_request(**kwargs: Any) -> HTTPXRequest:
    return HTTPXRequest(httpx_kwargs={"verify": _TLS}, **kwargs)


@pytest.fixture
async def bot(fake: BotApiFake) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=local_request(),
        get_updates_request=local_request(),
    ) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def api(fake: BotApiFake) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{fake.base_url}{TOKEN}/", timeout=5) as client:
        yield client


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data) for text, data in pairs]])


def retry_seconds(error: RetryAfter) -> float:
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ------------------------------------------------------------------------------------------ HTTP surface


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "KmuTestBot", True)
    assert me.can_read_all_group_messages is False  # privacy mode is on by default


async def test_a_wrong_token_is_unauthorized(fake: BotApiFake) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456:wrong", base_url=fake.base_url, request=local_request()):
            pass


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        (f"/bot{TOKEN}/getMe", 200, None),
        ("/bot999:nope/getMe", 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
        (f"/bot{TOKEN}/noSuchMethod", 404, {"ok": False, "error_code": 404, "description": "Not Found"}),
        (f"/file/bot{TOKEN}/photos/missing.jpg", 404, None),
        ("/elsewhere", 404, None),
    ],
)
def test_http_envelopes(fake: BotApiFake, path: str, status: int, body: dict[str, Any] | None) -> None:
    response = httpx.get(fake.url + path)

    assert response.status_code == status
    if body is not None:
        assert response.json() == body
    if status == 200:
        assert response.json()["ok"] is True


def test_method_names_are_case_insensitive(api: httpx.Client) -> None:
    assert api.get("GETME").json()["result"]["username"] == "KmuTestBot"


@pytest.mark.parametrize("encoding", ["json", "form", "query"])
def test_parameters_arrive_as_json_form_or_query(fake: BotApiFake, api: httpx.Client, encoding: str) -> None:
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    if encoding == "json":
        response = api.post("sendMessage", json={"chat_id": USER_ID, "text": "Hallo", "reply_markup": markup})
    else:
        fields = {"chat_id": str(USER_ID), "text": "Hallo", "reply_markup": json.dumps(markup)}
        response = (
            api.post("sendMessage", data=fields)
            if encoding == "form"
            else api.get("sendMessage", params=fields)
        )

    assert response.json()["ok"] is True
    assert fake.messages(USER_ID)[-1]["reply_markup"] == markup


# ------------------------------------------------------------------------------------------ long polling


async def test_long_polling_delivers_a_message_and_the_offset_confirms_it(fake: BotApiFake, bot: Bot) -> None:
    fake.user(USER_ID).send("/start")

    (update,) = await bot.get_updates(timeout=1)
    again = await bot.get_updates(timeout=0)  # not confirmed yet: delivered again
    confirmed = await bot.get_updates(offset=update.update_id + 1, timeout=0)

    assert update.message is not None and update.message.text == "/start"
    assert update.message.entities[0].type == "bot_command"  # what CommandHandler needs
    assert update.effective_user is not None and update.effective_user.language_code == "de"
    assert [u.update_id for u in again] == [update.update_id]
    assert confirmed == ()
    assert fake.pending_updates() == []


async def test_get_updates_answers_as_soon_as_an_update_arrives(fake: BotApiFake, bot: Bot) -> None:
    threading.Timer(0.2, fake.user(USER_ID).send, ["hallo"]).start()
    started = time.monotonic()

    updates = await bot.get_updates(timeout=5)

    assert 0.15 < time.monotonic() - started < 2
    assert [u.message.text for u in updates if u.message] == ["hallo"]


def test_get_updates_waits_for_its_timeout_when_idle(api: httpx.Client) -> None:
    started = time.monotonic()

    result = api.post("getUpdates", data={"timeout": "0.3"}).json()

    assert result == {"ok": True, "result": []}
    assert time.monotonic() - started >= 0.28


def test_a_second_poller_terminates_the_first_with_conflict(fake: BotApiFake) -> None:
    url = f"{fake.base_url}{TOKEN}/getUpdates"
    first: dict[str, Any] = {}
    poller = threading.Thread(
        target=lambda: first.update(httpx.post(url, data={"timeout": 3}, timeout=5).json())
    )
    poller.start()
    fake.wait_polling(timeout=2)

    second = httpx.post(url, data={"timeout": 0}).json()
    poller.join(timeout=2)

    assert second["ok"] is True
    assert first["error_code"] == 409 and "terminated by other getUpdates" in first["description"]


def test_negative_offset_forgets_all_but_the_newest_updates(fake: BotApiFake, api: httpx.Client) -> None:
    user = fake.user(USER_ID)
    for text in ("eins", "zwei", "drei"):
        user.send(text)

    result = api.post("getUpdates", data={"offset": -1}).json()["result"]

    assert [u["message"]["text"] for u in result] == ["drei"]


# ------------------------------------------------------------------------------------------ messages and buttons


async def test_pressing_an_inline_button_produces_a_callback_query(fake: BotApiFake, bot: Bot) -> None:
    sent = await bot.send_message(
        USER_ID, "Sind Sie ein KMU?", reply_markup=keyboard(("Ja", "yes"), ("Nein", "no"))
    )

    query = fake.user(USER_ID).press("yes")
    (update,) = await bot.get_updates()
    answered = await bot.answer_callback_query(query["id"], text="Danke")

    assert update.callback_query is not None
    assert update.callback_query.data == "yes"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    assert answered is True
    assert fake.callback_answer(query) == {"text": "Danke", "show_alert": False, "url": None, "cache_time": 0}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])


async def test_press_button_text_finds_the_label_on_the_newest_keyboard(fake: BotApiFake, bot: Bot) -> None:
    await bot.send_message(USER_ID, "alt", reply_markup=keyboard(("Ja", "old-yes")))
    await bot.send_message(USER_ID, "neu", reply_markup=keyboard(("Ja", "new-yes")))

    query = fake.user(USER_ID).press_button_text("Ja")

    assert query["data"] == "new-yes"


async def test_a_reply_keyboard_button_sends_its_label(fake: BotApiFake, bot: Bot) -> None:
    await bot.send_message(USER_ID, "Ja oder nein?", reply_markup=ReplyKeyboardMarkup([["Ja", "Nein"]]))
    user = fake.user(USER_ID)

    message = user.press_button_text("Nein")
    (update,) = await bot.get_updates()

    assert user.keyboard == ["Ja", "Nein"]
    assert message["text"] == "Nein"
    assert update.message is not None and update.message.text == "Nein"


async def test_pressing_a_missing_button_fails_unless_forced(fake: BotApiFake, bot: Bot) -> None:
    await bot.send_message(USER_ID, "Frage", reply_markup=keyboard(("Ja", "yes")))
    user = fake.user(USER_ID)

    with pytest.raises(LookupError):
        user.press("admin:delete-all")
    forged = user.press("admin:delete-all", force=True)

    assert forged["data"] == "admin:delete-all"


@pytest.mark.parametrize(
    ("callback_data", "accepted"),
    [("x" * 64, True), ("x" * 65, False), ("ä" * 32, True), ("ä" * 33, False), ("", False)],
)
async def test_callback_data_must_be_1_to_64_bytes(bot: Bot, callback_data: str, accepted: bool) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Knopf", callback_data=callback_data)]])
    if accepted:
        await bot.send_message(USER_ID, "ok", reply_markup=markup)
    else:
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(USER_ID, "zu lang", reply_markup=markup)


async def test_edit_message_text_keeps_state_and_refuses_identical_edits(fake: BotApiFake, bot: Bot) -> None:
    user = fake.user(USER_ID)
    sent = await bot.send_message(USER_ID, "Frage 1", reply_markup=keyboard(("Weiter", "next")))
    user.wait_reply()

    await bot.edit_message_text(
        "Frage 2", USER_ID, sent.message_id, reply_markup=keyboard(("Weiter", "next"))
    )
    edited = user.wait_edit(sent.message_id, timeout=1)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Frage 2", USER_ID, sent.message_id, reply_markup=keyboard(("Weiter", "next"))
        )
    await bot.edit_message_text("Fertig", USER_ID, sent.message_id)  # no markup: the keyboard goes away

    assert edited["text"] == "Frage 2" and "edit_date" in edited
    (latest,) = fake.messages(USER_ID)
    assert latest["text"] == "Fertig" and "reply_markup" not in latest
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER_ID, 999)


async def test_message_ids_increase_per_chat_across_user_and_bot(fake: BotApiFake, bot: Bot) -> None:
    other = fake.user(7, first_name="Ben")
    first = fake.user(USER_ID).send("hallo")
    reply = await bot.send_message(USER_ID, "Hallo Anna")
    elsewhere = await bot.send_message(other.id, "Hallo Ben")

    assert (first["message_id"], reply.message_id, elsewhere.message_id) == (1, 2, 1)


async def test_sending_to_an_unknown_chat_fails(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hallo")


# ------------------------------------------------------------------------------------------ text rules


@pytest.mark.parametrize(
    ("text", "parse_mode", "accepted"),
    [
        ("a" * 4096, None, True),
        ("a" * 4097, None, False),
        ("<b>" + "a" * 4096 + "</b>", "HTML", True),  # markup does not count
        ("😀" * 4096, None, True),  # characters, not UTF-16 code units
        ("a" * 4096 + "\n\n", None, True),  # surrounding whitespace is trimmed
    ],
)
async def test_text_limit_is_4096_characters_after_entity_parsing(
    bot: Bot, text: str, parse_mode: str | None, accepted: bool
) -> None:
    if accepted:
        await bot.send_message(USER_ID, text, parse_mode=parse_mode)
    else:
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER_ID, text, parse_mode=parse_mode)


@pytest.mark.parametrize("text", ["", "   \n", "<b></b>"])
async def test_empty_text_is_refused(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER_ID, text, parse_mode="HTML")


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("a < b", "HTML", "Unsupported start tag"),
        ("<b>fett", "HTML", "Can't find end tag"),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
    ],
)
async def test_malformed_html_is_a_bad_request(bot: Bot, text: str, parse_mode: str, error: str) -> None:
    with pytest.raises(BadRequest, match=rf"(?i)can't parse entities: {error}"):
        await bot.send_message(USER_ID, text, parse_mode=parse_mode)


@pytest.mark.parametrize(
    ("source", "parse_mode", "text", "entities"),
    [
        ("<b>Hallo</b> &amp; <i>tschüss</i>", "HTML", "Hallo & tschüss", [("bold", 0, 5), ("italic", 8, 7)]),
        ("😀 <b>fett</b>", "HTML", "😀 fett", [("bold", 3, 4)]),  # offsets in UTF-16 code units
    ],
)
def test_entities_are_parsed_like_telegram(
    source: str, parse_mode: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed_text, parsed = format_text(source, parse_mode)

    assert parsed_text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


# ------------------------------------------------------------------------------------------ files


async def test_send_photo_multipart_stores_bytes_caption_and_size(fake: BotApiFake, bot: Bot) -> None:
    png = tiny_png(30, 20)

    sent = await bot.send_photo(
        USER_ID, io.BytesIO(png), filename="chart.png", caption="<b>Ihr</b> Profil", parse_mode="HTML"
    )

    stored = fake.messages(USER_ID)[-1]
    largest = stored["photo"][-1]
    assert stored["caption"] == "Ihr Profil"
    assert (largest["width"], largest["height"]) == (30, 20)
    assert fake.file_bytes(largest["file_id"]) == png
    assert sent.photo[-1].file_id == largest["file_id"]
    upload = fake.calls("sendPhoto")[-1].params["photo"]
    assert upload["filename"] == "chart.png" and upload["size"] == len(png)


async def test_a_photo_that_is_no_image_is_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, io.BytesIO(b"not an image"), filename="x.png")


async def test_send_document_keeps_name_mime_type_and_bytes(fake: BotApiFake, bot: Bot) -> None:
    data = b"Kategorie;Umsatz\nklein;5\n"

    await bot.send_document(USER_ID, io.BytesIO(data), filename="export.csv", caption="Export")

    document = fake.messages(USER_ID)[-1]["document"]
    assert document["file_name"] == "export.csv"
    assert document["mime_type"] == "text/csv"
    assert fake.file_bytes(document["file_id"]) == data


async def test_user_media_reach_the_bot(fake: BotApiFake, bot: Bot) -> None:
    user = fake.user(USER_ID)
    user.send_sticker()
    user.send_voice()
    user.send_photo(caption="Mein Laden")
    user.send_document(b"Bilanz", file_name="bilanz.pdf")

    updates = await bot.get_updates()

    sticker, voice, photo, document = (u.message for u in updates if u.message)
    assert sticker.sticker is not None and sticker.sticker.emoji == "👍"
    assert voice.voice is not None and voice.voice.mime_type == "audio/ogg"
    assert photo.photo and photo.caption == "Mein Laden"
    assert document.document is not None and document.document.file_name == "bilanz.pdf"


# ------------------------------------------------------------------------------------------ chats and members


async def test_group_privacy_mode_passes_only_commands_for_this_bot(
    fake: BotApiFake, api: httpx.Client
) -> None:
    user = fake.user(USER_ID)
    group = fake.group(-5, "Stammtisch", members={USER_ID: "member"})

    for text in ("hallo zusammen", "/subscribe@KmuTestBot", "/subscribe@OtherBot", "/help"):
        user.send(text, chat=group)
    delivered = api.post("getUpdates").json()["result"]

    assert [u["message"]["text"] for u in delivered] == ["/subscribe@KmuTestBot", "/help"]
    with pytest.raises(ValueError, match=r"(?i)not a member"):
        fake.user(7).send("hallo", chat=group)


async def test_channel_admin_rights_and_posting_by_username(fake: BotApiFake, bot: Bot) -> None:
    fake.channel(-100777, username="@kmu_news")
    fake.channel(-100778, username="@readonly", bot_status="member")

    member = await bot.get_chat_member(-100777, bot.id)
    sent = await bot.send_message("@kmu_news", "Tipp der Woche")

    assert isinstance(member, ChatMemberAdministrator) and member.can_post_messages is True
    assert sent.chat.id == -100777 and sent.sender_chat is not None
    with pytest.raises(BadRequest, match=r"(?i)need administrator rights"):
        await bot.send_message("@readonly", "Tipp")


async def test_get_chat_and_members(fake: BotApiFake, bot: Bot) -> None:
    fake.group(-9, "Vorstand", members={1: "creator", 2: "administrator", USER_ID: "member"})
    fake.user(7, first_name="Ben")  # known to Telegram, but not in the group

    chat = await bot.get_chat(-9)
    statuses = [(await bot.get_chat_member(-9, user_id)).status for user_id in (1, 2, USER_ID, 7)]

    assert chat.title == "Vorstand"
    assert statuses == ["creator", "administrator", "member", "left"]
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(-9, 99_999)
    assert (await bot.get_chat(USER_ID)).first_name == "Anna"


async def test_commands_are_stored_per_scope_and_language(fake: BotApiFake, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Beratung starten")], language_code="de")
    await bot.set_my_commands([BotCommand("export", "Export")], scope=BotCommandScopeChat(USER_ID))

    german = await bot.get_my_commands(language_code="de")
    default = await bot.get_my_commands()

    assert [c.command for c in german] == ["start"]
    assert default == ()
    assert fake.commands({"type": "chat", "chat_id": USER_ID}) == [
        {"command": "export", "description": "Export"}
    ]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])


# ------------------------------------------------------------------------------------------ faults


@pytest.mark.parametrize(
    ("error", "expected", "fragment"),
    [
        (429, RetryAfter, "Flood control exceeded"),
        (403, Forbidden, "bot was blocked by the user"),
        (500, NetworkError, "Internal Server Error"),
        (502, NetworkError, "Bad Gateway"),
        (400, BadRequest, "Bad Request"),
        ("drop", NetworkError, ""),
    ],
)
async def test_an_injected_fault_surfaces_as_the_ptb_exception(
    fake: BotApiFake, bot: Bot, error: int | str, expected: type[TelegramError], fragment: str
) -> None:
    fake.inject("sendMessage", error=error, retry_after=2)

    with pytest.raises(expected, match=rf"(?i){fragment}") as raised:
        await bot.send_message(USER_ID, "erster Versuch")
    await bot.send_message(USER_ID, "zweiter Versuch")  # the fault was used up

    assert [m["text"] for m in fake.messages(USER_ID)] == ["zweiter Versuch"]
    if isinstance(raised.value, RetryAfter):
        assert retry_seconds(raised.value) == 2
    assert [c.fault for c in fake.calls("sendMessage")] == [str(error), None]


async def test_a_timeout_fault_takes_effect_but_the_answer_comes_too_late(fake: BotApiFake) -> None:
    fake.inject("sendMessage", error="timeout", delay=1.0)

    async with Bot(TOKEN, base_url=fake.base_url, request=local_request(read_timeout=0.3)) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(USER_ID, "kam trotzdem an")

    assert [m["text"] for m in fake.messages(USER_ID)] == ["kam trotzdem an"]


async def test_faults_can_target_one_chat_and_repeat(fake: BotApiFake, bot: Bot) -> None:
    fake.user(7)
    fault = fake.inject("sendMessage", error=500, chat_id=7, times=None)

    for _ in range(3):
        with pytest.raises(NetworkError):
            await bot.send_message(7, "x")
    await bot.send_message(USER_ID, "andere Chats gehen")
    fake.clear_faults()
    await bot.send_message(7, "jetzt geht es")

    assert fault.hits == 3


async def test_a_blocked_user_answers_forbidden_and_reports_it(fake: BotApiFake, bot: Bot) -> None:
    fake.block(USER_ID)

    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER_ID, "Neuer Tipp")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER_ID, "typing")
    (update,) = await bot.get_updates()

    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    fake.unblock(USER_ID)
    await bot.send_message(USER_ID, "wieder da")


async def test_a_migrated_group_answers_with_the_new_chat_id(fake: BotApiFake, bot: Bot) -> None:
    fake.group(-5, members={USER_ID: "creator"})
    supergroup = fake.migrate(-5)

    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(-5, "Tipp")
    await bot.send_message(raised.value.new_chat_id, "Tipp")

    assert raised.value.new_chat_id == supergroup.id == -1005
    assert [m["text"] for m in fake.messages(supergroup)] == ["Tipp"]


def test_random_faults_are_reproducible_with_a_seed(api: httpx.Client, fake: BotApiFake) -> None:
    def statuses() -> list[int]:
        fake.inject_random(rate=0.5, errors=(500,), seed=7, methods=["getMyName"])
        return [api.get("getMyName").status_code for _ in range(40)]

    first, second = statuses(), statuses()

    assert first == second
    assert 8 <= first.count(500) <= 32


def test_slow_delays_a_method(fake: BotApiFake, api: httpx.Client) -> None:
    fake.slow("getMe", 0.2)
    started = time.monotonic()

    api.get("getMe")

    assert time.monotonic() - started >= 0.2


# ------------------------------------------------------------------------------------------ flood limits


async def test_per_chat_limit_answers_429_with_retry_after(fake: BotApiFake, bot: Bot) -> None:
    fake.enforce_limits(global_per_second=None, per_chat_per_second=1, per_group_per_minute=None)

    await bot.send_message(USER_ID, "eins")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER_ID, "zwei")

    assert retry_seconds(raised.value) == 1
    assert fake.limit_violations == 1


async def test_global_limit_spans_all_chats_and_scales(fake: BotApiFake, bot: Bot) -> None:
    users = [fake.user(1000 + n) for n in range(7)]
    fake.enforce_limits(
        global_per_second=3, per_chat_per_second=None, per_group_per_minute=None, time_scale=2
    )

    for user in users[:6]:
        await bot.send_message(user.id, "Tipp")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[6].id, "Tipp")

    assert fake.sent_count() == 6 and fake.limit_violations == 1


async def test_group_limit_is_per_minute(fake: BotApiFake, bot: Bot) -> None:
    fake.group(-5, members={USER_ID: "member"})
    fake.enforce_limits(global_per_second=None, per_chat_per_second=None, per_group_per_minute=2)

    await bot.send_message(-5, "eins")
    await bot.send_message(-5, "zwei")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(-5, "drei")

    assert 55 <= retry_seconds(raised.value) <= 60
    await bot.send_message(USER_ID, "private Chats zählen nicht zum Gruppenlimit")


# ------------------------------------------------------------------------------------------ observing


def test_wait_reply_reads_bot_messages_in_order(fake: BotApiFake, api: httpx.Client) -> None:
    user = fake.user(USER_ID)
    for text in ("Willkommen", "Frage 1"):
        api.post("sendMessage", json={"chat_id": USER_ID, "text": text})

    first, second = user.wait_replies(2, timeout=1)
    threading.Timer(0.1, api.post, ["sendMessage"], {"json": {"chat_id": USER_ID, "text": "Frage 2"}}).start()
    third = user.wait_reply(timeout=2)

    assert [first["text"], second["text"], third["text"]] == ["Willkommen", "Frage 1", "Frage 2"]
    with pytest.raises(TimeoutError, match=r"(?i)Frage 2"):  # the transcript explains the timeout
        user.wait_reply(timeout=0.1)


def test_wait_for_a_predicate_or_a_count(fake: BotApiFake, api: httpx.Client) -> None:
    for n in range(3):
        api.post("sendMessage", json={"chat_id": USER_ID, "text": f"Nachricht {n}"})

    found = fake.wait_for(lambda m: m["text"].endswith("1"), chat_id=USER_ID, timeout=1)
    everything = fake.wait_for(3, timeout=1)

    assert found["text"] == "Nachricht 1"
    assert len(everything) == 3
    with pytest.raises(TimeoutError):
        fake.wait_for(4, chat_id=USER_ID, timeout=0.1)


def test_calls_log_every_request_with_its_status(fake: BotApiFake, api: httpx.Client) -> None:
    api.post("sendMessage", json={"chat_id": USER_ID, "text": "hallo"})
    api.post("sendMessage", json={"chat_id": USER_ID, "text": ""})

    ok, refused = fake.calls("sendMessage", chat_id=USER_ID)

    assert (ok.status, ok.params["text"], ok.result["text"]) == (200, "hallo", "hallo")
    assert (refused.status, refused.description) == (400, "Bad Request: message text is empty")
    assert len({c.params["text"] for c in fake.calls("sendMessage") if c.ok}) == 1


def test_a_thousand_sends_are_all_kept_in_order(fake: BotApiFake, api: httpx.Client) -> None:
    users = [fake.user(10_000 + n) for n in range(100)]

    for round_ in range(10):
        for user in users:
            api.post("sendMessage", json={"chat_id": user.id, "text": f"Tipp {round_}"})

    assert fake.wait_for(1000, timeout=1)[-1]["text"] == "Tipp 9"
    assert [m["message_id"] for m in fake.messages(users[0])] == list(range(1, 11))


# ------------------------------------------------------------------------------------------ whole bots


async def test_an_in_process_application_talks_to_a_fake_user(fake: BotApiFake) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet the user by name."""
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(f"Hallo {update.effective_user.first_name}!")

    app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    user = fake.user(USER_ID)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        user.send("/start")
        reply = await user.wait_reply_async(timeout=5)
        await app.updater.stop()
        await app.stop()

    assert reply["text"] == "Hallo Anna!"
    assert fake.pending_updates() == []  # the Updater confirmed the /start update


def test_webhook_delivery_posts_updates_with_the_secret(fake: BotApiFake, api: httpx.Client) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        set_result = api.post("setWebhook", data={"url": url, "secret_token": "s3cret"}).json()
        fake.user(USER_ID).send("/start")
        fake.wait_updates_consumed(timeout=3)
        conflict = api.post("getUpdates").json()
        info = api.get("getWebhookInfo").json()["result"]
    finally:
        receiver.shutdown()
        receiver.server_close()

    assert set_result == {"ok": True, "result": True, "description": "Webhook was set"}
    assert [(secret, update["message"]["text"]) for secret, update in received] == [("s3cret", "/start")]
    assert conflict["error_code"] == 409
    assert info["url"] == url and info["pending_update_count"] == 0


async def test_async_waiting_does_not_block_the_event_loop(fake: BotApiFake, bot: Bot) -> None:
    waiting = asyncio.create_task(
        fake.wait_for_async(lambda m: m["text"] == "spät", chat_id=USER_ID, timeout=3)
    )

    await asyncio.sleep(0.05)
    await bot.send_message(USER_ID, "spät")

    assert (await waiting)["text"] == "spät"
