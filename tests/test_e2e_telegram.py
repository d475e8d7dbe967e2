"""End to end: ``run_bot.py telegram`` as a real process, long-polling the local Bot API fake over HTTP.

Scripted users answer the whole questionnaire with buttons and typed text in German and English, the bot is
SIGKILLed mid-dialogue and restarted, the fake answers with 429 and 500, and /start is sent in groups.
Per-dialogue wall times are printed (``pytest -s``) for the report, never asserted on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from random import Random
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.i18n import Translator
from dialogs.engine import evaluate
from tests.support.botapi import FakeUser
from tests.support.e2e_support import (
    BOT_USERNAME,
    ENGLISH,
    GERMAN,
    BotProcess,
    DialogueRecord,
    E2EFake,
    Script,
    ScriptedUser,
    Step,
    expected_progress,
    expected_session,
    expected_summary_lines,
    print_figures,
    random_script,
    resent_deliveries,
    run_users,
    screen_of,
    sends,
    stored_session,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fake() -> Iterator[E2EFake]:
    from tests.support.e2e_support import running_fake

    with running_fake() as server:
        yield server


@pytest.fixture(scope="module")
def bot(fake: E2EFake, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    directory = tmp_path_factory.mktemp("e2e")
    process = BotProcess(fake, directory / "bot.db", directory / "bot.log")
    try:
        process.start()
        yield process
    finally:
        process.stop()


@pytest.fixture(autouse=True)
def _fresh_conditions(fake: E2EFake, bot: BotProcess) -> Iterator[None]:
    """Each test finds the bot running and the fake without faults, whatever the test before did."""
    if not bot.alive:
        bot.start()
    yield
    fake.clear_faults()


def assert_finished_properly(record: DialogueRecord, script: Script, bot: BotProcess) -> None:
    """The dialogue reached the result, every answer was asked once with the right progress, nothing lost."""
    assert record.error is None, record.error
    assert record.completed
    assert record.progress_errors == []
    assert record.unmatched == [], "replies that answer no input (sent twice?)"
    assert record.lost_actions == []
    assert record.acked == [step.qid for step in script.steps]
    for line in expected_summary_lines(script):
        assert line in record.summary_text, f"{line!r} missing from the summary:\n{record.summary_text}"
    t = Translator(script.language)
    expected = expected_session(script)
    result = evaluate(expected.answers)
    category = t(result.classification.name)
    text = record.result_text
    assert category in text
    if script.language == "de":
        assert "Ihr Unternehmen:" in text and "Diese Woche" in text and "von 100" in text
    else:
        assert "Your company:" in text and "This week" in text and "of 100" in text
    # the overview comes first (in place of the summary); the chart, for firms selling to businesses, follows
    # it (checked in process: tests/test_telegram_handlers.py)
    assert record.result_photos == 0
    assert {"r|result", "b|result"} <= set(record.result_buttons)
    share = [b for b in record.result_buttons if b.startswith("https://t.me/share/url?")]
    assert len(share) == 1
    deep_link = parse_qs(urlsplit(share[0]).query)["url"][0]
    assert deep_link.startswith(f"https://t.me/{BOT_USERNAME}?start=ref_")
    stored = stored_session(bot.db_path, record.user_id)
    assert stored is not None
    assert stored["state"] == "result"
    assert stored["answers"] == expected.answers


def test_four_users_finish_in_german_and_english_at_once(fake: E2EFake, bot: BotProcess) -> None:
    scripts = [GERMAN, ENGLISH, random_script(Random(7), "de-AT"), random_script(Random(8), "en-GB")]
    users = [ScriptedUser(fake, 1001 + i, script) for i, script in enumerate(scripts)]
    records = run_users(users, timeout=180)
    print_figures("e2e concurrent", records)
    for record, script in zip(records, scripts, strict=True):
        assert_finished_properly(record, script, bot)
        chart = evaluate(expected_session(script).answers).compares_with_b2b_survey
        waited = time.monotonic() + 10  # the chart follows the overview: it may still be on its way
        while True:
            photos = [c for c in sends(fake, record.user_id) if c.method == "sendPhoto" and c.ok]
            if photos or not chart or time.monotonic() > waited:
                break
            time.sleep(0.05)
        if chart:  # uploaded, or sent by the file_id of the same picture uploaded for another user before
            photo = photos[0].params["photo"] if photos else None
            size = len(fake.file_bytes(photo)) if isinstance(photo, str) else (photo or {"size": 0})["size"]
            assert size > 1000
        else:
            assert not photos


# --- a crash in the middle ----------------------------------------------------------------------------


def next_screen(user: FakeUser, timeout: float = 20.0) -> dict[str, Any]:
    """The next screen: a bot message with buttons, new or edited (a tapped answer edits its question)."""
    for _ in range(20):
        message = user.wait_screen(timeout=timeout)
        if screen_of(message) is not None:
            return message
    raise AssertionError("no screen among the last 20 messages")


def give(user: FakeUser, step: Step) -> None:
    if step.key is not None:
        user.press(f"c|{step.qid}|{step.key}")
    else:
        user.send(step.text or "")


def test_sigkill_mid_dialogue_then_the_user_continues_at_the_same_question(
    fake: E2EFake, bot: BotProcess
) -> None:
    user = fake.user(2001, language_code="de")
    user.send("/start")
    assert screen_of(next_screen(user)) == "intro"
    user.press("cons|1")
    assert "Frage 1 von 15" in next_screen(user)["text"]
    for number, step in enumerate(GERMAN.steps[:5], 2):
        give(user, step)
        reply = next_screen(user)["text"]
        assert reply.startswith("✓ Notiert") and f"Frage {number} von 15" in reply

    bot.kill()
    stored = stored_session(bot.db_path, user.id)
    asked = [step.qid for step in GERMAN.steps]
    assert stored is not None and stored["state"] == asked[5]
    assert stored["answers"] == {k: v for k, v in expected_session(GERMAN).answers.items() if k in asked[:5]}
    user.send("/start")  # waits in the fake until the new process polls
    bot.start()
    reply = next_screen(user)["text"]
    assert "Willkommen zurück" in reply and "Frage 6 von 15" in reply

    # Killed again; this time the answer is typed while the bot is down and handled after the restart.
    bot.kill()
    give(user, GERMAN.steps[5])
    bot.start()
    reply = next_screen(user)["text"]
    assert reply.startswith("✓ Notiert") and "Frage 7 von 15" in reply

    for number, step in enumerate(GERMAN.steps[6:], 8):
        give(user, step)
        reply = next_screen(user)["text"]
        assert reply.startswith("✓ Notiert")
        if number <= len(GERMAN.steps):
            shown, total = expected_progress(GERMAN, GERMAN.steps[number - 1].qid)
            assert f"Frage {shown} von {total}" in reply
    for line in expected_summary_lines(GERMAN):
        assert line in reply, f"{line!r} missing from the summary after two crashes:\n{reply}"
    user.press("ok|summary")
    final = next_screen(user)
    assert screen_of(final) == "result"
    assert stored_session(bot.db_path, user.id)["answers"] == expected_session(GERMAN).answers  # type: ignore[index]
    assert bot.kills >= 2


def test_an_answer_handled_just_before_the_crash_is_not_applied_again(fake: E2EFake, bot: BotProcess) -> None:
    """Telegram hands out an update again until the bot's next poll confirms it: here the bot dies in between."""
    user = fake.user(2101, language_code="de")
    user.send("/start")
    next_screen(user)
    user.press("cons|1")
    next_screen(user)
    # Holds back the poll that would confirm the next update, for longer than a restart takes on a busy machine.
    fake.slow("getUpdates", 30.0)
    user.send("12")
    assert "Frage 2 von 15" in next_screen(user)["text"]
    bot.kill()
    fake.slow("getUpdates", 0)
    bot.start()
    fake.wait_updates_consumed(timeout=20)
    answer = [
        u["update_id"]
        for c in fake.calls("getUpdates")
        if c.ok
        for u in c.result
        if u.get("message", {}).get("from", {}).get("id") == user.id and u["message"].get("text") == "12"
    ]
    assert len(answer) >= 2 and len(set(answer)) == 1, "the answer was not handed out again: nothing tested"
    user.send("/start")
    reply = next_screen(user)["text"]
    assert "Willkommen zurück" in reply and "Frage 2 von 15" in reply, (
        "the repeated '12' was taken as turnover"
    )
    assert stored_session(bot.db_path, user.id)["answers"] == {  # type: ignore[index]
        "staff": {"band": None, "value": "12"}
    }


# --- Bot API errors during the dialogue ---------------------------------------------------------------


def test_a_429_and_a_500_during_the_dialogue_break_nothing(fake: E2EFake, bot: BotProcess) -> None:
    user_id = 3001

    def inject_on_progress(scripted: ScriptedUser) -> None:
        if len(scripted.record.acked) == 3:
            fake.inject("sendMessage", 429, retry_after=1, chat_id=user_id)
        if len(scripted.record.acked) == 7:
            fake.inject("sendMessage", 500, chat_id=user_id)

    scripted = ScriptedUser(fake, user_id, ENGLISH, patience=30, on_ack=inject_on_progress)
    record = scripted.run()
    print_figures("e2e 429+500", [record])
    assert_finished_properly(record, ENGLISH, bot)
    assert record.nudges == 0 and record.sorry == 0

    calls = sends(fake, user_id)
    faulted = [c for c in calls if c.fault in ("429", "500")]
    assert sorted(c.status for c in faulted) == [429, 500]
    for failed in faulted:
        retry = calls[calls.index(failed) + 1]
        assert retry.ok and retry.params == failed.params, "the refused message is sent again, once"
    delivered = [json.dumps(c.params, sort_keys=True) for c in calls if c.ok]
    assert len(delivered) == len(set(delivered)), "a reply was delivered twice"
    assert resent_deliveries(fake, user_id) == []


# --- groups -------------------------------------------------------------------------------------------


def test_start_in_a_group_points_to_the_private_chat(fake: E2EFake, bot: BotProcess) -> None:
    member = fake.user(4001, language_code="de")
    group = fake.group(-4002, title="Handwerk", members={member: "member"})
    member.send("12", chat=group)  # privacy mode: ordinary chatter never reaches the bot
    member.send("/start", chat=group)
    reply = member.wait_reply(timeout=20, chat=group)
    assert "privaten Chat" in reply["text"]
    urls = [b.get("url") for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert urls == [f"https://t.me/{BOT_USERNAME}?start=group"]

    # As an administrator the bot sees every message; it must still answer only commands in groups.
    admin_group = fake.group(-4003, members={member: "member"}, bot_status="administrator")
    member.send("Wir haben 12 Mitarbeitende", chat=admin_group)
    member.send("/back", chat=admin_group)  # private-chat commands are none of a group's business
    member.send(f"/start@{BOT_USERNAME}", chat=admin_group)
    reply = member.wait_reply(timeout=20, chat=admin_group)
    assert urls == [b.get("url") for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    member.send("/start", chat=admin_group)  # a later command proves the earlier updates were handled
    member.wait_reply(timeout=20, chat=admin_group)
    fake.wait_updates_consumed(timeout=20)
    assert [c.ok for c in sends(fake, admin_group.id)] == [True, True]
    assert [c.ok for c in sends(fake, group.id)] == [True]
    assert fake.messages(member) == []  # nothing was sent to the private chat

    # The button's deep link opens the private chat with /start group: the privacy intro follows.
    member.send("/start group")
    assert screen_of(next_screen(member)) == "intro"


def test_english_group_member_gets_english(fake: E2EFake, bot: BotProcess) -> None:
    member = fake.user(4101, language_code="en-GB")
    group = fake.group(-4102, members={member: "member"})
    member.send(f"/start@{BOT_USERNAME}", chat=group)
    reply = member.wait_reply(timeout=20, chat=group)
    assert "private chat" in reply["text"]
