"""The lines the law and Telegram draw, each tested on both sides and exactly on it.

A stake of exactly 25 % makes a partner and exactly 50 % is still one (Art. 3(2), 3(3) of the annex to
2003/361/EC); data is removed after exactly the configured months without activity, not a day earlier; a
group takes 20 messages a minute and the 21st waits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.broadcast.pacer import GROUP_PER_MINUTE, ChatPacer
from bot.storage import Storage
from bot.storage.retention import months_before
from dialogs.classification import SizeClass
from dialogs.engine import evaluate
from dialogs.group import LINKED, PARTNER, UNDER_25, relation_answer, relation_for_stake
from tests.support.harness import answers


@pytest.mark.parametrize(
    ("stake", "relation"),
    [("0.01", UNDER_25), ("24.99", UNDER_25), ("25", PARTNER), ("50", PARTNER), ("50.01", LINKED)],
)
def test_a_stake_makes_the_relation_its_band_says(stake: str, relation: str) -> None:
    assert relation_for_stake(Decimal(stake)) == relation


@pytest.mark.parametrize(
    ("typed", "relation"),
    [("24,99 %", UNDER_25), ("25 %", PARTNER), ("50 %", PARTNER), ("50,01 %", LINKED)],
)
def test_a_typed_stake_on_the_line_is_read_as_the_law_reads_it(typed: str, relation: str) -> None:
    assert relation_answer(f"{typed}; 30; 3 Mio. €; 2 Mio. €", "de")["value"] == relation


@pytest.mark.parametrize(
    ("stake", "category"),
    # 8 own staff; a partner with 30 staff adds 7.5 at 25 % (15.5: small); under 25 % nothing is added
    # (micro). At 50 % a partner adds 15 (23: small); above 50 % a linked enterprise adds all 30 (38: small,
    # with 3 Mio. € turnover also added in full: still small).
    [
        ("24,99", SizeClass.MICRO),
        ("25", SizeClass.SMALL),
        ("50", SizeClass.SMALL),
        ("50,01", SizeClass.SMALL),
    ],
)
def test_a_stake_on_the_line_decides_the_size_class(stake: str, category: SizeClass) -> None:
    given = answers(
        staff={"value": "8", "band": None},
        turnover={"value": "1500000", "band": None},
        linked=relation_answer(f"{stake} %; 30; 3 Mio. €; 2 Mio. €", "de"),
    )
    assert evaluate(given).classification.category is category


def test_at_fifty_percent_a_partner_counts_in_proportion_and_above_it_in_full() -> None:
    def staff_with(stake: str) -> Decimal:
        given = answers(
            staff={"value": "8", "band": None},
            linked=relation_answer(f"{stake} %; 30; 3 Mio. €; 2 Mio. €", "de"),
        )
        aggregation = evaluate(given).classification.aggregation
        assert aggregation is not None
        return aggregation.staff.total

    assert staff_with("25") == Decimal("15.5")  # 8 + 25 % of 30
    assert staff_with("50") == Decimal(23)  # 8 + 50 % of 30
    assert staff_with("50,01") == Decimal(38)  # 8 + all 30


# --- retention ------------------------------------------------------------------------------------

NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)
MONTHS = 12


@pytest.mark.parametrize(
    ("day", "months", "before"),
    [
        (date(2026, 3, 31), 12, date(2025, 3, 31)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),  # February is shorter: its last day
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before_is_the_same_day_months_earlier(day: date, months: int, before: date) -> None:
    assert months_before(day, months) == before


def _last_active(storage: Storage, user_id: int, at: datetime) -> str:
    rid = storage.respondents.respondent_for("telegram", user_id)
    stamp = at.isoformat(timespec="seconds")
    with storage.write():
        storage.execute("update respondents set created_at = ? where id = ?", [stamp, rid])
        storage.execute("update identities set created_at = ? where respondent_id = ?", [stamp, rid])
    return rid


@pytest.mark.parametrize(
    ("inactive_for", "removed"),
    [
        (timedelta(seconds=-1), False),  # a second short of the months
        (timedelta(0), False),  # exactly the months: not yet "more than"
        (timedelta(seconds=1), True),
        (timedelta(days=1), True),
    ],
)
def test_retention_removes_after_exactly_the_configured_months(
    storage: Storage, inactive_for: timedelta, removed: bool
) -> None:
    cutoff = datetime.combine(months_before(NOW.date(), MONTHS), NOW.timetz())
    _last_active(storage, 1001, cutoff - inactive_for)
    _last_active(storage, 1002, cutoff + timedelta(days=27))  # under a month short: stays in any case
    counts = storage.retention.apply_retention(MONTHS, now=NOW)
    assert counts["identities_unlinked"] == int(removed)
    assert (storage.respondents.find_respondent("telegram", 1001) is None) is removed
    assert storage.respondents.find_respondent("telegram", 1002) is not None


# --- Telegram's group limit -----------------------------------------------------------------------

GROUP = -100123


def test_a_group_takes_twenty_messages_a_minute_and_the_twenty_first_waits() -> None:
    pacer = ChatPacer()
    now = 1000.0
    claimed: list[float] = []
    while len(claimed) < GROUP_PER_MINUTE:
        slot = pacer.try_claim(GROUP, now)
        if slot <= now:
            claimed.append(now)
        now = max(slot, now + 1e-3)
    assert GROUP_PER_MINUTE == 20
    assert claimed[-1] - claimed[0] < 60  # twenty within the minute, one a second
    next_slot = pacer.try_claim(GROUP, claimed[-1] + 1.0)
    assert next_slot >= claimed[0] + 60  # the 21st only once the first is a minute old
    assert pacer.try_claim(GROUP, claimed[0] + 60) <= claimed[0] + 60
