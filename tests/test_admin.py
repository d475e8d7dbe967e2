"""Admin commands through the real PTB Application: only ADMIN_IDS get exports and statistics, only in private."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CommandHandler
from telegram.request import RequestData

from bot.console import ConsoleAdvisor
from bot.storage import Storage
from bot.telegram.app import _post_init
from tests.support.harness import Harness, answer_all, consent
from tests.support.harness import add_respondent as add
from tests.support.telegram_fakes import FakeRequest

ADMIN = 5550001
OTHER_ADMIN = 5550002  # never started the bot: Telegram refuses its command menu
USER = 4242
GROUP = -100200300


class MenuRefusingRequest(FakeRequest):
    """Refuses setMyCommands for the chat of an admin who never started the bot, as Telegram does."""

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        params = dict(request_data.parameters) if request_data else {}
        if url.endswith("/setMyCommands") and str(OTHER_ADMIN) in json.dumps(params.get("scope", "")):
            self.calls.append(("setMyCommands", params))
            return 400, b'{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}'
        return await super().do_request(url, method, request_data, *args, **kwargs)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    env = {"ADMIN_IDS": f"{ADMIN},{OTHER_ADMIN}"}
    harness = Harness(tmp_path / "bot.db", env=env, request=MenuRefusingRequest())
    async with harness.app:
        yield harness


def fill(storage: Storage, n: int = 6) -> None:
    for user_id in range(n):
        add(storage, 7000 + user_id)


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/export", "/export xlsx", "/stats"])
@pytest.mark.parametrize(
    ("chat", "language", "refusal"),
    [
        (USER, "de", "nur den Administratoren"),
        (GROUP, "de", "nur den Administratoren"),
        (USER, "en", "only available to the administrators"),
        (GROUP, "en", "only available to the administrators"),
    ],
)
async def test_non_admins_get_neither_export_nor_stats(
    bot: Harness, command: str, chat: int, language: str, refusal: str
) -> None:
    fill(bot.storage)
    await bot.send(command, user=USER, chat_id=chat, language_code=language)
    assert not bot.calls("sendDocument", chat) and not bot.calls("sendPhoto", chat)
    texts = bot.request.texts(chat)
    assert len(texts) == 1 and refusal in texts[0]


@pytest.mark.parametrize("command", ["/export", "/stats"])
async def test_admins_get_no_data_in_a_group(bot: Harness, command: str) -> None:
    fill(bot.storage)
    await bot.send(command, user=ADMIN, chat_id=GROUP)
    assert not bot.calls("sendDocument", GROUP) and not bot.calls("sendPhoto", GROUP)
    assert "nur in Ihrem privaten Chat" in bot.request.texts(GROUP)[0]


async def test_non_admins_get_no_broadcast(bot: Harness) -> None:
    registered = [
        h
        for group in bot.app.handlers.values()
        for h in group
        if isinstance(h, CommandHandler) and "broadcast" in h.commands
    ]
    assert registered, "/broadcast is registered"
    for chat in (USER, GROUP):
        await bot.send("/broadcast Hallo an alle", user=USER, chat_id=chat)
    assert "nur den Administratoren" in bot.request.texts(USER)[-1]  # refused in the private chat
    assert not [
        p for name, p in bot.request.calls if name == "sendMessage" and "Hallo an alle" in p.get("text", "")
    ]


# --- the admin's commands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "filename", "check"),
    [
        ("/export", ".csv", lambda data: data.startswith(b"export_id,month,language,")),
        ("/export CSV", ".csv", lambda data: len(data.decode().splitlines()) == 7 and b"#" not in data),
        ("/export csv en", ".csv", lambda data: b",Craft trade," in data),
        ("/export json", ".json", lambda data: len(json.loads(data)["rows"]) == 6),
        (
            "/export xlsx",
            ".xlsx",
            lambda data: "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist(),
        ),
    ],
)
async def test_admin_export_sends_a_document(bot: Harness, command: str, filename: str, check: Any) -> None:
    fill(bot.storage)
    await bot.send(command, user=ADMIN)
    documents = bot.calls("sendDocument", ADMIN)
    assert len(documents) == (1 if filename == ".xlsx" else 2)  # CSV and JSON: the codebook beside
    assert check(documents[0]["_files"]["document"])
    assert "6 Teilnehmende; 0 ausgelassen" in documents[0]["caption"]


async def test_admin_export_of_an_unknown_format_explains_the_usage(bot: Harness) -> None:
    await bot.send("/export pdf", user=ADMIN)
    assert not bot.calls("sendDocument", ADMIN)
    assert "/export xlsx" in bot.request.texts(ADMIN)[-1]


async def test_admin_stats_sends_text_and_a_chart(bot: Harness) -> None:
    fill(bot.storage)
    await consent(bot)  # a seventh respondent, who answers one question and stops
    await answer_all(bot, ["12"])
    bot.request.clear()
    await bot.send("/stats", user=ADMIN)
    text = bot.request.texts(ADMIN)[0]
    assert "Teilnehmende: 7" in text
    assert "Begonnene Durchgänge: 7, abgeschlossen: 6" in text
    assert "• Jahresumsatz: 1" in text.split("stehen geblieben")[1]  # stopped at the turnover question
    assert "kleines Unternehmen: 6" in text and "(n = 6)" in text
    photos = bot.calls("sendPhoto", ADMIN)
    assert len(photos) == 1 and photos[0]["_files"]["photo"].startswith(b"\x89PNG")


async def test_stats_hide_medians_of_classes_with_fewer_than_k(bot: Harness) -> None:
    fill(bot.storage, 4)
    await bot.send("/stats", user=ADMIN, language_code="en")
    text = bot.request.texts(ADMIN)[0]
    assert (
        "small enterprise: 4" in text and "fewer than 5 answers, not shown" in text and "(n = 4)" not in text
    )


# --- command menus -------------------------------------------------------------------------------


async def test_admin_menus_are_set_per_admin_chat_and_a_refusal_is_tolerated(bot: Harness) -> None:
    bot.request.clear()
    await _post_init(bot.app)
    menus = [p for name, p in bot.request.calls if name == "setMyCommands"]
    admin_menus = [p for p in menus if str(ADMIN) in json.dumps(p.get("scope", ""))]
    assert {p.get("language_code") for p in admin_menus} == {None, "de", "en"}
    german = next(p for p in admin_menus if p.get("language_code") == "de")
    commands = json.loads(german["commands"]) if isinstance(german["commands"], str) else german["commands"]
    names = [c["command"] for c in commands]
    assert "export" in names and "stats" in names and "start" in names
    assert any("anonymer Export" in c["description"] for c in commands)
    everyone = [p for p in menus if "chat_id" not in json.dumps(p.get("scope", ""))]
    assert everyone and all("export" not in json.dumps(p["commands"]) for p in everyone)
    assert [
        p for p in menus if str(OTHER_ADMIN) in json.dumps(p.get("scope", ""))
    ]  # tried, refused, no crash


# --- peer benchmark in the result ----------------------------------------------------------------


@pytest.mark.parametrize(("others", "shown"), [(4, False), (5, True)])
async def test_result_shows_the_peer_benchmark_only_with_k_companies(
    bot: Harness, others: int, shown: bool
) -> None:
    # Four or five consenting small companies; the user's own result only counts when they consent.
    for user_id in range(others):
        add(bot.storage, 8000 + user_id)
    await consent(bot, yes=False)
    await answer_all(bot)
    await bot.press("ok|summary")
    texts = "\n".join(bot.request.texts(USER))
    assert ("Unternehmen Ihrer Größenklasse" in texts) is shown
    if shown:
        assert "(Median, n = 5)" in texts


def test_console_result_shows_the_peer_benchmark(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "console.db")
    for user_id in range(5):
        add(storage, 9000 + user_id)
    out = io.StringIO()
    advisor = ConsoleAdvisor(storage, language="en", out=out, resume=False)
    lines = ["12", "1.5M", "g", "a", "a", "1", "1", "1", "2", "2", "15 %", "3", "0.5", "2", "3", "ok"]
    assert advisor.run(io.StringIO("".join(line + "\n" for line in lines))) == 0
    assert (
        "Companies of your size class in our data spend 15% of their marketing budget online (median, n = 5)."
        in out.getvalue()
    )
