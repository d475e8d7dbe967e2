"""The short result with its parts on demand, steps ticked off, and reminders sent exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
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
from dialogs.deadlines import Deadline, deadlines_for
from dialogs.engine import evaluate
from dialogs.text import msg
from tests.support.harness import (
    GERMAN_ANSWERS,
    USER,
    Harness,
    add_respondent,
    answer_all,
    answers,
    consent,
)

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


async def test_a_deadline_that_may_apply_names_the_figure_it_depends_on(bot: Harness) -> None:
    now = clocked(bot, datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    await consent(bot)
    await answer_all(bot, [("820 Tsd. €" if a == "1,5 Mio. €" else a) for a in GERMAN_ANSWERS])
    await bot.press("ok|summary")
    await bot.press("fu|yes")
    now[0] = datetime(2026, 12, 18, 8, 30, tzinfo=UTC)
    assert (await reminder_sender(bot.app).run_due()).sent == 1
    text = bot.last_text()
    assert "In 14 Tagen, am 1. Januar 2027" in text and "UStG" in text
    assert "hängt davon ab, ob Ihr Gesamtumsatz 2026 nach Umsatzsteuerrecht über 800.000 € liegt" in text


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


async def test_reminders_keep_to_their_own_time_zone(tmp_path: Path) -> None:
    bot = Harness(tmp_path / "bot.db", env={"REMINDERS_TIMEZONE": "America/New_York"})
    async with bot.app:
        service = bot.app.bot_data.followup
        assert service.zone == ZoneInfo("America/New_York")
        now = [datetime(2026, 12, 3, 15, 0, tzinfo=UTC)]
        service.clock = lambda: now[0]
        await to_summary(bot, "de")
        await bot.press("ok|summary")
        await bot.press("fu|yes")
        rid = bot.storage.respondents.find_respondent("telegram", USER)
        assert rid is not None
        thirty = next(r for r in bot.storage.followup.reminders_of(rid) if r["ref"] == "30")
        assert thirty["due_at"] == "2027-01-02T15:00:00+00:00"  # 10:00 in New York
        sender = reminder_sender(bot.app)
        now[0] = datetime(2027, 1, 3, 10, 0, tzinfo=UTC)  # 11:00 in Berlin, 05:00 in New York: night
        assert (await sender.run_due()).sent == 0
        now[0] = datetime(2027, 1, 3, 13, 30, tzinfo=UTC)  # 08:30 in New York
        assert (await sender.run_due()).sent == 1
        assert "Nachfrage zu Ihrem Plan" in bot.last_text()
        later = next(b for b in bot.buttons() if b.startswith("fu|later|"))
        await bot.press(later)  # "not yet" is stored with the step, dated: it counts as activity
        [progress] = bot.storage.followup.plan_progress(rid)
        assert (progress["step_id"], progress["done"], progress["marked_on"]) == (later[9:], 0, "2027-01-03")


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


def sender(
    storage: Storage, bot: object, clock: datetime = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
) -> ReminderSender:
    return ReminderSender(
        storage,
        bot,  # type: ignore[arg-type]
        ChatPacer(time_scale=100),
        render,
        zone=BERLIN,
        channel="telegram",
        clock=lambda: clock,
    )


# --- never on or after a deadline, never at night: each check on its own ---------------------------


def test_deadline_reminders_are_planned_only_ahead_of_their_moment() -> None:
    deadline = Deadline("e_invoice_issue", date(2027, 1, 1), msg("Issue e-invoices"), msg("UStG"))

    def planned(now: datetime) -> list[str]:
        return [ref for kind, ref, _ in schedule.plan(now, BERLIN, [deadline]) if kind == schedule.DEADLINE]

    assert planned(datetime(2026, 12, 3, 10, 0, tzinfo=UTC)) == ["e_invoice_issue:14", "e_invoice_issue:2"]
    assert planned(datetime(2026, 12, 20, 10, 0, tzinfo=UTC)) == ["e_invoice_issue:2"]
    assert planned(datetime(2026, 12, 30, 8, 0, tzinfo=UTC)) == []  # 09:00 in Berlin: its very moment


def test_only_duties_still_ahead_are_deadlines() -> None:
    business = evaluate(answers(customers={"value": "both", "band": None}))
    private = evaluate(answers(customers={"value": "private", "band": None}))
    assert [d.id for d in deadlines_for(business, date(2026, 12, 31))] == ["e_invoice_issue"]
    assert deadlines_for(business, date(2027, 1, 1)) == ()  # it starts that day: no reminder any more
    assert deadlines_for(private, date(2026, 12, 3)) == ()  # does not apply


@pytest.mark.parametrize(
    ("now", "sent"),
    [
        (datetime(2026, 12, 31, 10, 0, tzinfo=UTC), True),  # late, but before the date
        (datetime(2027, 1, 1, 10, 0, tzinfo=UTC), False),  # on the date
        (datetime(2027, 1, 2, 10, 0, tzinfo=UTC), False),  # after it
    ],
)
async def test_a_deadline_reminder_is_never_sent_on_or_after_its_date(
    storage: Storage, now: datetime, sent: bool
) -> None:
    rid = storage.respondents.respondent_for("telegram", 50_001)
    with storage.write():
        storage.followup.plan_reminders(
            rid, [(schedule.DEADLINE, "e_invoice_issue:2", datetime(2026, 12, 30, 8, 0, tzinfo=UTC))]
        )
    bot = RecordingBot()
    counts = await sender(storage, bot, clock=now).run_due()  # the render would always say something
    assert bot.sent == ([50_001] if sent else [])
    assert [r["status"] for r in storage.followup.reminders_of(rid)] == ["sent" if sent else "expired"]
    assert counts.skipped == (0 if sent else 1)


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


# --- retention of the follow-through ---------------------------------------------------------------

OLD = "2024-01-15T10:11:12+00:00"
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def inactive_since_long(storage: Storage, user_id: int) -> str:
    """A consenting respondent with a result, steps, reminders and an opt-in, all from long ago."""
    rid = add_respondent(storage, user_id)
    long_ago = datetime.fromisoformat(OLD)
    with storage.write():
        storage.followup.mark_step(rid, "website", True, long_ago.date())
        storage.followup.record_kpi(rid, "website", "120", long_ago.date())
        storage.followup.decide_followup(rid, True, long_ago.date())
        storage.followup.plan_reminders(
            rid,
            [(schedule.CHECKIN, "30", long_ago), (schedule.RETEST, "12", datetime(2027, 1, 15, tzinfo=UTC))],
        )
    storage.execute(
        "update reminders set status = 'sent' where respondent_id = ? and kind = 'checkin'", [rid]
    )
    storage.execute("update respondents set created_at = ? where id = ?", [OLD, rid])
    for table in ("identities", "results"):
        storage.execute(f"update {table} set created_at = ? where respondent_id = ?", [OLD, rid])
    storage.execute(
        "update sessions set updated_at = ?, started_at = ? where respondent_id = ?", [OLD, OLD, rid]
    )
    return rid


def test_follow_through_goes_with_the_link_and_answering_a_check_in_keeps_it(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.db")
    gone = inactive_since_long(storage, 700000001)
    by_figure = inactive_since_long(storage, 700000002)
    by_not_yet = inactive_since_long(storage, 700000003)
    with storage.write():  # two of them answered a check-in a week ago, and nothing else
        storage.followup.record_kpi(by_figure, "website", "150", datetime(2026, 11, 24).date())
        storage.followup.note_not_yet(by_not_yet, "social", datetime(2026, 11, 24).date())

    counts = storage.retention.apply_retention(12, now=NOW)

    assert counts["identities_unlinked"] == 1 and counts["results_kept_anonymously"] == 1
    assert counts["plan_progress_deleted"] == 1 and counts["followups_deleted"] == 1
    # the gone one's two (sent and pending), and the long-sent check-in of each of the two who stay
    assert counts["reminders_deleted"] == 4
    for table in ("plan_progress", "followups", "reminders"):
        assert storage.rows(f"select * from {table} where respondent_id = ?", [gone]) == [], table
    leaks = [
        (table, row)
        for table in ("plan_progress", "followups", "reminders", "results", "respondents")
        for row in storage.rows(f"select * from {table}")
        if gone in map(str, row.values())
    ]
    assert leaks == []
    for kept in (by_figure, by_not_yet):
        assert (
            storage.respondents.find_respondent("telegram", 700000002 if kept == by_figure else 700000003)
            == kept
        )
        assert storage.followup.followup(kept) is not None and storage.followup.reminders_of(kept)
    assert storage.followup.done_steps(by_not_yet) == {"website"}  # "not yet" on another step changes nothing
    storage.close()


def test_finished_reminders_go_a_week_after_they_were_due_pending_ones_stay(storage: Storage) -> None:
    rid = add_respondent(storage, 700000009)  # active: the link stays
    due = {
        "sent_8_days_ago": (NOW - timedelta(days=8), "sent"),
        "cancelled_10_days_ago": (NOW - timedelta(days=10), "cancelled"),
        "uncertain_9_days_ago": (NOW - timedelta(days=9), "uncertain"),
        "sent_3_days_ago": (NOW - timedelta(days=3), "sent"),
        "pending_30_days_ago": (NOW - timedelta(days=30), "pending"),  # due during downtime: still to send
        "pending_ahead": (NOW + timedelta(days=30), "pending"),
    }
    with storage.write():
        storage.followup.plan_reminders(
            rid, [(schedule.CHECKIN, ref, when) for ref, (when, _) in due.items()]
        )
    for ref, (_, status) in due.items():
        storage.execute("update reminders set status = ? where ref = ?", [status, ref])

    counts = storage.retention.apply_retention(12, now=NOW)

    left = {row["ref"] for row in storage.followup.reminders_of(rid)}
    assert left == {"sent_3_days_ago", "pending_30_days_ago", "pending_ahead"}
    assert counts["reminders_deleted"] == 3 and counts["identities_unlinked"] == 0


def test_an_english_deadline_reminder_writes_its_date_like_every_other_date() -> None:
    from bot.followup.service import ReminderContent
    from bot.telegram.handlers.followup import render_reminder

    row = ReminderRow(
        id=1,
        respondent_id="r",
        kind="deadline",
        ref="e_invoice_issue:14",
        due_at="2026-12-18T08:00:00+00:00",
        status="pending",
    )
    deadline = Deadline("e_invoice_issue", date(2027, 1, 1), msg("Issue e-invoices"), msg("§ 14 UStG"))
    content = ReminderContent(row, "en", "deadline", deadline=deadline, lead_days=14)
    text = render_reminder(content, ZoneInfo("Europe/Berlin")).text
    assert "on 1 January 2027" in text and "January 1, 2027" not in text
