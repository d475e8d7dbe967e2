"""Tips: catalogue, schedules, subscriptions in private chats, groups and channels, and paced broadcasts."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot
from telegram.constants import MessageLimit

from bot.broadcast.lease import Lease
from bot.broadcast.pacer import ChatPacer
from bot.storage import Storage
from bot.telegram import broadcaster
from bot.telegram.broadcaster import TipBroadcaster
from bot.telegram.jobs import ensure_slot_job, start_tip_run
from bot.tips.catalogue import SIZE_CLASSES, TOPICS, footer_for, load_catalogue, next_tip, render_tip
from bot.tips.schedule import Schedule, parse_schedule, prepare_tip_deliveries
from tests.support.harness import Harness
from tests.support.telegram_fakes import BOT_ID, TOKEN, FakeRequest

ADMIN = 9001
GROUP = -100500
MEMBER = 4343

# --- the catalogue ------------------------------------------------------------------------------------


def test_catalogue_has_the_same_tips_in_both_languages() -> None:
    german, english = load_catalogue("de"), load_catalogue("en")
    assert len(german) >= 30
    assert [(t.id, t.topic, t.sizes) for t in german] == [(t.id, t.topic, t.sizes) for t in english]
    assert {t.topic for t in german} == set(TOPICS)
    assert all(set(t.sizes) <= set(SIZE_CLASSES) for t in german)


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_tip_fits_one_message_with_every_footer(language: str) -> None:
    for tip in load_catalogue(language):
        for chat_id, kind in ((42, "private"), (GROUP, "supergroup"), (GROUP, "channel")):
            text = render_tip(tip, language, footer=footer_for(chat_id, kind))
            assert len(text) <= MessageLimit.MAX_TEXT_LENGTH
            assert tip.title and tip.do and tip.why and tip.measure


@pytest.mark.parametrize("language", ["de", "en"])
def test_tips_promise_no_closed_programme_and_cite_figures_with_a_year(language: str) -> None:
    for tip in load_catalogue(language):
        text = " ".join((tip.do, tip.why, tip.measure)).lower()
        assert "digital jetzt" not in text and "go-digital" not in text
        for sentence in tip.why.split(". "):  # "why" is where figures are cited
            if "%" in sentence or "€" in sentence:
                assert any(year in sentence for year in ("2014", "2016", "2023", "2024", "2025")), tip.id


def test_german_tips_are_german() -> None:
    tip = next(t for t in load_catalogue("de") if t.id == "mon-ask-how-found")
    assert "prüften nur 40 % der B2B-Unternehmen" in tip.why
    rendered = render_tip(tip, "de", footer=footer_for(42, "private"))
    assert "Diese Woche:" in rendered and "/tips off" in rendered


# --- choosing the next tip ----------------------------------------------------------------------------


def test_next_tip_never_repeats_until_the_catalogue_is_exhausted() -> None:
    tips = load_catalogue("en")
    seen: set[str] = set()
    order = []
    for _ in range(len(tips)):
        tip, new_round = next_tip(tips, seen, None)
        assert not new_round
        order.append(tip.id)
        seen.add(tip.id)
    assert sorted(order) == sorted(t.id for t in tips)
    tip, new_round = next_tip(tips, seen, None)
    assert new_round and tip.id == order[0]


def test_consecutive_tips_change_topic() -> None:
    tips = load_catalogue("en")
    assert tips[0].topic != tips[1].topic != tips[2].topic


@pytest.mark.parametrize("size_class", SIZE_CLASSES)
def test_a_known_size_class_gets_only_suitable_tips(size_class: str) -> None:
    tips = load_catalogue("de")
    seen: set[str] = set()
    while True:
        tip, new_round = next_tip(tips, seen, size_class)
        if new_round:
            break
        assert not tip.sizes or size_class in tip.sizes
        seen.add(tip.id)
    assert len(seen) == sum(1 for t in tips if not t.sizes or size_class in t.sizes)


# --- schedules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("weekly", Schedule("weekly", 0, "09:00")),
        ("weekly mon 09:00", Schedule("weekly", 0, "09:00")),
        ("weekly fri 7:05", Schedule("weekly", 4, "07:05")),
        ("daily 08:30", Schedule("daily", 0, "08:30")),
        ("wöchentlich di 9.15", Schedule("weekly", 1, "09:15")),
        ("täglich 18:00", Schedule("daily", 0, "18:00")),
        ("weekly sunday 23:59", Schedule("weekly", 6, "23:59")),
    ],
)
def test_parse_schedule(words: str, expected: Schedule) -> None:
    assert parse_schedule(words.split()) == expected


@pytest.mark.parametrize(
    "words", ["", "monthly", "weekly xyz", "daily 25:00", "daily 8:30 extra", "weekly mon 9"]
)
def test_parse_schedule_refuses_nonsense(words: str) -> None:
    with pytest.raises(ValueError):
        parse_schedule(words.split())


# --- storage ------------------------------------------------------------------------------------------


def test_subscription_keeps_its_schedule_when_renewed(storage: Storage) -> None:
    storage.tips.subscribe_tips(GROUP, kind="group", language="de")
    storage.tips.set_tip_schedule(GROUP, schedule="daily", weekday=0, at="08:30")
    assert storage.tips.unsubscribe_tips(GROUP)
    assert storage.tips.active_tip_subscriptions() == []
    storage.tips.subscribe_tips(GROUP, kind="group", language="en")
    row = storage.tips.tip_subscription(GROUP)
    assert row is not None and row["active"] == 1 and row["schedule"] == "daily" and row["language"] == "en"
    assert storage.tips.tip_slots() == [("daily", 0, "08:30")]


def test_subscriptions_hold_no_respondent_and_size_is_looked_up_at_send_time(storage: Storage) -> None:
    respondent = storage.respondents.respondent_for("telegram", 42)
    storage.sessions.save_result(respondent, category="micro", score=40, answers={}, step_ids=[])
    storage.tips.subscribe_tips(42, kind="private", language="de")
    assert "respondent_id" not in storage.tips.tip_subscription(42)  # type: ignore[operator]
    [delivery] = prepare_tip_deliveries(storage, storage.tips.active_tip_subscriptions(), channel="telegram")
    tip = next(t for t in load_catalogue("de") if t.id == delivery["tip_id"])
    assert not tip.sizes or "micro" in tip.sizes


def test_a_company_held_by_public_bodies_never_gets_the_sme_only_tips(storage: Storage) -> None:
    # small by its figures, but not an SME: the tips meant for SMEs (Mittelstand-Digital) are not for it
    respondent = storage.respondents.respondent_for("telegram", 43)
    answers = {"enterprise_type": {"value": "not_sme", "band": None}}
    storage.sessions.save_result(respondent, category="small", score=40, answers=answers, step_ids=[])
    assert storage.tips.latest_size_class("telegram", 43) == "not_sme"
    storage.tips.subscribe_tips(43, kind="private", language="en")
    sent: set[str] = set()
    for _ in load_catalogue("en"):
        [delivery] = prepare_tip_deliveries(
            storage, storage.tips.active_tip_subscriptions(), channel="telegram"
        )
        sent.add(delivery["tip_id"])
        storage.broadcasts.mark_delivery(
            storage.broadcasts.create_broadcast("tips", [dict(delivery)]) or 0,
            43,
            "sent",
            seen_tip=delivery["tip_id"],
        )
    assert "support-mittelstand-digital" not in sent
    assert all(not t.sizes for t in load_catalogue("en") if t.id in sent)


def test_a_migrated_group_keeps_its_subscription_and_history(storage: Storage) -> None:
    storage.tips.subscribe_tips(-5, kind="group", language="de")
    broadcast_id = storage.broadcasts.create_broadcast(
        "tips", [{"chat_id": -5, "tip_id": "x", "language": "de"}]
    )
    assert broadcast_id is not None
    storage.broadcasts.mark_delivery(broadcast_id, -5, "sent", seen_tip="x")
    storage.tips.migrate_tip_chat(-5, -1005)
    assert storage.tips.tip_subscription(-5) is None
    assert storage.tips.tip_subscription(-1005)["kind"] == "supergroup"  # type: ignore[index]
    assert storage.tips.seen_tips(-1005) == {"x"}


def test_deleting_my_data_also_ends_my_tips(storage: Storage) -> None:
    storage.respondents.respondent_for("telegram", 42)
    storage.tips.subscribe_tips(42, kind="private", language="de")
    storage.broadcasts.create_broadcast("admin", [{"chat_id": 42}], text="x")
    assert storage.forget_everything("telegram", 42, chat_id=42)
    assert storage.tips.tip_subscription(42) is None
    assert storage.db.execute("select count(*) from deliveries where chat_id = 42").fetchone()[0] == 0


def test_a_run_key_starts_one_run_only(storage: Storage) -> None:
    assert storage.broadcasts.create_broadcast(
        "tips", [{"chat_id": 1}], run_key="tips:weekly:0:09:00:2025-01-06"
    )
    assert (
        storage.broadcasts.create_broadcast(
            "tips", [{"chat_id": 1}], run_key="tips:weekly:0:09:00:2025-01-06"
        )
        is None
    )


# --- a fake Bot API with chat members, errors and a gate ------------------------------------------


def _admin_rights() -> dict[str, bool]:
    names = (
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
        "can_post_messages",
    )
    return dict.fromkeys(names, True)


class TipsFakeRequest(FakeRequest):
    """FakeRequest plus chat members, channels, scripted send errors and a gate that holds sends."""

    def __init__(self) -> None:
        super().__init__()
        self.members: dict[tuple[int, int], str] = {}
        self.chats: dict[str, dict[str, Any]] = {}
        self.errors: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        self.gate: asyncio.Event | None = None
        self.pass_before_gate = 0
        self.delivered: list[int] = []  # chat ids of sendMessage calls that took effect
        # Called before each send; an answer it returns is given instead of the normal one.
        self.before_send: Callable[[int], Awaitable[tuple[int, bytes] | None]] | None = None

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if api == "sendMessage":
            chat_id = int(params["chat_id"])
            if self.before_send is not None and (answer := await self.before_send(chat_id)) is not None:
                self.calls.append((api, params))
                return answer
            scripted = self.errors.get(chat_id)
            if scripted:
                self.calls.append((api, params))
                code, body = scripted.pop(0)
                return code, json.dumps({"ok": False, "error_code": code, **body}).encode()
            if self.gate is not None:
                if self.pass_before_gate > 0:
                    self.pass_before_gate -= 1
                else:
                    self.delivered.append(chat_id)  # it reached Telegram; the answer never comes back
                    self.calls.append((api, params))
                    await self.gate.wait()
                    raise asyncio.CancelledError
            self.delivered.append(chat_id)
        return await super().do_request(url, method, request_data, *args, **kwargs)

    def result(self, api: str, params: dict[str, Any]) -> Any:
        if api == "getChatMember":
            chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
            status = self.members.get((chat_id, user_id), "member")
            member: dict[str, Any] = {
                "status": status,
                "user": {"id": user_id, "is_bot": False, "first_name": "U"},
            }
            if status == "administrator":
                member.update(_admin_rights())
            if status == "creator":
                member["is_anonymous"] = False
            return member
        if api == "getChat":
            return self.chats[str(params["chat_id"])]
        return super().result(api, params)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)}, request=TipsFakeRequest())
    harness.app.bot_data.pacer = ChatPacer(time_scale=20)  # Telegram's limits, twenty times faster
    async with harness.app:
        yield harness


# --- handlers -----------------------------------------------------------------------------------------


async def test_group_admin_subscribes_and_sets_a_schedule(bot: Harness) -> None:
    bot.request.members[(GROUP, ADMIN)] = "administrator"
    await bot.send("/subscribe", user=ADMIN, chat_id=GROUP)
    assert "Tipps sind eingeschaltet: wöchentlich am Montag um 09:00 Uhr" in bot.texts(GROUP)[-1]
    await bot.send("/tips daily 08:30", user=ADMIN, chat_id=GROUP)
    row = bot.storage.tips.tip_subscription(GROUP)
    assert row is not None and (row["schedule"], row["at"], row["kind"]) == ("daily", "08:30", "group")
    assert bot.app.job_queue is not None
    assert bot.app.job_queue.get_jobs_by_name("tips:daily:0:08:30")


async def test_a_group_member_who_is_no_admin_is_refused(bot: Harness) -> None:
    await bot.send("/subscribe", user=MEMBER, chat_id=GROUP)
    assert "Nur Administratoren" in bot.texts(GROUP)[-1]
    assert bot.storage.tips.tip_subscription(GROUP) is None
    bot.request.members[(GROUP, ADMIN)] = "creator"
    await bot.send("/subscribe", user=ADMIN, chat_id=GROUP)
    await bot.send("/unsubscribe", user=MEMBER, chat_id=GROUP)
    await bot.send("/tips off", user=MEMBER, chat_id=GROUP)
    assert bot.storage.tips.tip_subscription(GROUP)["active"] == 1  # type: ignore[index]


async def test_private_user_opts_in_with_the_result_button_and_out_with_tips_off(bot: Harness) -> None:
    await bot.app.process_update(bot.updates.press(MEMBER, "tips|on"))
    assert "Tipps sind eingeschaltet" in bot.texts(MEMBER)[-1]
    assert bot.storage.tips.tip_subscription(MEMBER)["kind"] == "private"  # type: ignore[index]
    await bot.send("/tips off", user=MEMBER)
    assert bot.storage.tips.active_tip_subscriptions() == []
    await bot.send("/tips", user=MEMBER)
    assert "/tips on" in bot.texts(MEMBER)[-1]


async def test_admin_registers_a_channel_only_where_the_bot_may_post(bot: Harness) -> None:
    channel = {
        "id": -100777,
        "type": "channel",
        "title": "KMU-Tipps",
        "username": "kmutipps",
        "accent_color_id": 0,
        "max_reaction_count": 11,
    }
    bot.request.chats["@kmutipps"] = channel
    await bot.send("/addchannel @kmutipps", user=ADMIN)
    assert "kein Administrator" in bot.texts(ADMIN)[-1]
    bot.request.members[(-100777, BOT_ID)] = "administrator"
    await bot.send("/addchannel @kmutipps en", user=ADMIN)
    assert "KMU-Tipps" in bot.texts(ADMIN)[-1]
    row = bot.storage.tips.tip_subscription(-100777)
    assert row is not None and row["kind"] == "channel" and row["language"] == "en"
    await bot.send("/addchannel @kmutipps", user=MEMBER)
    assert "nur den Administratoren dieses Bots" in bot.texts(MEMBER)[-1]


async def test_admin_broadcast_with_preview_progress_and_report(bot: Harness) -> None:
    for chat_id in (11, 12, 13):
        bot.storage.tips.subscribe_tips(chat_id, kind="private", language="de")
    await bot.send("/broadcast", user=MEMBER)
    assert "nur den Administratoren dieses Bots" in bot.texts(MEMBER)[-1]
    await bot.send("/broadcast", user=ADMIN)
    await bot.send("Neue <Termine> im Mai", user=ADMIN)
    assert "an 3 angemeldete Chats senden?" in bot.texts(ADMIN)[-1]
    [[confirm, _cancel]] = bot.request.last_keyboard(ADMIN)
    assert confirm["callback_data"].startswith("bc|ok|")
    await bot.app.process_update(bot.updates.press(ADMIN, confirm["callback_data"]))
    await asyncio.gather(*bot.app.bot_data.tasks)
    for chat_id in (11, 12, 13):
        assert bot.texts(chat_id) == ["Neue &lt;Termine&gt; im Mai"]
    assert "Rundsendung abgeschlossen: 3 von 3 zugestellt" in bot.texts(ADMIN)[-1]
    await bot.app.process_update(bot.updates.press(ADMIN, confirm["callback_data"]))  # a second tap
    assert "nicht mehr offen" in bot.texts(ADMIN)[-1]
    assert all(len(bot.texts(chat_id)) == 1 for chat_id in (11, 12, 13))


async def test_a_scheduled_run_sends_each_chat_its_next_tip_in_its_language(bot: Harness) -> None:
    bot.storage.tips.subscribe_tips(21, kind="private", language="en")
    bot.storage.tips.subscribe_tips(GROUP, kind="supergroup", language="de")
    await start_tip_run(bot.app, Schedule("weekly", 0, "09:00"), "2025-01-06")
    assert await start_tip_run(bot.app, Schedule("weekly", 0, "09:00"), "2025-01-06") is None  # fired twice
    [english] = bot.texts(21)
    [german] = bot.texts(GROUP)
    assert "This week:" in english and "/tips off" in english
    assert "Diese Woche:" in german and "/unsubscribe" in german
    await start_tip_run(bot.app, Schedule("weekly", 0, "09:00"), "2025-01-13")
    assert len(set(bot.texts(21))) == 2


# --- the broadcaster ----------------------------------------------------------------------------------


def make_broadcaster(storage: Storage, request: TipsFakeRequest) -> TipBroadcaster:
    return TipBroadcaster(
        storage,
        Bot(TOKEN, request=request),
        pacer=ChatPacer(time_scale=10),
        on_blocked=lambda chat_id: storage.tips.unsubscribe_tips(chat_id, reason="blocked"),
        on_migrated=storage.tips.migrate_tip_chat,
    )


def text_of(row: dict[str, Any]) -> str:
    return f"hello {row['chat_id']}"


async def test_403_deactivates_and_a_migrated_group_is_followed(storage: Storage) -> None:
    for chat_id in (1, 2, -5):
        storage.tips.subscribe_tips(chat_id, kind="private" if chat_id > 0 else "group", language="de")
    request = TipsFakeRequest()
    request.errors[2] = [(403, {"description": "Forbidden: bot was blocked by the user"})]
    request.errors[-5] = [
        (
            400,
            {
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": -1005},
            },
        )
    ]
    broadcast_id = storage.broadcasts.create_broadcast(
        "admin", [{"chat_id": c} for c in (1, 2, -5)], text="x"
    )
    assert broadcast_id is not None
    progress = await make_broadcaster(storage, request).run(broadcast_id, text_of)
    assert (progress.sent, progress.blocked, progress.migrated) == (2, 1, 1)
    assert request.delivered == [1, -1005] or sorted(request.delivered) == [-1005, 1]
    assert request.texts(-1005) == ["hello -5"]
    assert [row["chat_id"] for row in storage.tips.active_tip_subscriptions()] == [-1005, 1]
    assert storage.tips.tip_subscription(2)["deactivated_reason"] == "blocked"  # type: ignore[index]
    assert storage.broadcasts.broadcast(broadcast_id)["status"] == "done"  # type: ignore[index]


@pytest.mark.parametrize("later", range(6))
async def test_a_run_ends_as_soon_as_its_last_send_is_answered(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, later: int
) -> None:
    """The last answer comes ``later`` turns of the event loop after the one before: at one of these the run
    used to see the finished send still in flight and wait out a whole second before it ended."""
    woken: list[bool] = []
    original = broadcaster._wait

    async def recorded(event: asyncio.Event, timeout: float) -> None:
        await original(event, timeout)
        woken.append(event.is_set())  # not set: the wait ran out its timeout instead of being woken

    monkeypatch.setattr(broadcaster, "_wait", recorded)
    request, arrived, answer = TipsFakeRequest(), [], asyncio.Event()

    async def answered_together(chat_id: int) -> None:
        arrived.append(chat_id)
        if len(arrived) == 2:
            answer.set()
        await answer.wait()
        for _ in range(later if chat_id == 4 else 0):
            await asyncio.sleep(0)

    request.before_send = answered_together  # type: ignore[assignment]
    broadcast_id = storage.broadcasts.create_broadcast("admin", [{"chat_id": 3}, {"chat_id": 4}], text="x")
    assert broadcast_id is not None
    progress = await make_broadcaster(storage, request).run(broadcast_id, text_of)
    assert progress.sent == 2
    assert woken and all(woken), woken  # every wait ended with a send, none with a second's timeout


async def test_429_delays_only_that_chat_and_is_retried(storage: Storage) -> None:
    request = TipsFakeRequest()
    request.errors[3] = [
        (429, {"description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}})
    ]
    broadcast_id = storage.broadcasts.create_broadcast(
        "admin", [{"chat_id": c} for c in (3, 4, 5, 6)], text="x"
    )
    assert broadcast_id is not None
    progress = await make_broadcaster(storage, request).run(broadcast_id, text_of)
    assert progress.rate_limited == 1 and progress.sent == 4
    assert request.delivered[-1] == 3  # the others did not wait for it
    assert sorted(request.delivered) == [3, 4, 5, 6]


async def test_a_run_interrupted_mid_way_resumes_and_sends_every_message_once(tmp_path: Path) -> None:
    chats = list(range(100, 160))
    first_storage = Storage(tmp_path / "bot.db")
    broadcast_id = first_storage.broadcasts.create_broadcast(
        "admin", [{"chat_id": c} for c in chats], text="x"
    )
    assert broadcast_id is not None
    first = TipsFakeRequest()
    first.gate, first.pass_before_gate = asyncio.Event(), 25
    run = asyncio.create_task(make_broadcaster(first_storage, first).run(broadcast_id, text_of))
    while len(first.delivered) < 30:  # 25 answered; the rest reached Telegram but no answer came back
        await asyncio.sleep(0.01)
    run.cancel()  # the crash: nothing after this point is recorded
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.cancel()
    await asyncio.sleep(0)
    first_storage.close()

    storage = Storage(tmp_path / "bot.db")
    assert storage.broadcasts.unfinished_broadcasts()[0]["id"] == broadcast_id
    second = TipsFakeRequest()
    progress = await make_broadcaster(storage, second).run(broadcast_id, text_of)
    delivered = first.delivered + second.delivered
    assert sorted(delivered) == chats  # every chat exactly once
    # Exactly the sends whose answer was lost are "uncertain"; none of them was repeated.
    assert progress.uncertain == len(first.delivered) - 25 >= 5
    assert progress.sent == len(chats) - progress.uncertain


@pytest.mark.parametrize(
    ("words", "weekday", "hour"),
    [
        ("weekly mon 09:00", 0, 9),
        ("weekly wed 07:15", 2, 7),
        ("weekly sun 18:30", 6, 18),
        ("daily 08:30", None, 8),
    ],
)
async def test_a_slot_job_fires_on_its_weekday_and_time(
    bot: Harness, words: str, weekday: int | None, hour: int
) -> None:
    schedule = parse_schedule(words.split())
    ensure_slot_job(bot.app, schedule)
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(f"tips:{schedule.kind}:{schedule.weekday}:{schedule.at}")
    berlin = ZoneInfo("Europe/Berlin")
    moment = datetime(2026, 1, 1, 12, 0, tzinfo=berlin)  # a Thursday
    fired = []
    for _ in range(7):
        moment = job.job.trigger.get_next_fire_time(None, moment + timedelta(minutes=1))
        fired.append(moment.astimezone(berlin))
    assert {(f.hour, f.strftime("%M")) for f in fired} == {(hour, schedule.at[3:])}
    if weekday is None:
        assert sorted(f.weekday() for f in fired) == list(range(7))
    else:
        assert {f.weekday() for f in fired} == {weekday}


async def test_pressing_send_twice_sends_once_and_says_it_is_running(bot: Harness) -> None:
    for chat_id in (11, 12, 13):
        bot.storage.tips.subscribe_tips(chat_id, kind="private", language="de")
    await bot.send("/broadcast", user=ADMIN)
    await bot.send("Sprechstunde am Montag", user=ADMIN)
    [[confirm, _cancel]] = bot.request.last_keyboard(ADMIN)
    bot.request.send_delay = 0.05  # the first tap is still sending its status message when the second comes
    await asyncio.gather(*(bot.press(confirm["callback_data"], user=ADMIN) for _ in range(2)))
    await asyncio.gather(*bot.app.bot_data.tasks)
    for chat_id in (11, 12, 13):
        assert bot.texts(chat_id) == ["Sprechstunde am Montag"]
    admin = "\n".join(bot.texts(ADMIN))
    assert "wird bereits gesendet" in admin and "schiefgegangen" not in admin
    assert admin.count("Rundsendung abgeschlossen") == 1


async def test_a_broadcast_text_close_to_the_limit_is_previewed_and_sent(bot: Harness) -> None:
    bot.storage.tips.subscribe_tips(11, kind="private", language="de")
    text = "Termine " * 511  # 4,088 characters: the draft fits, the draft with the question does not
    await bot.send("/broadcast", user=ADMIN)
    await bot.send(text, user=ADMIN)
    preview = bot.texts(ADMIN)
    assert text in preview and "an 1 angemeldeten Chat senden?" in preview[-1]
    assert all(len(t) <= MessageLimit.MAX_TEXT_LENGTH for t in preview)
    assert "Frage" not in "\n".join(preview)  # the draft never falls into the questionnaire
    [[confirm, _cancel]] = bot.request.last_keyboard(ADMIN)
    await bot.press(confirm["callback_data"], user=ADMIN)
    await asyncio.gather(*bot.app.bot_data.tasks)
    assert bot.texts(11) == [text]


def test_a_run_has_one_sender_until_its_lease_runs_out(storage: Storage) -> None:
    broadcast_id = storage.broadcasts.create_broadcast("admin", [{"chat_id": 1}], text="x")
    assert broadcast_id is not None
    elsewhere = Lease(storage, owner="other-host:4242:abcd", seconds=0.2)
    here = Lease(storage, seconds=0.2)
    assert elsewhere.take(broadcast_id)
    assert not here.take(broadcast_id)  # held by a live process (on another machine: only the lease tells)
    assert elsewhere.renew(broadcast_id)
    time.sleep(0.3)
    assert here.take(broadcast_id)  # the holder stopped renewing
    assert not elsewhere.renew(broadcast_id)  # and learns that it must stop sending
    gone = Lease(storage, owner=f"{socket.gethostname()}:{2**22 + 12345}:dead", seconds=60)
    storage.execute(
        "update broadcasts set owner = ?, lease_until = 9e12 where id = ?", [gone.owner, broadcast_id]
    )
    assert here.take(broadcast_id)  # a holder on this machine that no longer runs is not waited for
    assert storage.broadcasts.claim_delivery(broadcast_id, 1) and not storage.broadcasts.claim_delivery(
        broadcast_id, 1
    )


async def test_a_server_error_after_delivery_is_uncertain_and_never_sent_again(storage: Storage) -> None:
    request = TipsFakeRequest()
    answered_500 = {11, 13}

    async def deliver_then_fail(chat_id: int) -> tuple[int, bytes] | None:
        if chat_id in answered_500:
            answered_500.discard(chat_id)
            request.delivered.append(chat_id)  # it reached the chat; then the server failed
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return 500, json.dumps(body).encode()
        return None

    request.before_send = deliver_then_fail
    chats = [10, 11, 12, 13, 14]
    broadcast_id = storage.broadcasts.create_broadcast("admin", [{"chat_id": c} for c in chats], text="x")
    assert broadcast_id is not None
    progress = await make_broadcaster(storage, request).run(broadcast_id, text_of)
    assert sorted(request.delivered) == chats  # each chat once: the 500s were not sent again
    assert progress.uncertain == 2 and progress.sent == 3


async def test_a_send_answered_with_a_server_error_is_not_repeated_by_the_request_layer() -> None:
    import httpx
    from telegram.request import RequestData

    from bot.telegram.request import SENDS_FINAL_ON_SERVER_ERROR, RetryingRequest

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path.rsplit("/", 1)[-1])
        return httpx.Response(500, json={"ok": False, "error_code": 500, "description": "Internal"})

    layer = RetryingRequest(backoff=0.001)
    layer._client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    final = SENDS_FINAL_ON_SERVER_ERROR.set(True)  # as the broadcaster sends
    try:
        for method in ("sendMessage", "getMe"):
            code, _ = await layer.do_request(f"https://api.example/bot1:x/{method}", "POST", RequestData())
            assert code == 500
    finally:
        SENDS_FINAL_ON_SERVER_ERROR.reset(final)
    assert seen == ["sendMessage", "getMe", "getMe", "getMe", "getMe"]  # only the idempotent call retried
    seen.clear()
    await layer.do_request("https://api.example/bot1:x/sendMessage", "POST", RequestData())
    assert len(seen) == 4  # a dialogue's reply is retried: a lost one would cost the user a nudge


async def test_deleting_my_data_while_a_tip_is_on_its_way_leaves_no_seen_tip(storage: Storage) -> None:
    chat = 4242
    storage.tips.subscribe_tips(chat, kind="private", language="de")
    request = TipsFakeRequest()

    async def delete_meanwhile(chat_id: int) -> None:
        storage.forget_everything("telegram", chat_id, chat_id)  # what /deletedata does

    request.before_send = delete_meanwhile
    broadcast_id = storage.broadcasts.create_broadcast(
        "tip", [{"chat_id": chat, "tip_id": "t1", "language": "de"}]
    )
    assert broadcast_id is not None
    await make_broadcaster(storage, request).run(broadcast_id, text_of)
    assert request.delivered == [chat]
    assert storage.tips.seen_tips(chat) == set()
    assert storage.rows("select * from tip_seen") == [] and storage.rows("select * from deliveries") == []


async def test_the_broadcaster_does_not_repeat_a_send_answered_with_a_server_error(storage: Storage) -> None:
    import httpx

    from bot.telegram.request import RetryingRequest

    delivered: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        delivered.append(request.url.path.rsplit("/", 1)[-1])  # it reached Telegram ...
        return httpx.Response(
            500, json={"ok": False, "error_code": 500, "description": "Internal"}
        )  # ... and failed

    layer = RetryingRequest(backoff=0.001)
    layer._client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    broadcaster = TipBroadcaster(storage, Bot(TOKEN, request=layer), pacer=ChatPacer(time_scale=10))
    broadcast_id = storage.broadcasts.create_broadcast("admin", [{"chat_id": 21}], text="x")
    assert broadcast_id is not None
    progress = await broadcaster.run(broadcast_id, text_of)
    assert delivered == ["sendMessage"] and progress.uncertain == 1
