"""The real PTB Application with an in-process fake Bot API, driven update by update."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.telegram.app import _post_init
from bot.telegram.introduction import introduce
from dialogs.questions import QUESTIONS
from tests.support.botapi_fake import ApiError
from tests.support.harness import GERMAN_ANSWERS, USER, Harness, answer_all, consent, save_session
from tests.support.telegram_fakes import check


async def test_first_contact_asks_consent_then_the_first_question(bot: Harness) -> None:
    await consent(bot)
    text = bot.last_text()
    assert "Frage 1 von 15" in text and "Mitarbeitende" in text
    assert "c|staff|lt10" in bot.buttons()


async def test_whole_german_dialogue_with_buttons_and_typing(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot)
    assert "Ihre Antworten im Überblick" in bot.last_text()
    assert "ok|summary" in bot.buttons() and "e|staff" in bot.buttons()
    bot.request.clear()
    await bot.press("ok|summary")
    # The overview replaces the summary, the chart follows: two rate-limited calls for the whole result.
    assert bot.request.rate_limited() == ["editMessageText", "sendPhoto"]
    texts = "\n".join(bot.request.texts(USER))
    assert "Ihr Unternehmen:" in texts and "Diese Woche" in texts and "von 100" in texts
    share = [b for b in bot.buttons() if b.startswith("https://t.me/share/url")]
    assert share and "ref_" in share[0]
    assert all(len(t) <= 4096 for t in bot.request.texts(USER))


async def test_a_firm_selling_to_private_customers_gets_no_chart_beside_the_b2b_survey(bot: Harness) -> None:
    await consent(bot)
    answers = [("c|customers|private" if a == "c|customers|both" else a) for a in GERMAN_ANSWERS]
    await answer_all(bot, answers)
    bot.request.clear()
    await bot.press("ok|summary")
    methods = [api for api, _ in bot.request.calls]
    assert "sendPhoto" not in methods
    for view in ("rv|cmp", "rv|size"):
        await bot.press(view)
    texts = "\n".join(bot.request.texts(USER))
    assert "TNS" not in texts and "Was Ihre Größenklasse für Sie bedeutet" in texts


async def test_a_typed_label_with_digits_picks_the_ownership_answer(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS[:3])
    await bot.send("unter 25 %")
    assert "Frage 5 von 15" in bot.last_text()


async def test_english_user_gets_english(bot: Harness) -> None:
    await consent(bot, language_code="en-GB")
    assert "Question 1 of 15" in bot.last_text()


async def test_answers_survive_a_new_application(tmp_path: Path) -> None:
    first = Harness(tmp_path / "bot.db")
    async with first.app:
        await consent(first)
        await answer_all(first, GERMAN_ANSWERS[:4])
    second = Harness(tmp_path / "bot.db")
    async with second.app:
        await second.send("/start")
        assert "Frage 5 von 15" in second.last_text() and "Willkommen zurück" in second.last_text()


@pytest.mark.parametrize(
    "extra",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        {"document": {"file_id": "d", "file_unique_id": "d"}},
    ],
)
async def test_media_gets_a_localized_hint_and_the_question_again(
    bot: Harness, extra: dict[str, object]
) -> None:
    await consent(bot)
    await bot.send(None, extra=extra)  # type: ignore[arg-type]
    assert "nur Text" in bot.last_text() and "Frage 1 von 15" in bot.last_text()


async def test_long_text_and_nonsense_are_refused_politely(bot: Harness) -> None:
    await consent(bot)
    await bot.send("x" * 4000)
    assert "Frage 1 von 15" in bot.last_text() and "⚠️" in bot.last_text()
    await bot.send("/frobnicate")
    assert "Diesen Befehl kenne ich nicht" in bot.last_text()


async def test_forged_and_stale_buttons(bot: Harness) -> None:
    await consent(bot)
    await bot.press("c|staff|nonsense")
    assert "Diese Auswahl gibt es nicht" in bot.last_text()
    await bot.press("c|staff|lt10")
    await bot.press("c|staff|10_49")  # a button of the question already answered
    assert "früheren Nachricht" in bot.last_text() and "Frage 2 von 15" in bot.last_text()
    await bot.press("ok|summary")
    assert "früheren Nachricht" in bot.last_text()
    await bot.press("💣" * 30)
    assert "Frage 2 von 15" in bot.last_text()
    answered = [api for api, _ in bot.request.calls if api == "answerCallbackQuery"]
    assert len(answered) >= 5  # every button press gets an answer, so no spinner is left


async def test_edited_message_is_explained(bot: Harness) -> None:
    await consent(bot)
    await bot.app.process_update(bot.updates.message(USER, "12", kind="edited_message"))
    assert "Bearbeitete Nachrichten" in bot.last_text()


async def test_back_and_restart_commands(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS[:2])
    await bot.send("/back")
    assert "Frage 2 von 15" in bot.last_text()
    await bot.send("/restart")
    assert "Frage 1 von 15" in bot.last_text()


async def test_without_consent_the_answers_are_deleted_after_the_result(bot: Harness) -> None:
    await consent(bot, yes=False)
    await answer_all(bot)
    await bot.press("ok|summary")
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    assert respondent is not None
    assert bot.storage.sessions.latest_results(respondent) == []
    assert bot.storage.sessions.load_session(respondent)["answers"] == {}  # type: ignore[index]


async def test_second_check_shows_what_changed(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    await bot.press("b|result")
    await bot.press("e|website")
    await bot.press("c|website|current")
    bot.request.clear()
    await bot.press("ok|summary")
    assert "Seit Ihrem letzten Check" in "\n".join(bot.request.texts(USER))


async def test_mydata_and_deletedata(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS[:2])
    await bot.send("/mydata")
    document = [p for api, p in bot.request.calls if api == "sendDocument"][-1]
    payload = json.loads(document["_files"]["document"] if "_files" in document else "{}")
    assert payload["session"]["answers"]["staff"]["value"] == "12"
    await bot.send("/deletedata")
    assert "del|yes" in bot.buttons()
    await bot.press("del|yes")
    assert bot.storage.respondents.find_respondent("telegram", USER) is None
    assert bot.storage.db["sessions"].count == 0 and bot.storage.db["results"].count == 0


async def test_group_start_offers_the_private_chat(bot: Harness) -> None:
    await bot.send("/start", chat_id=-1001)
    assert any(b.startswith("https://t.me/KmuBeraterTestBot?start=") for b in bot.buttons(-1001))
    before = len(bot.request.calls)
    await bot.send("12", chat_id=-1001)  # ordinary group chatter is none of the bot's business
    assert len(bot.request.calls) == before


async def test_two_fast_messages_are_serialized(bot: Harness) -> None:
    await consent(bot)
    # Sends take a moment, so the second message arrives while the reply to the first is on its way:
    # without the per-user lock it would find that reply not yet delivered and not be taken as an answer.
    bot.request.send_delay = 0.05
    await asyncio.gather(bot.send("12"), bot.send("2 Mio"))
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    session = bot.storage.sessions.load_session(respondent)  # type: ignore[arg-type]
    assert session is not None
    assert session["answers"]["staff"]["value"] == "12"
    assert session["answers"]["turnover"]["value"] == "2000000"


async def test_commands_are_registered_in_both_languages(bot: Harness) -> None:
    await introduce(bot.app.bot)
    calls = [p for api, p in bot.request.calls if api == "setMyCommands"]
    languages = {p.get("language_code") for p in calls}
    assert {None, "de", "en"} <= languages
    german = next(p for p in calls if p.get("language_code") == "de")
    assert any("Check" in c["description"] for c in german["commands"])


async def test_a_message_after_the_result_gets_a_short_answer_not_the_whole_result(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    bot.request.clear()
    await bot.send("hallo?")
    assert [api for api, _ in bot.request.calls if api.startswith("send")] == ["sendMessage"]
    assert "show|result" in bot.buttons() and "r|result" in bot.buttons()
    bot.request.clear()
    await bot.press("show|result")
    assert bot.request.rate_limited() == ["editMessageText"]  # the overview in place, no chart again
    assert "Diese Woche" in "\n".join(bot.request.texts(USER))


async def test_an_update_handed_out_again_after_a_crash_is_not_applied_twice(bot: Harness) -> None:
    await consent(bot)
    update = bot.updates.message(USER, "12")
    await bot.app.process_update(update)
    assert "Frage 2 von 15" in bot.last_text()
    bot.request.clear()
    await bot.app.process_update(update)  # Telegram repeats an unconfirmed update after a restart
    assert bot.request.sent(USER) == []
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    session = bot.storage.sessions.load_session(respondent)  # type: ignore[arg-type]
    assert session is not None and session["state"] == "turnover" and "turnover" not in session["answers"]


async def test_an_answer_typed_again_after_a_lost_reply_is_not_taken_for_the_next_question(
    bot: Harness,
) -> None:
    await consent(bot)
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    assert respondent is not None
    await bot.send("12")
    assert bot.app.bot_data.advisor.flush_receipts() == 1  # the reply to "12" went out
    assert bot.storage.sessions.load_session(respondent)["reply_pending"] is False  # type: ignore[index]
    # The bot dies after committing the next answer but before its reply goes out.
    save_session(
        bot.storage,
        respondent,
        {**bot.storage.sessions.load_session(respondent), "state": "turnover"},
        reply_pending=True,  # type: ignore[dict-item]
    )
    await bot.send("12")  # the user never saw question 2 and types the staff figure again
    assert "nicht erreicht" in bot.last_text() and "Frage 2 von 15" in bot.last_text()
    assert bot.app.bot_data.advisor.flush_receipts() == 1  # this reply went out
    session = bot.storage.sessions.load_session(respondent)
    assert session is not None and "turnover" not in session["answers"] and not session["reply_pending"]
    await bot.send("2 Mio")  # now the answer to the question the user sees
    session = bot.storage.sessions.load_session(respondent)
    assert session is not None and session["answers"]["turnover"]["value"] == "2000000"


async def test_a_bot_api_without_command_menus_does_not_stop_the_start(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    from telegram.error import BadRequest

    refused: list[object] = []

    async def refuse(*args: object, **kwargs: object) -> None:
        refused.append(kwargs.get("language_code"))
        raise BadRequest("Method not found")

    original = type(bot.app.bot).set_my_commands
    type(bot.app.bot).set_my_commands = refuse  # type: ignore[method-assign,assignment]
    try:
        with caplog.at_level("INFO"):
            await introduce(bot.app.bot)  # raises nothing
    finally:
        type(bot.app.bot).set_my_commands = original  # type: ignore[method-assign]
    assert set(refused) == {None, "de", "en"}  # every menu was tried
    assert "Command menu not set" in caplog.text
    assert any(api == "setMyDescription" for api, _ in bot.request.calls)  # and the rest went on


async def test_the_start_leaves_menus_and_descriptions_to_a_job_right_after_it(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO"):
        await _post_init(bot.app)
    assert "ready" in caplog.text
    introduced = ("setMyCommands", "setMyDescription", "setMyShortDescription")
    assert not [api for api, _ in bot.request.calls if api in introduced]  # the start did not wait for them
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name("introduce")
    await job.run(bot.app)
    assert {api for api, _ in bot.request.calls} >= set(introduced)


async def test_typing_back_goes_back(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS[:2])
    await bot.send("Zurück")
    assert "Frage 2 von 15" in bot.last_text() and "Ihre bisherige Antwort" in bot.last_text()


async def test_privacy_names_the_configured_contact(tmp_path: Path) -> None:
    contact = "Muster GmbH, Datenschutz, Hauptstraße 1, 12345 Musterstadt, datenschutz@example.de"
    configured = Harness(tmp_path / "bot.db", env={"PRIVACY_CONTACT": contact})
    async with configured.app:
        await configured.send("/privacy")
        assert f"Verantwortlich: {contact}." in configured.last_text()


async def test_privacy_without_a_contact_names_the_operator(bot: Harness) -> None:
    await bot.send("/privacy", language_code="en")
    assert "Responsible: the operator of this bot." in bot.last_text()


@pytest.mark.parametrize(
    ("api", "params", "refusal"),
    [
        ("sendMessage", {"text": "<b>offen", "parse_mode": "HTML"}, "can't parse entities"),
        ("sendMessage", {"text": "5 < 7 & mehr", "parse_mode": "HTML"}, "can't parse entities"),
        ("sendMessage", {"text": "<blink>x</blink>", "parse_mode": "HTML"}, "can't parse entities"),
        ("sendMessage", {"text": "x" * 4097}, "message is too long"),
        ("editMessageText", {"text": "&lt;" * 4097, "parse_mode": "HTML"}, "message is too long"),
        ("sendPhoto", {"caption": "x" * 1025}, "caption is too long"),
        (
            "sendMessage",
            {"text": "ok", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "ä" * 33}]]}},
            "BUTTON_DATA_INVALID",
        ),
    ],
)
def test_the_fake_refuses_what_telegram_refuses(api: str, params: dict[str, object], refusal: str) -> None:
    with pytest.raises(ApiError, match=refusal):
        check(api, params)


def test_the_fake_accepts_what_the_bot_sends() -> None:
    check(
        "sendMessage", {"text": "<b>fett</b> &amp; <i>schräg</i> 5 &lt; 7" + "x" * 4000, "parse_mode": "HTML"}
    )
    check(
        "sendMessage",
        {"reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x" * 64}]]}, "text": "ok"},
    )


async def test_every_button_the_bot_offers_fits_telegrams_limit(bot: Harness) -> None:
    from bot.telegram import callback_data

    with pytest.raises(ValueError):
        callback_data.encode("c", "x" * 70)
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    assert "show|result" not in bot.buttons() and "r|result" in bot.buttons()


async def test_the_report_button_and_command_send_a_pdf_without_identity(bot: Harness) -> None:
    from babel.dates import format_date
    from pypdf import PdfReader

    await bot.send("/report")  # before any result: how to get one
    assert "/start" in bot.last_text() and not [p for api, p in bot.request.calls if api == "sendDocument"]
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    assert "rv|pdf" in bot.buttons()
    bot.request.clear()
    await bot.press("rv|pdf")
    assert bot.request.rate_limited() == ["sendDocument"]
    document = next(p for api, p in bot.request.calls if api == "sendDocument")
    pdf = document["_files"]["document"]
    assert pdf.startswith(b"%PDF-") and "keinen Namen" in document["caption"]
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Ihr Unternehmen: kleines Unternehmen" in text and "Ihr Plan, das Wichtigste zuerst" in text
    for identity in (str(USER), "ref_", "KmuBeraterTestBot"):
        assert identity not in text and identity.encode() not in pdf
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    assert respondent is not None
    stored = datetime.fromisoformat(bot.storage.sessions.latest_results(respondent, limit=1)[0]["created_at"])
    day = stored.astimezone(ZoneInfo("Europe/Berlin")).date()
    assert f"Check vom {format_date(day, format='long', locale='de')}" in text
    bot.request.clear()
    await bot.send("/report")
    again = next(p for api, p in bot.request.calls if api == "sendDocument")
    assert again["_files"]["document"] == pdf
    bot.request.clear()
    await bot.press("rv|pdf")  # the overview's button sends it once per result; /report whenever asked
    assert bot.request.rate_limited() == []


async def test_without_consent_no_report_button_is_offered(bot: Harness) -> None:
    await consent(bot, yes=False)
    await answer_all(bot)
    await bot.press("ok|summary")
    assert "pdf|result" not in bot.buttons() and "r|result" in bot.buttons()


async def test_descriptions_are_set_in_both_languages_and_a_refusal_does_not_stop_the_start(
    bot: Harness,
) -> None:
    from telegram.error import BadRequest

    await introduce(bot.app.bot)
    for method in ("setMyDescription", "setMyShortDescription"):
        calls = {p.get("language_code"): p for api, p in bot.request.calls if api == method}
        assert set(calls) == {None, "de", "en"}
    german = next(
        p for api, p in bot.request.calls if api == "setMyDescription" and p.get("language_code") == "de"
    )
    assert (
        f"bis zu {len(QUESTIONS)} kurze Fragen" in german["description"]
        and "Minuten" in german["description"]
    )

    async def refuse(*args: object, **kwargs: object) -> None:
        raise BadRequest("Method not found")

    original = type(bot.app.bot).set_my_description
    type(bot.app.bot).set_my_description = refuse  # type: ignore[method-assign,assignment]
    try:
        await introduce(bot.app.bot)  # logs a warning, raises nothing
    finally:
        type(bot.app.bot).set_my_description = original  # type: ignore[method-assign]


async def test_an_earlier_answer_that_no_longer_fits_is_shown_as_a_warning(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot)
    await bot.press("e|online_share")
    await bot.send("2")
    text = bot.last_text()
    warnings = [line for line in text.splitlines() if "Social-Media-Anteil" in line]
    assert warnings and all(line.startswith("⚠️") for line in warnings) and "Frage" in text


async def test_an_edited_command_is_explained_not_executed(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS[:3])
    assert f"Frage 4 von {len(QUESTIONS)}" in bot.last_text()
    await bot.app.process_update(bot.updates.message(USER, "/restart", kind="edited_message"))
    assert "Bearbeitete Nachrichten" in bot.last_text() and f"Frage 4 von {len(QUESTIONS)}" in bot.last_text()
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    assert respondent is not None
    assert len(bot.storage.sessions.load_session(respondent)["answers"]) == 3  # type: ignore[index]
    before = len(bot.request.calls)
    await bot.app.process_update(bot.updates.message(USER, "/help", chat_id=-1001, kind="edited_message"))
    assert len(bot.request.calls) == before  # an edit in a group is ignored


@pytest.mark.parametrize("data", ["show|result", "c|staff|lt10", "ok|summary", "cons|1", "l|en", "del|yes"])
async def test_a_dialogue_button_in_a_group_is_not_taken_as_private(bot: Harness, data: str) -> None:
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    bot.request.clear()
    await bot.press(data, chat_id=-1001)
    assert bot.request.sent(-1001) == [] and bot.request.sent(USER) == []
    assert bot.storage.respondents.find_respondent("telegram", USER) is not None


async def test_the_tips_button_in_a_group_does_not_subscribe_it(bot: Harness) -> None:
    await bot.press("tips|on", chat_id=-1001)
    assert bot.storage.tips.tip_subscription(-1001) is None
    assert bot.storage.tips.tip_subscription(USER) is None


async def test_help_in_a_group_stores_nothing_about_the_member(bot: Harness) -> None:
    await bot.send("/help", chat_id=-1001, user=999)
    assert "KMU Digital-Berater" in bot.last_text(-1001)
    for table in ("respondents", "identities", "sessions", "processed_updates"):
        assert bot.storage.db[table].count == 0, table


TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


async def test_a_button_pressed_while_the_bot_was_down_is_still_taken(bot: Harness) -> None:
    await consent(bot)
    bot.request.refuse("answerCallbackQuery", TOO_OLD)
    await bot.press("c|staff|lt10")
    assert f"Frage 2 von {len(QUESTIONS)}" in bot.last_text()
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    assert respondent is not None
    assert bot.storage.sessions.load_session(respondent)["answers"]["staff"]["band"] == "lt10"  # type: ignore[index]


async def test_a_refused_reply_is_logged_with_its_description_and_the_question_comes_again(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await consent(bot)
    bot.request.refuse("sendMessage", "Bad Request: can't parse entities: unexpected end tag")
    bot.request.clear()
    await bot.send("12")
    assert "parse entities: unexpected end tag" in caplog.text
    assert "unreachable" not in caplog.text
    assert len(bot.request.sent(USER)) == 2 and f"Frage 2 von {len(QUESTIONS)}" in bot.last_text()


@pytest.mark.parametrize("failure", ["403", "timeout"])
async def test_refused_consent_answers_are_erased_even_when_the_result_cannot_be_sent(
    bot: Harness, failure: str
) -> None:
    await consent(bot, yes=False)
    await answer_all(bot)
    if failure == "403":
        bot.request.refuse("sendMessage", "Forbidden: bot was blocked by the user", times=20, status=403)
    else:
        bot.request.time_out("sendMessage", times=20)
    await bot.press("ok|summary")
    respondent = bot.storage.respondents.find_respondent("telegram", USER)
    assert respondent is not None
    assert bot.storage.sessions.latest_results(respondent) == []
    assert bot.storage.sessions.load_session(respondent)["answers"] == {}  # type: ignore[index]
    assert bot.storage.db["results"].count == 0


async def test_every_answer_costs_one_rate_limited_call_and_the_summary_lists_them_all(bot: Harness) -> None:
    await consent(bot)
    for answer in GERMAN_ANSWERS:
        bot.request.clear()
        if answer.startswith("c|"):
            await bot.press(answer)
            edits = bot.calls("editMessageText", USER)
            assert len(edits) == 1 and edits[0]["text"].startswith("✓ ")  # the recap on top
            (toast,) = [p for api, p in bot.request.calls if api == "answerCallbackQuery"]
            assert toast["text"].startswith("✓ Notiert: ")
        else:
            await bot.send(answer)
            assert len(bot.calls("sendMessage", USER)) == 1
        assert bot.request.rate_limited() == ["editMessageText" if answer.startswith("c|") else "sendMessage"]
    summary = bot.last_text()
    assert "Ihre Antworten im Überblick" in summary
    assert summary.count("\n• ") == len(GERMAN_ANSWERS)


@pytest.mark.parametrize("yes", [True, False])
async def test_the_consent_decision_turns_the_notice_into_the_first_question(bot: Harness, yes: bool) -> None:
    await bot.send("/start")
    update = bot.updates.press(USER, "cons|1" if yes else "cons|0")
    bot.request.clear()
    await bot.app.process_update(update)
    assert bot.request.rate_limited() == ["editMessageText"]
    (edit,) = bot.calls("editMessageText", USER)
    assert update.callback_query is not None and update.callback_query.message is not None
    assert int(edit["message_id"]) == update.callback_query.message.message_id
    assert "Frage 1 von 15" in edit["text"] and "/privacy" in edit["text"]
    assert ("Statistiken" if yes else "gelöscht") in edit["text"].split("Frage 1")[0]
    (pop_up,) = [p for api, p in bot.request.calls if api == "answerCallbackQuery"]
    assert ("Statistiken" if yes else "gelöscht") in pop_up["text"]
    respondent = bot.storage.respondents.respondent_for("telegram", USER)
    assert bot.storage.db.execute("select consent from respondents where id = ?", [respondent]).fetchone()[
        0
    ] == int(yes)


async def test_a_pressed_answer_replaces_its_question_in_place(bot: Harness) -> None:
    await consent(bot)
    await bot.send("12")
    update = bot.updates.press(USER, "c|turnover|upto2m")
    bot.request.clear()
    await bot.app.process_update(update)
    (edit,) = bot.calls("editMessageText", USER)
    assert update.callback_query is not None and update.callback_query.message is not None
    assert int(edit["message_id"]) == update.callback_query.message.message_id
    assert "Frage 3 von 15" in edit["text"] and "c|balance_sheet|unknown" in bot.buttons()


@pytest.mark.parametrize(
    "refusal", ["Bad Request: message can't be edited", "Bad Request: message to edit not found"]
)
async def test_a_message_that_cannot_be_edited_gets_the_next_question_as_a_new_message(
    bot: Harness, refusal: str
) -> None:
    await consent(bot)
    await bot.send("12")
    bot.request.edit_refusal = refusal
    bot.request.clear()
    await bot.press("c|turnover|upto2m")
    assert [api for api in bot.request.rate_limited()] == ["editMessageText", "sendMessage"]
    (sent,) = bot.calls("sendMessage", USER)
    assert "Frage 3 von 15" in sent["text"] and "c|balance_sheet|unknown" in bot.buttons()


async def test_buttons_left_on_a_question_answered_by_typing_are_harmless(bot: Harness) -> None:
    await consent(bot)
    await bot.send("12")  # the first question keeps its keyboard: no call is spent on taking it off
    await bot.send("1,5 Mio. €")
    bot.request.clear()
    await bot.press("c|staff|lt10")  # a button of the first question, pressed at the third
    assert "früheren Nachricht" in bot.last_text() and "Frage 3 von 15" in bot.last_text()
    session = bot.storage.sessions.load_session(bot.storage.respondents.respondent_for("telegram", USER))
    assert session is not None and session["answers"]["staff"]["value"] == "12"


async def test_an_edit_found_already_done_is_not_sent_again(bot: Harness) -> None:
    """A retried edit whose first answer was lost is "not modified": the user sees the screen already."""
    await consent(bot)
    await bot.send("12")
    bot.request.edit_refusal = (
        "Bad Request: message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
    bot.request.clear()
    await bot.press("c|turnover|upto2m")
    assert bot.request.rate_limited() == ["editMessageText"]
