"""The one test harness: the real PTB Application over the in-process fake Bot API, and builders of stored data."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config import load_config
from bot.storage import Storage
from bot.telegram.app import build_application
from tests.support.telegram_fakes import TOKEN, FakeRequest, Updates

USER = 4242
# Telegram's flood limits run this many times faster in the harness (as in the benchmarks), so that a test of a
# dialogue or a broadcast does not wait out one message a second per chat and 30 a second overall. The tests of
# the limits themselves run them at Telegram's own pace (``Harness(..., env=REAL_LIMITS)``).
TIME_SCALE = "100"
REAL_LIMITS = {"TIPS_BROADCAST_TIME_SCALE": "1"}

GERMAN_ANSWERS = [
    "12",
    "1,5 Mio. €",
    "c|balance_sheet|unknown",
    "c|linked|none",
    "c|owns|none",
    "c|sector|craft",
    "c|customers|both",
    "c|reach|local",
    "c|website|outdated",
    "c|social_presence|occasional",
    "15 %",
    "3",
    "1",
    "c|results_check|partly",
    "Nein",
]

# One quasi-identifier group: 10 to 49 staff, turnover up to 2 m, balance sheet unknown, German, this month.
BASE_ANSWERS: dict[str, dict[str, Any]] = {
    "staff": {"value": "12", "band": None},
    "turnover": {"value": "1500000", "band": None},
    "balance_sheet": {"value": None, "band": "unknown"},
    "linked": {"value": "none", "band": None},
    "owns": {"value": "none", "band": None},
    "sector": {"value": "craft", "band": None},
    "customers": {"value": "private", "band": None},
    "reach": {"value": "local", "band": None},
    "website": {"value": "current", "band": None},
    "social_presence": {"value": "occasional", "band": None},
    "online_share": {"value": "17", "band": None},
    "social_share": {"value": "3", "band": None},
    "controlling_share": {"value": "1", "band": None},
    "results_check": {"value": "partly", "band": None},
    "referral": {"value": "occasional", "band": None},
}


class Harness:
    """The bot as Telegram sees it: updates go in through PTB, the fake records every Bot API call."""

    def __init__(
        self, db_path: Path, *, env: Mapping[str, str] | None = None, request: FakeRequest | None = None
    ) -> None:
        self.db_path = db_path
        self.storage = Storage(db_path)
        self.request = request or FakeRequest()
        self.config = load_config(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "DATABASE_PATH": str(db_path),
                "TIPS_BROADCAST_TIME_SCALE": TIME_SCALE,
                **(env or {}),
            }
        )
        self.app = build_application(
            self.config, self.storage, request=self.request, updates_request=FakeRequest()
        )
        self.updates = Updates(self.app)

    async def send(self, text: str, user: int = USER, **kwargs: Any) -> None:
        await self.app.process_update(self.updates.message(user, text, **kwargs))

    async def press(
        self, data: str, user: int = USER, language_code: str | None = "de", chat_id: int | None = None
    ) -> None:
        await self.app.process_update(
            self.updates.press(user, data, language_code=language_code, chat_id=chat_id)
        )

    def texts(self, chat_id: int = USER) -> list[str]:
        return self.request.texts(chat_id)

    def last_text(self, chat_id: int = USER) -> str:
        return self.request.texts(chat_id)[-1]

    def calls(self, api: str, chat_id: int) -> list[dict[str, Any]]:
        """The parameters of every ``api`` call into ``chat_id``."""
        return [p for name, p in self.request.calls if name == api and int(p.get("chat_id", 0)) == chat_id]

    def buttons(self, chat_id: int = USER) -> list[str]:
        return [
            b.get("callback_data") or b.get("url") for row in self.request.last_keyboard(chat_id) for b in row
        ]


async def consent(bot: Harness, yes: bool = True, language_code: str | None = "de", user: int = USER) -> None:
    await bot.send("/start", user=user, language_code=language_code)
    assert "cons|1" in bot.buttons(user)
    await bot.press("cons|1" if yes else "cons|0", user=user, language_code=language_code)


async def answer_all(bot: Harness, answers: list[str] = GERMAN_ANSWERS, user: int = USER) -> None:
    for answer in answers:
        if answer.startswith("c|"):
            await bot.press(answer, user=user)
        else:
            await bot.send(answer, user=user)


def answers(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {**BASE_ANSWERS, **changes}


def add_respondent(
    storage: Storage,
    user_id: int,
    *,
    consent: bool | None = True,
    language: str = "de",
    category: str = "small",
    score: int = 47,
    **changes: dict[str, Any],
) -> str:
    """A respondent with a session and a result, as the bot stores them."""
    rid = storage.respondents.respondent_for("telegram", user_id, language_code=language)
    if consent is not None:
        storage.respondents.set_consent(rid, consent)
    given = answers(**changes)
    save_session(storage, rid, {"state": "result", "answers": given, "language": language}, finished=True)
    storage.sessions.save_result(rid, category=category, score=score, answers=given, step_ids=["website"])
    share_code(storage, rid)
    return rid


def share_code(storage: Storage, respondent_id: str) -> str:
    """The respondent's share code, made as the bot makes it with a result when there is none yet."""
    with storage.write():
        row = storage.row("select referral_code from respondents where id = ?", [respondent_id])
        if row is not None and row["referral_code"]:
            return str(row["referral_code"])
        return storage.respondents.create_referral_code(respondent_id)


def save_session(
    storage: Storage,
    respondent_id: str,
    session: Mapping[str, Any],
    *,
    finished: bool = False,
    reply_pending: int = 0,
) -> None:
    """Write a session in a transaction of its own (the advisor writes it with the rest of an update)."""
    with storage.write():
        storage.sessions.store_session(respondent_id, session, finished=finished, reply_pending=reply_pending)
        storage.respondents.set_language(respondent_id, session["language"])
