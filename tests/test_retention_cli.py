"""The ``retention`` command: one clear line and exit 2 for every file it cannot use; a dry run that changes
nothing on disk; and the daily job, which runs off the event loop."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot import retention_run
from bot.storage import Storage
from bot.storage.migrations import migration_set
from tests.support.harness import add_respondent
from tests.test_privacy import make_old
from tests.test_run_bot import newer_database, one_line_refusal, run_bot


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def older_database(path: Path) -> None:
    """A database of an earlier version (schema before the privacy migration), in rollback-journal mode."""
    db = Database(sqlite3.connect(path))
    migration_set().apply(db, stop_before="m006_privacy")
    db.execute(
        "insert into respondents (id, created_at, language) values ('r1', '2020-01-01T00:00:00+00:00', 'de')"
    )
    db.execute(
        "insert into identities (channel, channel_user_id, respondent_id, created_at) "
        "values ('telegram', '42', 'r1', '2020-01-01T00:00:00+00:00')"
    )
    db.conn.commit()
    db.close()


def copies_of_the_respondent(storage: Storage, rid: str, copies: int) -> None:
    """``copies`` more respondents like ``rid`` (identity, finished session, result, referral code), inserted
    table by table in one statement each instead of 1,000 times through the bot's storage: the daily job
    then has as much to delete, and the statistics triggers count the copies as they count the original."""
    numbers = "with recursive n(i) as (select 1 union all select i + 1 from n where i < ?) "
    storage.execute(
        numbers
        + "insert into referrals (code, arrivals, salt) select r.code || '-' || i, r.arrivals, r.salt "
        "from n, referrals r join respondents p on p.referral_code = r.code where p.id = ?",
        [copies, rid],
    )
    storage.execute(
        numbers
        + "insert into respondents (id, created_at, language, consent, referral_code, consent_version, "
        "consent_month) select id || '-' || i, created_at, language, consent, referral_code || '-' || i, "
        "consent_version, consent_month from n, respondents where id = ?",
        [copies, rid],
    )
    storage.execute(
        numbers
        + "insert into identities (channel, channel_user_id, respondent_id, language_code, blocked_at, "
        "created_at) select channel, channel_user_id + i, respondent_id || '-' || i, language_code, blocked_at, "
        "created_at from n, identities where respondent_id = ?",
        [copies, rid],
    )
    storage.execute(
        numbers + "insert into sessions (respondent_id, state, answers, language, started_at, updated_at, "
        "finished_at, reply_pending) select respondent_id || '-' || i, state, answers, language, started_at, "
        "updated_at, finished_at, reply_pending from n, sessions where respondent_id = ?",
        [copies, rid],
    )
    storage.execute(
        numbers + "insert into results (respondent_id, created_at, category, score, answers, step_ids) "
        "select respondent_id || '-' || i, created_at, category, score, answers, step_ids "
        "from n, results where respondent_id = ?",
        [copies, rid],
    )


def test_garbage_is_refused_in_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "bot.db"
    garbage.write_bytes(b"this is no database, just some text " * 200)
    for args in (("retention",), ("retention", "--dry-run")):
        line = one_line_refusal(run_bot(garbage, *args, process=args == ("retention",)))  # one real process
        assert "not a database" in line


def test_a_directory_is_refused_in_one_line(tmp_path: Path) -> None:
    line = one_line_refusal(run_bot(tmp_path, "retention"))
    assert "directory" in line


def test_a_newer_schema_is_refused_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    newer_database(database)
    for args in (("retention",), ("retention", "--dry-run")):
        assert "m099_from_the_future" in one_line_refusal(run_bot(database, *args))


def test_damaged_pages_are_refused_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    storage = Storage(database)
    for user in range(300):
        add_respondent(storage, 900000 + user)
    storage.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    storage.execute("PRAGMA journal_mode=DELETE")
    storage.close()
    data = bytearray(database.read_bytes())
    page = 4096
    data[3 * page : 12 * page] = b"\xa5" * (9 * page)  # pages of the tables, overwritten
    database.write_bytes(bytes(data))
    for args in (("retention",), ("retention", "--dry-run")):
        line = one_line_refusal(run_bot(database, *args))
        assert "malformed" in line or "not a database" in line


def test_a_locked_database_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bot.db"
    Storage(database).close()
    monkeypatch.setattr(retention_run, "CLI_BUSY_MS", 200)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert retention_run.retention_command(str(database), 12, dry_run=False) == 2
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "locked" in err


def test_a_dry_run_on_an_older_schema_changes_nothing_on_disk(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    older_database(database)
    before = digest(database)
    result = run_bot(database, "retention", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "identities unlinked: 1" in result.stdout
    assert digest(database) == before  # no migration
    assert not Path(f"{database}-wal").exists()  # no switch to WAL
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_the_real_pass_after_a_dry_run_removes_what_it_counted(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    storage = Storage(database)
    for user in range(5):
        make_old(storage, add_respondent(storage, 910000 + user))
    storage.close()
    dry = run_bot(database, "retention", "--dry-run")
    real = run_bot(database, "retention")
    assert dry.returncode == real.returncode == 0
    assert dry.stdout.splitlines()[1:] == real.stdout.splitlines()[1:]
    assert "identities unlinked: 5" in real.stdout


async def test_the_daily_job_runs_off_the_event_loop_while_users_are_answered(tmp_path: Path) -> None:
    import asyncio
    from unittest.mock import MagicMock

    from bot.telegram.jobs import retention_job
    from tests.support.harness import USER, Harness

    bot = Harness(tmp_path / "bot.db")
    with bot.storage.write():
        rid = add_respondent(bot.storage, 920000)
        make_old(bot.storage, rid)
        copies_of_the_respondent(
            bot.storage, rid, 999
        )  # a pass of some tenths of a second, in 20 transactions
    async with bot.app:
        context = MagicMock()
        context.bot_data = bot.app.bot_data
        job = asyncio.create_task(retention_job(context))
        await asyncio.sleep(0.05)
        await bot.send("/help", user=USER)
        answered_during_the_pass = not job.done()
        await job
    assert bot.texts(USER) and answered_during_the_pass
    assert bot.storage.rows("select count(*) as n from identities")[0]["n"] == 1  # the active user only
