"""Privacy: retention, the Art. 13 notice, versioned consent and its withdrawal, access and erasure, referrals."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import run_bot
from bot.advisor import CONSENT_VERSION
from bot.config import ConfigError, load_config
from bot.storage import Storage
from bot.storage.retention import TABLES, months_before
from bot.storage.schema_doc import DOC, render, schema_tables
from tests.support.harness import GERMAN_ANSWERS, USER, Harness, answer_all, consent, save_session, share_code
from tests.support.harness import add_respondent as add

OLD = "2024-01-15T10:11:12+00:00"
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def make_old(storage: Storage, rid: str) -> None:
    """Move every timestamp of a respondent back to ``OLD`` (last activity long ago)."""
    storage.execute("update respondents set created_at = ? where id = ?", [OLD, rid])
    storage.execute("update identities set created_at = ? where respondent_id = ?", [OLD, rid])
    storage.execute(
        "update sessions set updated_at = ?, started_at = ? where respondent_id = ?", [OLD, OLD, rid]
    )
    storage.execute("update results set created_at = ? where respondent_id = ?", [OLD, rid])


def every_cell(storage: Storage) -> list[tuple[str, str, Any]]:
    cells = []
    for table in schema_tables(storage):
        for row in storage.rows(f"select * from [{table}]"):
            cells += [(table, column, value) for column, value in row.items()]
    return cells


def document_of(bot: Harness, chat_id: int = USER) -> dict[str, Any]:
    [*_, document] = [
        p for api, p in bot.request.calls if api == "sendDocument" and int(p["chat_id"]) == chat_id
    ]
    payload: dict[str, Any] = json.loads(document["_files"]["document"])
    return payload


# --- retention ------------------------------------------------------------------------------------


def test_after_retention_no_row_can_be_joined_back_to_a_telegram_id(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.db")
    consenting, refusing, subscribed, active = 700000001, 700000002, 700000003, 700000004
    old_rids = {}
    for user_id, agreed in ((consenting, True), (refusing, False), (subscribed, True)):
        old_rids[user_id] = add(storage, user_id, consent=agreed)
        make_old(storage, old_rids[user_id])
    active_rid = add(storage, active)
    # The consenting user's share code was used by the active one; both old private chats got a tip.
    code = share_code(storage, old_rids[consenting])
    assert storage.respondents.count_referral_arrival(code, active)
    for chat_id in (consenting, subscribed):
        storage.tips.subscribe_tips(chat_id, kind="private", language="de")
    run = storage.broadcasts.create_broadcast(
        "tips", [{"chat_id": consenting, "tip_id": "t1"}, {"chat_id": subscribed}]
    )
    assert run is not None
    storage.broadcasts.mark_delivery(run, consenting, "sent", seen_tip="t1")
    storage.broadcasts.set_broadcast_status(run, "done")
    storage.execute("update broadcasts set finished_at = ? where id = ?", [OLD, run])
    storage.tips.unsubscribe_tips(consenting)
    storage.sessions.claim_update(99887766)
    storage.execute("update processed_updates set processed_at = ?", [OLD])
    secrets = {str(consenting), str(refusing), code, OLD, *old_rids.values()}
    assert any(str(value) in secrets for _, _, value in every_cell(storage))

    counts = storage.retention.apply_retention(12, now=NOW)

    leaks = [(t, c, v) for t, c, v in every_cell(storage) if v is not None and str(v) in secrets]
    assert leaks == []
    # The subscribed user keeps getting tips, but the chat id leads nowhere: no identity, no respondent.
    assert storage.respondents.identity("telegram", subscribed) is None
    assert storage.tips.latest_size_class("telegram", subscribed) is None
    assert storage.rows("select chat_id from tip_subscriptions") == [{"chat_id": subscribed}]
    # Consenting results stay for statistics, the refusing user's are gone; the active user is untouched.
    assert sum(n for _, n in storage.stats.consented_category_counts()) == 3  # two old consenting, one active
    assert storage.respondents.find_respondent("telegram", active) == active_rid
    assert storage.stats.respondent_count() == 3
    assert counts["identities_unlinked"] == 3 and counts["results_kept_anonymously"] == 2
    assert counts["share_codes_deleted"] == 3 and counts["processed_updates_deleted"] == 1
    assert counts["deliveries_deleted"] == 2 and counts["broadcasts_deleted"] == 1
    assert storage.rows("select created_at from results where respondent_id != ?", [active_rid]) == [
        {"created_at": "2024-01"},
        {"created_at": "2024-01"},
    ]
    assert storage.retention.apply_retention(12, now=NOW)["identities_unlinked"] == 0  # nothing is due twice


def test_a_dry_run_counts_and_changes_nothing(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.db")
    make_old(storage, add(storage, 700000001))
    before = every_cell(storage)
    counts = storage.retention.apply_retention(12, dry_run=True, now=NOW)
    assert counts["identities_unlinked"] == 1
    assert every_cell(storage) == before


def test_recent_activity_keeps_the_link(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.db")
    rid = add(storage, 700000001)
    make_old(storage, rid)
    save_session(storage, rid, {"state": "staff", "answers": {}, "language": "de"})  # wrote today
    assert storage.retention.apply_retention(12, now=NOW)["identities_unlinked"] == 0
    assert storage.respondents.find_respondent("telegram", 700000001) == rid


def test_months_before() -> None:
    assert months_before(datetime(2026, 3, 31).date(), 1).isoformat() == "2026-02-28"
    assert months_before(datetime(2026, 12, 1).date(), 12).isoformat() == "2025-12-01"
    assert months_before(datetime(2026, 1, 15).date(), 13).isoformat() == "2024-12-15"


def test_retention_from_the_shell_reports_counts_never_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bot.db"
    storage = Storage(database)
    rid = add(storage, 700000001)
    make_old(storage, rid)
    storage.close()
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("RETENTION_MONTHS", "6")
    assert run_bot.main(["retention", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "dry run" in dry and "identities unlinked: 1" in dry and "6 months" in dry
    assert run_bot.main(["retention"]) == 0
    out = capsys.readouterr().out
    assert "identities unlinked: 1" in out
    assert "700000001" not in dry + out and rid not in dry + out
    assert run_bot.main(["retention"]) == 0
    assert "identities unlinked: 0" in capsys.readouterr().out


async def test_retention_runs_daily_from_the_job_queue(bot: Harness) -> None:
    [job] = bot.app.job_queue.get_jobs_by_name("retention")  # type: ignore[union-attr]
    make_old(bot.storage, add(bot.storage, 700000001))
    await job.run(bot.app)
    assert bot.storage.respondents.find_respondent("telegram", 700000001) is None


@pytest.mark.parametrize("value", ["0", "-1", "twelve", "121", "1.5"])
def test_retention_months_is_validated(value: str) -> None:
    with pytest.raises(ConfigError, match="RETENTION_MONTHS"):
        load_config({"RETENTION_MONTHS": value})


def test_retention_months_default_and_setting() -> None:
    assert load_config({}).retention_months == 12
    assert load_config({"RETENTION_MONTHS": "24"}).retention_months == 24


# --- the table list -------------------------------------------------------------------------------


def test_every_table_has_a_retention_rule() -> None:
    storage = Storage(":memory:")
    missing = [name for name in schema_tables(storage) if name not in TABLES]
    assert missing == [], f"add a retention rule in bot/storage/retention.py TABLES for {missing}"
    assert set(TABLES) <= set(schema_tables(storage)), "a rule names a table the schema does not have"


def test_the_table_list_in_docs_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run python -m bot.storage.schema_doc"


# --- the privacy notice ---------------------------------------------------------------------------


async def test_privacy_notice_covers_article_13_in_german(tmp_path: Path) -> None:
    contact = "Muster GmbH, Datenschutz, Hauptstraße 1, 12345 Musterstadt"
    bot = Harness(tmp_path / "bot.db", env={"PRIVACY_CONTACT": contact, "RETENTION_MONTHS": "18"})
    async with bot.app:
        await bot.send("/privacy")
        text = bot.last_text()
    for part in (
        f"Verantwortlich: {contact}.",
        "pseudonym",
        "Art. 6 Abs. 1 lit. a DSGVO",
        "Art. 6 Abs. 1 lit. b DSGVO",
        "Nach 18 Monaten ohne Aktivität",
        "nach 7 Tagen",
        "Server von Telegram",
        "Auskunft (/mydata)",
        "Löschung (/deletedata)",
        "Widerruf",
        "Beschwerde bei einer Datenschutz-Aufsichtsbehörde",
    ):
        assert part in text, part


async def test_privacy_notice_covers_article_13_in_english(bot: Harness) -> None:
    await bot.send("/privacy", language_code="en")
    text = bot.last_text()
    for part in (
        "pseudonymous",
        "Art. 6(1)(a) GDPR",
        "after 12 months without activity",
        "Telegram's servers",
        "supervisory authority",
        "withdrawal of your consent",
    ):
        assert part in text, part


async def test_the_welcome_says_pseudonymous_not_anonymous(bot: Harness) -> None:
    await bot.send("/start")
    welcome = bot.last_text()
    assert "pseudonym" in welcome and "12 Monaten" in welcome
    assert "anonym " not in welcome and "anonym," not in welcome


# --- consent records, version bumps and withdrawal ------------------------------------------------


async def test_consent_is_recorded_with_version_and_month_and_shown_by_mydata(bot: Harness) -> None:
    await consent(bot)
    await bot.send("/mydata")
    record = document_of(bot)["consent"]
    assert record == {
        "given": True,
        "text_version": CONSENT_VERSION,
        "month": datetime.now(UTC).strftime("%Y-%m"),
    }


async def test_a_new_consent_text_is_asked_again_at_the_next_contact(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS[:2])
    bot.storage.execute("update respondents set consent_version = ?", [CONSENT_VERSION - 1])
    await bot.send("3 Mio. €")
    assert "cons|1" in bot.buttons()
    await bot.press("cons|0")
    rid = bot.storage.respondents.find_respondent("telegram", USER)
    assert rid is not None
    assert bot.storage.respondents.consent_record(rid) == {
        "consent": 0,
        "consent_version": CONSENT_VERSION,
        "consent_month": datetime.now(UTC).strftime("%Y-%m"),
    }
    assert "Frage 3 von 15" in bot.last_text()  # the two answers given before are kept


async def test_withdrawing_consent_takes_the_answers_out_of_the_statistics_at_once(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    assert sum(n for _, n in bot.storage.stats.consented_category_counts()) == 1
    await bot.send("/privacy")
    assert "Ihre Einwilligung zur Statistik: erteilt." in bot.last_text()
    assert bot.buttons() == ["pc|0"]
    await bot.press("pc|0")
    assert "Einwilligung ist widerrufen" in bot.last_text()
    assert bot.storage.stats.consented_category_counts() == []
    with bot.storage.stats.consented_results(bandings=(), values=()) as snapshot:
        assert list(snapshot.rows()) == []
    assert bot.storage.db["results"].count == 0
    await bot.send("/privacy")
    assert "nicht erteilt" in bot.last_text() and bot.buttons() == ["pc|1"]
    await bot.press("pc|1")
    assert "Vielen Dank" in bot.last_text()
    rid = bot.storage.respondents.find_respondent("telegram", USER)
    assert rid is not None and (bot.storage.respondents.consent_record(rid) or {}).get("consent") == 1


async def test_a_check_finished_after_a_withdrawal_is_not_kept(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot, GERMAN_ANSWERS[:3])
    await bot.press("pc|0")
    await answer_all(bot, GERMAN_ANSWERS[3:])
    await bot.press("ok|summary")
    assert bot.storage.db["results"].count == 0


# --- access and erasure ---------------------------------------------------------------------------


async def test_mydata_of_a_user_who_only_subscribed_shows_the_subscription(bot: Harness) -> None:
    bot.storage.tips.subscribe_tips(USER, kind="private", language="de")
    await bot.send("/mydata")
    data = document_of(bot)
    assert data["identity"] is None and data["tip_subscription"]["chat_id"] == USER


async def test_mydata_shows_and_deletedata_erases_every_row_keyed_by_the_user(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    bot.storage.tips.subscribe_tips(USER, kind="private", language="de")
    run = bot.storage.broadcasts.create_broadcast(
        "tips", [{"chat_id": USER, "tip_id": "t1"}], created_by=USER
    )
    assert run is not None
    bot.storage.broadcasts.mark_delivery(run, USER, "sent", seen_tip="t1", message_id=77)
    rid = bot.storage.respondents.find_respondent("telegram", USER)
    assert rid is not None
    code = share_code(bot.storage, rid)
    assert bot.storage.respondents.count_referral_arrival(code, 5151)

    await bot.send("/mydata")
    data = document_of(bot)
    assert data["identity"]["channel_user_id"] == str(USER)
    assert data["results"] and data["consent"]["given"] is True
    assert data["share_code"] == {"code": code, "arrivals": 1}
    assert data["tips_seen"][0]["tip_id"] == "t1"
    assert data["deliveries"][0]["message_id"] == 77
    assert data["broadcasts_created"][0]["id"] == run

    await bot.send("/deletedata")
    await bot.press("del|yes")
    for table, column, value in every_cell(bot.storage):
        assert value not in (USER, str(USER), rid, code), (table, column)
    await bot.send("/mydata")
    after = document_of(bot)
    assert after["identity"] is None and after["tip_subscription"] is None
    assert after["tips_seen"] == after["deliveries"] == after["broadcasts_created"] == []


# --- referral arrivals ----------------------------------------------------------------------------


async def test_a_referral_arrival_counts_once_per_account_without_storing_who(bot: Harness) -> None:
    owner = add(bot.storage, 6060)
    code = share_code(bot.storage, owner)
    for _ in range(3):
        await bot.send(f"/start ref_{code}")
        await bot.send("/deletedata")
        await bot.press("del|yes")
    await bot.send(f"/start ref_{code}", user=4343)
    assert bot.storage.respondents.referral_arrivals() == 2
    # a salted hash may contain any digits by chance: what must not be stored is an id, or its unsalted hash
    ids = (USER, 4343)
    forbidden = {*ids, *map(str, ids), *(hashlib.sha256(str(i).encode()).hexdigest() for i in ids)}
    stored = [v for row in bot.storage.rows("select * from referral_arrivals") for v in row.values()]
    assert stored and not forbidden & set(stored)
    bot.storage.respondents.forget(
        "telegram", 6060
    )  # the owner erases their data: the code and its hashes go
    assert bot.storage.db["referral_arrivals"].count == 0 and bot.storage.respondents.referral_arrivals() == 0


async def test_mydata_shows_the_session_times_and_the_users_own_arrival_hash(bot: Harness) -> None:
    owner = add(bot.storage, 6060)
    code = share_code(bot.storage, owner)
    other = add(bot.storage, 6161)
    assert bot.storage.respondents.count_referral_arrival(
        share_code(bot.storage, other), 7272
    )  # someone else's
    await bot.send(f"/start ref_{code}")
    await bot.press("cons|1")
    await answer_all(bot)
    await bot.press("ok|summary")
    await bot.send("/mydata")
    data = document_of(bot)
    times = data["session_times"]
    assert times["started_at"] and times["updated_at"] and times["finished_at"]
    stored = bot.storage.rows("select account_hash, month from referral_arrivals where code = ?", [code])
    assert data["referral_arrival"] == stored and len(stored) == 1


async def test_a_result_kept_by_retention_matches_nothing_mydata_showed(bot: Harness) -> None:
    await consent(bot)
    await answer_all(bot)
    await bot.press("ok|summary")
    await bot.send("/mydata")
    shown = document_of(bot)
    [result] = shown["results"]
    rid = bot.storage.respondents.find_respondent("telegram", USER)
    assert rid is not None
    make_old(bot.storage, rid)
    old_created = bot.storage.rows("select created_at from results")[0]["created_at"]

    counts = bot.storage.retention.apply_retention(12, now=NOW)

    assert counts["results_kept_anonymously"] == 1
    [kept] = bot.storage.rows("select * from results")
    [latest] = bot.storage.rows("select * from result_latest")
    assert kept["id"] != result["id"] and latest["result_id"] == kept["id"] != result["id"]
    assert kept["respondent_id"] != rid and kept["created_at"] == old_created[:7]
    answers = json.loads(kept["answers"])
    assert answers["staff"] == {"value": None, "band": "10_49"}  # 12 typed
    assert answers["turnover"]["value"] is None and answers["turnover"]["band"]
    assert answers["online_share"]["value"] == "15"  # 15 % typed, on the 5-point grid anyway
    shown_values = {json.dumps(v, sort_keys=True) for v in result.values()} | {
        str(v) for v in result.values()
    }
    shown_values |= {rid, str(result["id"]), json.dumps(result["answers"], sort_keys=True)}
    # Size class and score (on the 5-point grid) take a handful of values each: shared by many, no link.
    matches = [
        (column, value)
        for column, value in kept.items()
        if column not in ("category", "score") and value is not None and str(value) in shown_values
    ]
    assert kept["score"] % 5 == 0
    assert matches == []
    assert "1500000" not in kept["answers"] and '"12"' not in kept["answers"]
    # The statistics still count it, under its size class.
    assert sum(n for _, n in bot.storage.stats.consented_category_counts()) == 1
