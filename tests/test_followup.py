"""The short result with its parts on demand, steps ticked off, and reminders sent exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast.pacer import ChatPacer
from bot.followup import schedule
from bot.followup.service import FollowupService
from bot.storage import ReminderRow, Storage
from bot.telegram.handlers.followup import reminder_sender
from bot.telegram.reminders import Outgoing, ReminderSender
from tests.support.harness import GERMAN_ANSWERS, USER, Harness, answer_all, consent

BERLIN = ZoneInfo("Europe/Berlin")
ENGLISH_ANSWERS = [
    {"1,5 Mio. €": "€1.5M", "15 %": "15%", "Nein": "No"}.get(answer, answer) for answer in GERMAN_ANSWERS
]
VIEWS = {
    "de": {"rv|plan": "Ihr Plan", "rv|size": "Was Ihre Größenklasse", "rv|cmp": "Ihre digitale Lücke"},
    "en": {"rv|plan": "Your plan", "rv|size": "What your size class", "rv|cmp": "Your digital gap"},
}


def labels(bot: Harness) -> list[str]:
    return [button["text"] for row in bot.request.last_keyboard(USER) for button in row]


async def to_summary(bot: Harness, language: str) -> None:
    await consent(bot, language_code=language)
    await answer_all(bot, GERMAN_ANSWERS if language == "de" else ENGLISH_ANSWERS)


@pytest.mark.parametrize("language", ["de", "en"])
async def test_the_short_result_replaces_the_summary_and_each_part_is_one_call(
    bot: Harness, language: str
) -> None:
    await to_summary(bot, language)
    summary = labels(bot)
    assert summary and all(len(label) <= 30 for label in summary), summary
    assert any(len(row) == 2 for row in bot.request.last_keyboard(USER))  # short labels side by side
    bot.request.clear()
    await bot.press("ok|summary")
    assert bot.request.rate_limited() == ["editMessageText", "sendPhoto"]
    overview = bot.calls("editMessageText", USER)[0]["text"]
    assert len(overview) < 1500
    assert ("Diese Woche" if language == "de" else "This week") in overview
    assert ("von 100" if language == "de" else "of 100") in overview
    assert ("Ihr Unternehmen" if language == "de" else "Your company") in overview.split("\n")[0]
    assert all(len(label) <= 30 for label in labels(bot))
    for data in ("rv|plan", "rv|size", "rv|cmp", "rv|pdf", "fu|offer"):
        assert data in bot.buttons()
    for data, title in VIEWS[language].items():
        for _ in range(2):  # pressed again: edited again (Telegram: "not modified"), never a copy
            bot.request.clear()
            await bot.press(data)
            assert bot.request.rate_limited() == ["editMessageText"], data
            text = bot.calls("editMessageText", USER)[0]["text"]
            assert title in text and len(text) <= 4096
        assert all(len(label) <= 30 for label in labels(bot))
    bot.request.clear()
    await bot.press("rv|pdf")
    assert bot.request.rate_limited() == ["sendDocument"]
    bot.request.clear()
    await bot.press("rv|pdf")
    assert bot.request.rate_limited() == []


async def test_a_provisional_class_says_so_in_the_short_result(bot: Harness) -> None:
    answers = [("c|linked|unknown" if a == "c|linked|none" else a) for a in GERMAN_ANSWERS]
    await consent(bot)
    await answer_all(bot, answers)
    await bot.press("ok|summary")
    first_line = bot.calls("editMessageText", USER)[-1]["text"].split("\n")[0]
    assert "vorläufig" in first_line


async def test_steps_ticked_off_are_stored_shown_exported_and_erased(bot: Harness) -> None:
    await to_summary(bot, "de")
    await bot.press("ok|summary")
    await bot.press("rv|plan")
    step = next(b for b in bot.buttons() if b.startswith("st|"))
    bot.request.clear()
    await bot.press(step)
    assert bot.request.rate_limited() == ["editMessageText"]
    rid = bot.storage.respondents.find_respondent("telegram", USER)
    assert rid is not None and bot.storage.followup.done_steps(rid) == {step[3:]}
    await bot.send("/plan")
    assert "✅ 1." in bot.last_text()
    await bot.send("/mydata")
    document = bot.request.calls[-1][1]["_files"]["document"].decode()
    assert step[3:] in document and '"plan_progress"' in document
    await bot.press(step)  # open again
    assert bot.storage.followup.done_steps(rid) == frozenset()
    await bot.press(step)
    await bot.press("fu|offer")
    await bot.press("fu|yes")
    assert bot.storage.followup.reminders_of(rid)
    await bot.send("/deletedata")
    await bot.press("del|yes")
    for table in ("plan_progress", "followups", "reminders"):
        assert bot.storage.rows(f"select * from {table}") == [], table


def clocked(bot: Harness, start: datetime) -> list[datetime]:
    now = [start]
    services = bot.app.bot_data
    services.followup_service = FollowupService(bot.storage, services.advisor, BERLIN, clock=lambda: now[0])
    return now


async def test_opt_in_deadline_check_in_with_a_figure_stop_and_re_test(bot: Harness) -> None:
    now = clocked(bot, datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    await to_summary(bot, "de")
    await bot.press("ok|summary")
    rid = bot.storage.respondents.find_respondent("telegram", USER)
    assert rid is not None
    sender = reminder_sender(bot.app)
    assert (await sender.run_due()).sent == 0  # nothing without opt-in
    await bot.press("fu|offer")
    bot.request.clear()
    await bot.press("fu|yes")
    assert bot.request.rate_limited() == ["editMessageText"]
    planned = bot.storage.followup.reminders_of(rid, pending_only=True)
    assert [(r["kind"], r["ref"]) for r in planned] == [
        ("deadline", "e_invoice_issue:14"),
        ("deadline", "e_invoice_issue:2"),
        ("checkin", "30"),
        ("checkin", "90"),
        ("retest", "6"),
        ("retest", "12"),
    ]
    await bot.press("fu|yes")  # pressed again: nothing planned twice
    assert len(bot.storage.followup.reminders_of(rid)) == 6

    now[0] = datetime(2026, 12, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin, before the reminder's 09:00
    assert (await sender.run_due()).sent == 0
    now[0] = datetime(2026, 12, 18, 8, 30, tzinfo=UTC)
    bot.request.clear()
    assert (await sender.run_due()).sent == 1
    assert "In 14 Tagen, am 1. Januar 2027" in bot.last_text() and "UStG" in bot.last_text()
    assert (await sender.run_due()).sent == 0  # sent once

    now[0] = datetime(2027, 1, 2, 9, 30, tzinfo=UTC)  # the 2-day reminder is overdue: the date has passed
    bot.request.clear()
    counts = await sender.run_due()
    assert counts.sent == 1 and counts.skipped == 1
    assert "Nachfrage zu Ihrem Plan" in bot.last_text() and "⏰" not in "".join(bot.texts())
    done = next(b for b in bot.buttons() if b.startswith("fu|done|"))
    await bot.press(done)
    assert "Kennzahl" in bot.last_text()
    await bot.send("viele")
    assert "⚠️" in bot.last_text()
    await bot.send("1.500")
    assert "Notiert: 1.500" in bot.last_text()
    progress = {row["step_id"]: row for row in bot.storage.followup.plan_progress(rid)}
    assert progress[done.split("|")[2]]["kpi_value"] == "1500" and progress[done.split("|")[2]]["done"] == 1
    await bot.send("12")  # the figure is in: text is the questionnaire's again
    assert "Notiert" not in bot.last_text()

    await bot.send("/reminders")
    assert "Nachfrage zu Ihrem Plan (Tag 90)" in bot.last_text()
    ninety = next(r for r in bot.storage.followup.reminders_of(rid, pending_only=True) if r["ref"] == "90")
    await bot.press(f"fu|stop|{ninety['id']}")
    assert "(Tag 90)" not in bot.last_text()
    now[0] = datetime(2027, 3, 3, 9, 30, tzinfo=UTC)
    assert (await sender.run_due()).sent == 0

    now[0] = datetime(2027, 6, 3, 8, 30, tzinfo=UTC)
    assert (await sender.run_due()).sent == 1
    assert "6 Monate" in bot.last_text()
    await bot.press("fu|retest")
    assert "Ihre Antworten im Überblick" in bot.last_text()
    await bot.press("ok|summary")
    result = bot.calls("editMessageText", USER)[-1]["text"]
    assert "Seit Ihrem letzten Check" in result and "als erledigt markiert haben: 1" in result

    await bot.press("fu|stopall")
    assert bot.storage.followup.reminders_of(rid, pending_only=True) == []
    now[0] = datetime(2027, 12, 3, 9, 30, tzinfo=UTC)
    assert (await sender.run_due()).sent == 0


async def test_no_reminder_at_night_and_a_blocked_bot_cancels_them(bot: Harness) -> None:
    now = clocked(bot, datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    await to_summary(bot, "de")
    await bot.press("ok|summary")
    await bot.press("fu|yes")
    rid = bot.storage.respondents.find_respondent("telegram", USER)
    assert rid is not None
    sender = reminder_sender(bot.app)
    now[0] = datetime(2026, 12, 18, 22, 0, tzinfo=UTC)  # 23:00 in Berlin
    assert (await sender.run_due()).sent == 0
    now[0] = datetime(2026, 12, 19, 8, 0, tzinfo=UTC)  # next morning: sent late, never at night
    bot.request.refuse("sendMessage", "Forbidden: bot was blocked by the user", status=403)
    counts = await sender.run_due()
    assert counts.blocked == 1
    statuses = {r["status"] for r in bot.storage.followup.reminders_of(rid)}
    assert statuses == {"blocked", "cancelled"}


class RecordingBot:
    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        await asyncio.sleep(0.005)
        self.sent.append(chat_id)


def render(row: ReminderRow) -> Outgoing:
    return Outgoing(f"reminder {row['id']}")


def fill(path: Path, chats: int) -> None:
    storage = Storage(path)
    past = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    for chat in range(1, chats + 1):
        rid = storage.respondents.respondent_for("telegram", 50_000 + chat)
        with storage.write():
            storage.followup.plan_reminders(rid, [(schedule.RETEST, "6", past)])
    storage.close()


def sender(storage: Storage, bot: object) -> ReminderSender:
    return ReminderSender(
        storage,
        bot,  # type: ignore[arg-type]
        ChatPacer(time_scale=100),
        render,
        zone=BERLIN,
        channel="telegram",
        clock=lambda: datetime(2027, 1, 4, 10, 0, tzinfo=UTC),
    )


async def test_two_instances_send_each_reminder_once(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    fill(path, 40)
    first, second = Storage(path), Storage(path)
    bot = RecordingBot()
    counts = await asyncio.gather(sender(first, bot).run_due(), sender(second, bot).run_due())
    assert sorted(bot.sent) == [50_000 + chat for chat in range(1, 41)]
    assert counts[0].sent + counts[1].sent == 40 and counts[0].sent and counts[1].sent
    first.close()
    second.close()


@pytest.mark.e2e
def test_a_sigkill_in_a_reminder_run_sends_nothing_twice(tmp_path: Path) -> None:
    path, log = tmp_path / "bot.db", tmp_path / "sent.log"
    fill(path, 60)
    command = [sys.executable, "-m", "tests.support.reminder_kill_run", str(path), str(log)]
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(command, cwd=root, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text().split()) < 15):
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    subprocess.run(command, cwd=root, check=True, timeout=120, stderr=subprocess.DEVNULL)
    sent = [int(chat) for chat in log.read_text().split()]
    assert len(sent) == len(set(sent)), "a reminder was sent twice"
    storage = Storage(path)
    rows = storage.rows("select status, count(*) as n from reminders group by status")
    statuses = {row["status"]: row["n"] for row in rows}
    storage.close()
    assert set(statuses) <= {"sent", "uncertain"} and statuses["sent"] + statuses.get("uncertain", 0) == 60
    assert len(sent) >= statuses["sent"] and statuses.get("uncertain", 0) <= 1
