"""The retention pass beside the bot's writes: a write waits for the other thread's commit at the write gate
(not in SQLite's busy handler), and the pass's transactions end when their work budget is spent."""

from __future__ import annotations

import math
import threading
from pathlib import Path

from bot.storage import Storage
from bot.storage.retention import BATCH, CHUNK
from bot.storage.write_gate import gate_of
from tests.support.harness import add_respondent
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
    assert gate is not None and not gate.locked()
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
