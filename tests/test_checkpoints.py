"""The running bot's commits leave the write-ahead log to a worker thread, which copies it into the file."""

from __future__ import annotations

import os
from pathlib import Path

from bot.storage import Storage
from bot.storage.checkpoints import BACKSTOP_PAGES, INTERVAL
from tests.support.harness import Harness

FRAME = 4096 + 24  # a page and its frame header in the log


def write_pages(storage: Storage, commits: int) -> None:
    """``commits`` transactions of about one new page each, as many updates would make."""
    storage.execute("create table if not exists filler (id integer primary key, body blob)")
    for _ in range(commits):
        with storage.write():
            storage.execute("insert into filler (body) values (zeroblob(3800))")


def log_frames(path: Path) -> int:
    log = Path(f"{path}-wal")
    return os.path.getsize(log) // FRAME if log.exists() else 0


async def test_the_running_bot_checkpoints_in_a_worker_and_its_commits_leave_the_log(tmp_path: Path) -> None:
    bot = Harness(tmp_path / "bot.db")
    try:
        [job] = bot.app.job_queue.get_jobs_by_name("checkpoint")  # type: ignore[union-attr]
        assert job.job.trigger.interval.total_seconds() == INTERVAL
        [[pages]] = bot.storage.execute("PRAGMA wal_autocheckpoint").fetchall()
        assert pages == BACKSTOP_PAGES

        write_pages(bot.storage, 1_500)
        # With SQLite's default the commit past 1,000 pages would have copied the log and started it anew.
        assert log_frames(bot.db_path) >= 1_500
        async with bot.app:
            await job.run(bot.app)
        done = bot.storage.checkpoint()
        assert done.log_frames >= 1_500 and done.copied_frames == done.log_frames and not done.blocked
        write_pages(bot.storage, 10)  # all copied: the next writer starts the log from its beginning again
        assert bot.storage.checkpoint().log_frames < 100
    finally:
        bot.storage.close()


def test_the_job_copies_the_log_into_the_file_while_the_bot_holds_its_connection(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.db")
    try:
        storage.leave_checkpoints_to_worker()
        write_pages(storage, 300)
        before = os.path.getsize(tmp_path / "bot.db")
        done = storage.checkpoint()
        assert done.copied_frames == done.log_frames >= 300
        assert os.path.getsize(tmp_path / "bot.db") >= before + 300 * 4096  # the pages are in the file now
    finally:
        storage.close()


def test_without_the_worker_commits_checkpoint_as_sqlite_does(tmp_path: Path) -> None:
    """The terminal channel and the tools have no worker: their log stays at SQLite's 1,000 pages."""
    storage = Storage(tmp_path / "bot.db")
    try:
        write_pages(storage, 1_500)
        assert log_frames(tmp_path / "bot.db") < 1_100
    finally:
        storage.close()


def test_an_in_memory_database_has_no_checkpoint_job(tmp_path: Path) -> None:
    bot = Harness(Path(":memory:"))
    try:
        assert not bot.app.job_queue.get_jobs_by_name("checkpoint")  # type: ignore[union-attr]
    finally:
        bot.storage.close()
