"""The retention pass beside the bot's writes: a write waits for the other thread's commit at the write gate
(not in SQLite's busy handler), an update awaits it without holding the event loop, the pass lets running
updates go first (not for ever), and its transactions end when their work budget is spent."""

from __future__ import annotations

import asyncio
import math
import threading
from pathlib import Path

import pytest

from bot.storage import Storage, write_gate
from bot.storage.retention import BATCH, CHUNK
from bot.storage.write_gate import gate_of
from tests.support.harness import USER, Harness, add_respondent
from tests.test_privacy import make_old


def test_a_write_waits_for_another_threads_commit_instead_of_meeting_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    pass_side, bot_side = Storage(path), Storage(path)
    bot_side.execute("PRAGMA busy_timeout=0")  # without the gate, SQLite's lock would refuse at once
    writing, release = threading.Event(), threading.Event()

    def retention_transaction() -> None:
        with pass_side.write():
            pass_side.execute("insert into processed_updates (update_id, processed_at) values (1, 'x')")
            writing.set()
            release.wait(10)

    worker = threading.Thread(target=retention_transaction)
    worker.start()
    try:
        assert writing.wait(10)
        threading.Timer(0.1, release.set).start()  # the other transaction commits while this write waits
        with bot_side.write():
            bot_side.execute("insert into processed_updates (update_id, processed_at) values (2, 'y')")
    finally:
        release.set()
        worker.join()
    ids = [row["update_id"] for row in bot_side.rows("select update_id from processed_updates order by 1")]
    assert ids == [1, 2]
    pass_side.close()
    bot_side.close()


def test_the_gate_is_shared_by_every_spelling_of_a_path_and_released_after_a_failed_write(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.db"
    storage = Storage(path)
    assert gate_of(str(path)) is gate_of(str(tmp_path / "." / "bot.db"))
    assert gate_of(":memory:") is None
    try:
        with storage.write():
            storage.execute("insert into processed_updates (update_id, processed_at) values (1, 'x')")
            raise RuntimeError("a handler failed")
    except RuntimeError:
        pass
    gate = gate_of(str(path))
    assert gate is not None and not gate.lock.locked()
    assert storage.rows("select * from processed_updates") == []
    storage.close()


def retire(storage: Storage, budget: float) -> tuple[int, dict[str, int]]:
    steps = storage.retention.retention_steps(6, budget=budget)
    taken = 0
    while True:
        try:
            next(steps)
        except StopIteration as finished:
            return taken, dict(finished.value)
        taken += 1


def old_respondents(storage: Storage, first_user: int, count: int) -> None:
    with storage.write():
        for user in range(first_user, first_user + count):
            make_old(storage, add_respondent(storage, user))


def test_a_spent_budget_ends_the_transaction_and_the_pass_still_retires_everyone(tmp_path: Path) -> None:
    due = 2 * CHUNK + 1
    assert due < BATCH
    short, whole = Storage(tmp_path / "short.db"), Storage(tmp_path / "whole.db")
    old_respondents(short, 930000, due)
    old_respondents(whole, 930000, due)
    short_steps, short_counts = retire(short, budget=0.0)  # every transaction ends after one chunk
    whole_steps, whole_counts = retire(whole, budget=60.0)  # one transaction holds the batch
    assert short_steps - whole_steps == math.ceil(due / CHUNK) - 1
    assert short_counts == whole_counts
    assert short_counts["identities_unlinked"] == due
    assert short_counts["results_kept_anonymously"] == due
    for storage in (short, whole):
        assert storage.rows("select count(*) as n from identities")[0]["n"] == 0
        kept = storage.rows(
            "select r.id, x.answers from respondents r join results x on x.respondent_id = r.id"
        )
        assert len(kept) == due and all('"band"' in row["answers"] for row in kept)
        storage.close()


def deferring_transaction(storage: Storage, started: threading.Event, release: threading.Event) -> None:
    with storage.write():
        started.set()
        release.wait(10)


def test_a_deferring_writer_lets_running_updates_go_first_but_not_for_ever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bot.db"
    background = Storage(path)
    background.connection.defers = True
    gate = gate_of(str(path))
    assert gate is not None
    monkeypatch.setattr(write_gate, "DEFER_AT_MOST", 30.0)
    started, release = threading.Event(), threading.Event()
    release.set()
    gate.wanted += 1  # an update is running on the event loop
    worker = threading.Thread(target=deferring_transaction, args=(background, started, release))
    worker.start()
    try:
        assert not started.wait(0.2)
    finally:
        gate.wanted -= 1
    assert started.wait(10)
    worker.join()

    monkeypatch.setattr(write_gate, "DEFER_AT_MOST", 0.05)  # updates without end: the pass still goes on
    started.clear()
    gate.wanted += 1
    try:
        worker = threading.Thread(target=deferring_transaction, args=(background, started, release))
        worker.start()
        assert started.wait(10)
        worker.join()
    finally:
        gate.wanted -= 1
    background.close()


async def test_an_update_awaits_another_threads_transaction_while_the_loop_runs_on(tmp_path: Path) -> None:
    bot = Harness(tmp_path / "bot.db")
    background = Storage(tmp_path / "bot.db")
    background.connection.defers = True
    started, release = threading.Event(), threading.Event()
    async with bot.app:
        worker = threading.Thread(target=deferring_transaction, args=(background, started, release))
        worker.start()
        assert started.wait(10)
        safety = threading.Timer(2.0, release.set)  # a blocked loop would wait for this
        safety.start()
        reply = asyncio.create_task(bot.send("/help", user=USER))
        await asyncio.sleep(0.05)
        loop_ran_while_held = not release.is_set()
        waited = not reply.done()
        release.set()
        await reply
        worker.join()
        safety.cancel()
    assert loop_ran_while_held and waited
    assert bot.texts(USER)
    background.close()
