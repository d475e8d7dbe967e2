"""Two processes behind one webhook share the database: a user's quick answers are taken, in order, by
whichever instance gets them; a receipt never vouches for a reply it did not name."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import pytest

from bot.advisor import Advisor, GiveConsent, Respondent, Typed
from bot.storage import Storage
from bot.telegram import receipt_flush
from tests.support.harness import USER, Harness, consent

OTHER = 5151


async def written(storage: Storage, respondent: str) -> None:
    """Wait until the receipt of the last reply is in the database (the idle flush)."""
    deadline = time.monotonic() + 10
    while (session := storage.sessions.load_session(respondent)) is not None and session["reply_pending"]:
        assert time.monotonic() < deadline, "the receipt was never written"
        await asyncio.sleep(0.02)


async def test_answers_alternating_between_two_instances_are_all_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The idle flush, sooner: the test waits for it three times.
    monkeypatch.setattr(receipt_flush, "RECEIPT_DELAY", 0.01)
    a = Harness(tmp_path / "bot.db")
    b = Harness(tmp_path / "bot.db")
    b.updates._update_ids = itertools.count(500_000)  # one bot: update ids never repeat across instances
    async with a.app, b.app:
        await consent(a)
        rid = a.storage.respondents.find_respondent("telegram", USER)
        assert rid is not None
        for bot, text, question in ((a, "12", 2), (b, "1,5 Mio. €", 3), (a, "c|balance_sheet|unknown", 4)):
            if text.startswith("c|"):
                await bot.press(text)
            else:
                await bot.send(text)
            assert f"Frage {question} von " in bot.last_text(), bot.last_text()
            await written(bot.storage, rid)
    session = a.storage.sessions.load_session(rid)
    assert session is not None
    assert session["answers"]["staff"]["value"] == "12"
    assert session["answers"]["turnover"]["value"] == "1500000"


async def test_a_receipt_rides_on_the_next_update_of_anyone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(receipt_flush, "RECEIPT_DELAY", 60.0)  # no idle flush within this test
    bot = Harness(tmp_path / "bot.db")
    async with bot.app:
        await consent(bot)
        await bot.send("12")
        rid = bot.storage.respondents.find_respondent("telegram", USER)
        assert rid is not None
        assert bot.storage.sessions.load_session(rid)["reply_pending"]  # type: ignore[index]
        await bot.send("/start", user=OTHER)  # another user's update commits: the receipt goes with it
        assert bot.storage.sessions.load_session(rid)["reply_pending"] == 0  # type: ignore[index]


def test_a_receipt_held_too_long_does_not_vouch_for_a_newer_reply(tmp_path: Path) -> None:
    storage_a, storage_b = Storage(tmp_path / "bot.db"), Storage(tmp_path / "bot.db")
    a = Advisor(storage_a, asks_consent=True, confirms_replies=True)
    b = Advisor(storage_b, asks_consent=True, confirms_replies=True)
    me = Respondent("telegram", USER, "de")
    b.replied(b.handle(me, GiveConsent(True), update_id=10))
    b.replied(b.handle(me, Typed("12"), update_id=11))  # B holds the receipt of this reply ...
    shown_again = a.handle(me, Typed("1,5 Mio. €"), update_id=12)  # ... A saw none: shows question 2 again
    assert shown_again.state == "turnover" and shown_again.warning
    # A's reply never went out (A crashed). B's old receipt must not make B take the next text as an answer.
    outcome = b.handle(me, Typed("2 Mio. €"), update_id=13)
    assert outcome.warning and outcome.state == "turnover"
    session = storage_b.sessions.load_session(outcome.respondent_id)
    assert session is not None and "turnover" not in session["answers"]
