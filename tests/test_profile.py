"""The profile's typed choice keys agree with the question catalogue, and an unknown key is refused."""

from __future__ import annotations

import pytest

from dialogs.profile import (
    CUSTOMERS,
    REACHES,
    REFERRALS,
    RESULTS_CHECKS,
    SECTORS,
    SOCIAL_PRESENCES,
    WEBSITES,
    choice_key,
)
from dialogs.questions import PLAN_CUSTOMERS, PLAN_SECTOR, QUESTION_BY_ID


@pytest.mark.parametrize(
    ("question_id", "keys"),
    [
        ("website", WEBSITES),
        ("social_presence", SOCIAL_PRESENCES),
        ("results_check", RESULTS_CHECKS),
        ("referral", REFERRALS),
        ("sector", SECTORS),
        ("customers", CUSTOMERS),
        ("reach", REACHES),
    ],
)
def test_the_typed_keys_are_the_catalogue_keys(question_id: str, keys: tuple[str, ...]) -> None:
    # the finer sector options (for NIS2) and the customers with an online offer stand for a plain key
    plain = PLAN_SECTOR | PLAN_CUSTOMERS
    catalogue = dict.fromkeys(plain.get(c.key, c.key) for c in QUESTION_BY_ID[question_id].choices)
    assert keys == tuple(catalogue)


def test_a_key_outside_the_type_is_refused() -> None:
    assert choice_key("retail", SECTORS) == "retail"
    with pytest.raises(ValueError, match="manufactoring"):
        choice_key("manufactoring", SECTORS)
