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
from dialogs.questions import QUESTION_BY_ID


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
    assert keys == tuple(choice.key for choice in QUESTION_BY_ID[question_id].choices)


def test_a_key_outside_the_type_is_refused() -> None:
    assert choice_key("retail", SECTORS) == "retail"
    with pytest.raises(ValueError, match="manufactoring"):
        choice_key("manufactoring", SECTORS)
