"""The counts /stats and the peer benchmark read stay equal to a full scan of the stored data, whatever happens."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analytics.peers import PeerBenchmark
from bot.analytics.statistics import collect_statistics, share_medians
from bot.storage import Storage
from tests.support.harness import save_session, share_code

SHARE_VALUES = st.one_of(st.none(), st.sampled_from(["0", "5", "12.5", "17", "40", "100"]))
CATEGORIES = st.sampled_from(["micro", "small", "medium"])
STATES = st.sampled_from(["consent", "staff", "online_share", "summary", "result"])

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("result"), st.integers(0, 5), CATEGORIES, SHARE_VALUES, SHARE_VALUES, SHARE_VALUES),
        st.tuples(st.just("consent"), st.integers(0, 5), st.sampled_from([True, False])),
        st.tuples(st.just("session"), st.integers(0, 5), STATES, st.booleans()),
        st.tuples(st.just("erase"), st.integers(0, 5)),
        st.tuples(st.just("forget"), st.integers(0, 5)),
        st.tuples(st.just("referral"), st.integers(0, 5), st.integers(100, 103)),
    ),
    max_size=40,
)


def scanned(storage: Storage) -> tuple[Any, ...]:
    """The figures as a full scan of results, sessions, respondents and referrals finds them."""
    return (
        storage.stats.respondent_count(),
        storage.stats.session_funnel(),
        storage.stats.consented_category_counts(),
        storage.stats.consented_share_medians(),
        storage.respondents.referral_arrivals(),
    )


def counted(storage: Storage) -> tuple[Any, ...]:
    stats = collect_statistics(storage)
    funnel = (stats.started, stats.finished, list(stats.unfinished_by_state))
    return stats.respondents, funnel, list(stats.categories), stats.medians, stats.referral_arrivals


def apply(storage: Storage, action: tuple[Any, ...]) -> None:
    kind, user = action[0], action[1]
    rid = storage.respondents.respondent_for("telegram", user)
    if kind == "result":
        _, _, category, online, social, controlling = action
        answers = {
            "online_share": {"value": online, "band": None},
            "social_share": {"value": social, "band": None},
            "controlling_share": {"value": controlling, "band": None},
        }
        storage.sessions.save_result(rid, category=category, score=50, answers=answers, step_ids=[])
    elif kind == "consent":
        storage.respondents.set_consent(rid, action[2])
    elif kind == "session":
        session = {"state": action[2], "answers": {}, "language": "de"}
        save_session(storage, rid, session, finished=action[3])
    elif kind == "erase":
        storage.respondents.erase_answers(rid)
    elif kind == "forget":
        storage.respondents.forget("telegram", user)
    elif kind == "referral":
        storage.respondents.count_referral_arrival(
            share_code(storage, rid), action[2] if len(action) > 2 else user
        )


@settings(max_examples=150, deadline=None)
@given(ACTIONS)
def test_counts_equal_a_full_scan_after_any_sequence_of_changes(actions: list[tuple[Any, ...]]) -> None:
    storage = Storage(":memory:")
    for action in actions:
        apply(storage, action)
        assert counted(storage) == scanned(storage), action


def test_counts_of_data_stored_before_the_counts_existed_are_filled_in(tmp_path: Any) -> None:
    path = tmp_path / "old.db"
    storage = Storage(path)
    for user, online in enumerate(["10", "20", "0", None, "35"]):
        apply(storage, ("consent", user, user != 4))
        apply(storage, ("result", user, "small", online, "3", "1"))
        apply(storage, ("session", user, "result", True))
        apply(storage, ("referral", user))
    expected = scanned(storage)
    storage.db.execute("delete from _sqlite_migrations where name = 'm005_statistics_counts'")
    storage.db.execute("drop view result_figures")
    for (trigger,) in storage.db.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        storage.db.execute(f"drop trigger {trigger}")
    for table in (
        "result_latest",
        "result_category_counts",
        "result_share_counts",
        "session_state_counts",
        "statistics_counters",
    ):
        storage.db.execute(f"drop table {table}")
    storage.close()

    reopened = Storage(path)  # the migration runs again on the existing data
    assert counted(reopened) == expected
    assert expected[3]["small"]["online_share"] == (10.0, 3)  # 10, 20 and 0; none typed, 35 without consent
    reopened.close()


def test_peer_benchmark_reads_one_size_class() -> None:
    storage = Storage(":memory:")
    for user, online in enumerate(["10", "20", "30", "40", "50", "60"]):
        apply(storage, ("consent", user, True))
        apply(storage, ("result", user, "small" if user < 5 else "medium", online, "0", "0"))
    assert share_medians(storage, ["online_share"], category="small") == {
        "small": {"online_share": (30.0, 5)}
    }
    assert PeerBenchmark(storage, k=5, ttl=0).online_share("small") == (30, 5)
    assert PeerBenchmark(storage, k=5, ttl=0).online_share("medium") is None
