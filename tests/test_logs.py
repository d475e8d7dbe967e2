"""The logs at DEBUG: a whole dialogue, a broadcast and an export leave no answer, Telegram id or name behind."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.logs import LIBRARY_LEVELS, configure_logging
from tests.support.harness import Harness, answer_all, consent
from tests.support.harness import add_respondent as add
from tests.support.telegram_fakes import Updates

USER = 731904417
NAME = "Zacharias"
SUBSCRIBERS = (731904501, 731904502)
ADMIN = 731904999  # its id may appear: the operator's own admin commands are logged by who ran them
ANSWERS = [
    "37",
    "4.321.987 €",
    "c|balance_sheet|unknown",
    "c|linked|no",
    "c|website|outdated",
    "c|social_presence|occasional",
    "23 %",
    "7",
    "2",
    "c|results_check|partly",
    "Nein",
]
SECRETS = [
    str(USER),
    *(str(s) for s in SUBSCRIBERS),
    NAME,
    "4.321.987",
    "4321987",
    "23 %",
    "Rundschreiben Mai",
]


@pytest.fixture
def debug_logging() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in ("", *LIBRARY_LEVELS)}
    configure_logging("DEBUG")
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


async def test_debug_logs_hold_no_answer_id_or_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, debug_logging: None
) -> None:
    original = Updates.user

    def named(self: Updates, user_id: int, language_code: str | None = "de") -> dict[str, Any]:
        return {**original(self, user_id, language_code), "first_name": NAME, "username": NAME.lower()}

    monkeypatch.setattr(Updates, "user", named)
    caplog.set_level(logging.DEBUG)
    bot = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)})
    async with bot.app:
        await consent(bot, user=USER)
        await answer_all(bot, ANSWERS, user=USER)
        await bot.press("ok|summary", user=USER)
        assert "Ihr Ergebnis" in "\n".join(bot.texts(USER))
        for chat_id in SUBSCRIBERS:
            bot.storage.tips.subscribe_tips(chat_id, kind="private", language="de")
        await bot.send("/broadcast", user=ADMIN)
        await bot.send("Rundschreiben Mai", user=ADMIN)
        [[confirm, _]] = bot.request.last_keyboard(ADMIN)
        await bot.press(confirm["callback_data"], user=ADMIN)
        await asyncio.gather(*bot.app.bot_data.tasks)
        assert all(bot.texts(chat_id) == ["Rundschreiben Mai"] for chat_id in SUBSCRIBERS)
        for user_id in range(731905000, 731905006):
            add(bot.storage, user_id)
        await bot.send("/export", user=ADMIN)
        assert any(api == "sendDocument" for api, _ in bot.request.calls)
        await bot.send("/stats", user=ADMIN)
    output = "\n".join(f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records)
    assert caplog.records, "nothing was logged: the scan would prove nothing"
    assert "exported" in output  # the export is logged, without the admin or the rows
    found = [secret for secret in SECRETS if secret in output]
    assert found == [], output
    assert not re.search(r"7319050\d\d", output)  # the respondents of the export
