"""The EU size classes at every ceiling, the money OR rule, and the sentences that explain a class."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import Translator
from dialogs.classification import (
    CLASS_NAMES,
    SIZE_ORDER,
    Classification,
    SizeClass,
    classify_sme,
    size_class,
)
from dialogs.questions import QUESTION_BY_ID
from dialogs.text import Money, Number, Text, msg
from tests.support.locale_helpers import german_messages, placeholders, source_msgids

ROOT = Path(__file__).resolve().parent.parent
GERMAN: dict[str, str] = german_messages()

M = Decimal(1_000_000)
CENT = Decimal("0.01")
HUGE = 1000 * M
MICRO, SMALL, MEDIUM = SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM
MIDCAP, LARGE = SizeClass.SMALL_MIDCAP, SizeClass.LARGE


def d(value: str | int) -> Decimal:
    return Decimal(value)


def texts(value: object) -> Iterator[Text]:
    """Every Text in a value, including Texts nested as arguments."""
    if isinstance(value, Text):
        yield value
        for arg in value.args.values():
            yield from texts(arg)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, Classification):
        yield from texts([value.name, value.reasons, value.caveats, value.ifm_class])


def args_of(text: Text) -> list[object]:
    """All argument values of a text and of the texts nested in it."""
    return [arg for t in texts(text) for arg in t.args.values()]


BOUNDARIES = [
    # staff ceilings are strict: fewer than 10, 50, 250, 750
    (d(9), d(1), d(1), MICRO),
    (d("9.99"), d(1), d(1), MICRO),
    (d(10), d(1), d(1), SMALL),
    (d(49), d(1), d(1), SMALL),
    (d(50), d(1), d(1), MEDIUM),
    (d(249), d(1), d(1), MEDIUM),
    (d(250), d(1), d(1), MIDCAP),
    (d(749), d(1), d(1), MIDCAP),
    (d(750), d(1), d(1), LARGE),
    # turnover ceilings are inclusive (balance sheet unknown)
    (d(5), 2 * M, None, MICRO),
    (d(5), 2 * M + CENT, None, SMALL),
    (d(5), 10 * M, None, SMALL),
    (d(5), 10 * M + CENT, None, MEDIUM),
    (d(5), 50 * M, None, MEDIUM),
    (d(5), 50 * M + CENT, None, MIDCAP),
    (d(5), 150 * M, None, MIDCAP),
    (d(5), 150 * M + CENT, None, LARGE),
    # balance-sheet ceilings are inclusive and enough on their own, whatever the turnover
    (d(5), HUGE, 2 * M, MICRO),
    (d(5), HUGE, 2 * M + CENT, SMALL),
    (d(5), HUGE, 10 * M, SMALL),
    (d(5), HUGE, 10 * M + CENT, MEDIUM),
    (d(5), HUGE, 43 * M, MEDIUM),
    (d(5), HUGE, 43 * M + CENT, MIDCAP),
    (d(5), HUGE, 129 * M, MIDCAP),
    (d(5), HUGE, 129 * M + CENT, LARGE),
    # the OR rule: turnover over, balance within -> the smaller class
    (d(200), 60 * M, 40 * M, MEDIUM),
    (d(40), 12 * M, 9 * M, SMALL),
    (d(8), 3 * M, 2 * M, MICRO),
    # both over -> the next class up
    (d(200), 60 * M, 44 * M, MIDCAP),
    (d(40), 12 * M, 11 * M, MEDIUM),
    (d(8), 3 * M, 3 * M, SMALL),
    # balance unknown: turnover alone decides
    (d(200), 60 * M, None, MIDCAP),
    (d(40), 12 * M, None, MEDIUM),
    # the staff ceiling is mandatory, however small the money
    (d(250), d(0), d(0), MIDCAP),
    (d(750), d(0), d(0), LARGE),
    # the mid-cap money ceilings: turnover within, or balance within
    (d(700), 150 * M, 500 * M, MIDCAP),
    (d(700), 500 * M, 129 * M, MIDCAP),
    (d(700), 500 * M, 130 * M, LARGE),
]


@pytest.mark.parametrize(("staff", "turnover", "balance", "expected"), BOUNDARIES)
def test_category_at_every_ceiling(
    staff: Decimal, turnover: Decimal, balance: Decimal | None, expected: SizeClass
) -> None:
    result = classify_sme(staff, turnover, balance, linked=False)
    assert result.category is expected
    assert result.name == CLASS_NAMES[expected]
    assert result.is_sme is (expected in (MICRO, SMALL, MEDIUM))


def test_the_example_of_the_law_is_medium_because_the_balance_sheet_is_within() -> None:
    result = classify_sme(d(200), 60 * M, 40 * M, linked=False)
    assert result.category is MEDIUM
    first, second = result.reasons
    assert first.args["staff"] == Number(d(200))
    assert first.args["balance"] == Money(40 * M)
    assert first.args["balance_limit"] == Money(43 * M)
    assert first.args["turnover_limit"] == Money(50 * M)
    assert "2003/361/EC" in first.args["source"].msgid  # type: ignore[union-attr]
    assert GERMAN[first.args["source"].msgid] == "Empfehlung 2003/361/EG der EU-Kommission"  # type: ignore[union-attr]
    # not small: the staff ceiling of 50 is exceeded
    assert second.args["smaller"] == CLASS_NAMES[SMALL]
    assert second.args["staff_limit"] == Number(d(50))


def test_reason_names_turnover_when_turnover_decides() -> None:
    result = classify_sme(d(30), 8 * M, 20 * M, linked=False)
    assert result.category is SMALL
    assert result.reasons[0].args["turnover"] == Money(8 * M)
    assert result.reasons[0].args["turnover_limit"] == Money(10 * M)
    assert "balance" not in result.reasons[0].args


def test_micro_needs_no_reason_against_a_smaller_class() -> None:
    assert len(classify_sme(d(3), d(200_000), None, linked=False).reasons) == 1


def test_reason_against_smaller_class_when_both_money_ceilings_are_exceeded() -> None:
    result = classify_sme(d(40), 12 * M, 11 * M, linked=False)
    assert result.category is MEDIUM
    why_not = result.reasons[1]
    assert why_not.args["smaller"] == CLASS_NAMES[SMALL]
    assert why_not.args["turnover"] == Money(12 * M)
    assert why_not.args["turnover_limit"] == Money(10 * M)
    assert why_not.args["balance"] == Money(11 * M)
    assert why_not.args["balance_limit"] == Money(10 * M)


def test_reason_against_smaller_class_when_the_balance_sheet_is_unknown() -> None:
    result = classify_sme(d(40), 12 * M, None, linked=False)
    why_not = result.reasons[1]
    assert "cannot be checked" in why_not.msgid
    assert why_not.args["turnover"] == Money(12 * M)
    assert why_not.args["balance_limit"] == Money(10 * M)


def test_large_explains_both_recommendations_and_the_mid_cap_ceilings() -> None:
    result = classify_sme(d(100), 200 * M, 200 * M, linked=False)
    assert result.category is LARGE
    assert not result.is_sme
    assert "2025/1099" in result.reasons[0].args["midcap_source"].msgid  # type: ignore[union-attr]
    assert result.reasons[1].args["turnover_limit"] == Money(150 * M)
    assert result.reasons[1].args["balance_limit"] == Money(129 * M)


def test_small_mid_cap_cites_the_2025_recommendation() -> None:
    result = classify_sme(d(300), 100 * M, None, linked=False)
    assert result.category is MIDCAP
    assert not result.is_sme
    source = result.reasons[0].args["source"]
    assert isinstance(source, Text) and "(EU) 2025/1099" in source.msgid
    assert GERMAN[source.msgid].startswith("Empfehlung (EU) 2025/1099")


def test_linked_company_is_told_to_add_group_figures() -> None:
    linked = classify_sme(d(30), 5 * M, 5 * M, linked=True)
    independent = classify_sme(d(30), 5 * M, 5 * M, linked=False)
    linked_caveats = [c for c in linked.caveats if "partner enterprise" in c.msgid]
    assert len(linked_caveats) == 1
    assert "provisional" in linked_caveats[0].msgid
    assert not [c for c in independent.caveats if "partner enterprise" in c.msgid]
    assert linked.category is independent.category
    assert linked.provisional and not independent.provisional


def test_unknown_balance_sheet_says_a_smaller_class_is_possible() -> None:
    result = classify_sme(d(5), 5 * M, None, linked=False)
    assert result.category is SMALL
    (caveat,) = [c for c in result.caveats if "balance-sheet total, so" in c.msgid]
    assert caveat.args["smaller"] == CLASS_NAMES[MICRO]
    assert caveat.args["balance_limit"] == Money(2 * M)


def test_unknown_balance_sheet_without_a_smaller_class_in_reach_gives_no_warning() -> None:
    # turnover alone decides: the balance-sheet total could not change the class, so nothing to warn about
    micro = classify_sme(d(5), M, None, linked=False)
    assert not [c for c in micro.caveats if "balance-sheet total" in c.msgid]
    # 100 staff can never be small, so turnover over the medium ceiling cannot be helped below medium
    medium = classify_sme(d(100), 30 * M, None, linked=False)
    assert not [c for c in medium.caveats if "balance-sheet total" in c.msgid]


def test_known_balance_sheet_has_no_turnover_only_caveat() -> None:
    result = classify_sme(d(5), M, M, linked=False)
    assert not [c for c in result.caveats if "balance-sheet total, so" in c.msgid]


@pytest.mark.parametrize(
    ("staff", "turnover", "balance", "near"),
    [
        (d(48), 5 * M, None, True),
        (d(52), 5 * M, None, True),
        (d(30), d("9_600_000"), None, True),
        (d(200), 60 * M, 40 * M, True),
        (d(30), 5 * M, 5 * M, False),
        (d(3), d(300_000), None, False),
    ],
)
def test_two_year_rule_is_mentioned_near_a_ceiling(
    staff: Decimal, turnover: Decimal, balance: Decimal | None, near: bool
) -> None:
    caveats = classify_sme(staff, turnover, balance, linked=False).caveats
    assert any("two consecutive financial years" in c.msgid for c in caveats) is near


def test_figures_from_bands_speak_of_the_band_not_the_representative() -> None:
    staff_band = QUESTION_BY_ID["staff"].choice("10_49")
    turnover_band = QUESTION_BY_ID["turnover"].choice("2_10m")
    assert staff_band is not None and staff_band.value is not None
    assert turnover_band is not None and turnover_band.value is not None
    result = classify_sme(
        staff_band.value, turnover_band.value, None, linked=False, banded=frozenset({"staff", "turnover"})
    )
    assert result.category is SMALL
    staff_arg = result.reasons[0].args["staff"]
    assert isinstance(staff_arg, Text)
    assert staff_arg.args == {"low": Number(d(10)), "high": Number(d(49))}
    turnover_arg = result.reasons[0].args["turnover"]
    assert isinstance(turnover_arg, Text)
    assert turnover_arg.args == {"low": Money(2 * M), "high": Money(10 * M)}
    assert any("ranges you chose" in c.msgid for c in result.caveats)
    assert not any("two consecutive" in c.msgid for c in result.caveats)


def test_lowest_and_top_bands_read_as_open_ranges() -> None:
    banded = frozenset({"staff", "turnover"})
    micro = classify_sme(d(5), M, None, linked=False, banded=banded)
    staff_arg = micro.reasons[0].args["staff"]
    assert isinstance(staff_arg, Text) and staff_arg.msgid == "fewer than {limit}"
    assert staff_arg.args["limit"] == Number(d(10))
    turnover_arg = micro.reasons[0].args["turnover"]
    assert isinstance(turnover_arg, Text) and turnover_arg.msgid == "up to {high}"
    assert turnover_arg.args["high"] == Money(2 * M)

    large = classify_sme(d(1000), d(300_000_000), None, linked=False, banded=banded)
    assert large.category is LARGE
    staff_arg = large.reasons[1].args["staff"]
    assert isinstance(staff_arg, Text) and staff_arg.msgid == "{low} or more"
    assert staff_arg.args["low"] == Number(d(750))
    turnover_arg = (
        classify_sme(d(5), d(300_000_000), None, linked=False, banded=banded).reasons[1].args["turnover"]
    )
    assert isinstance(turnover_arg, Text) and turnover_arg.msgid == "more than {low}"
    assert turnover_arg.args["low"] == Money(150 * M)


def _bands(question_id: str) -> list[tuple[Decimal, Decimal] | None]:
    bands: list[tuple[Decimal, Decimal] | None] = [
        (c.low, c.high)
        for c in QUESTION_BY_ID[question_id].choices
        if c.low is not None and c.high is not None
    ]
    return bands + ([None] if question_id == "balance_sheet" else [])


def test_every_band_combination_has_one_category_for_its_whole_range() -> None:
    """The "category is the same for every value in those ranges" caveat relies on this."""
    for staff, turnover, balance in itertools.product(
        _bands("staff"), _bands("turnover"), _bands("balance_sheet")
    ):
        assert staff is not None and turnover is not None
        low = size_class(staff[0], turnover[0], None if balance is None else balance[0])
        high = size_class(staff[1], turnover[1], None if balance is None else balance[1])
        assert low is high, (staff, turnover, balance)


@pytest.mark.parametrize(
    ("staff", "turnover", "banded", "expected"),
    [
        (d(9), 2 * M, frozenset(), "micro enterprise"),
        (d(10), M, frozenset(), "small enterprise"),
        (d(300), 40 * M, frozenset(), "medium-sized enterprise"),  # IfM medium goes up to 499 staff
        (d(499), 50 * M, frozenset(), "medium-sized enterprise"),
        (d(500), M, frozenset(), "large enterprise"),
        (d(200), 60 * M, frozenset(), "large enterprise"),  # IfM has no balance-sheet alternative
    ],
)
def test_ifm_bonn_class(staff: Decimal, turnover: Decimal, banded: frozenset[str], expected: str) -> None:
    ifm = classify_sme(staff, turnover, None, linked=False, banded=banded).ifm_class
    assert "IfM Bonn" in ifm.msgid
    name = ifm.args["name"]
    assert isinstance(name, Text) and name.msgid == expected


def test_ifm_class_of_a_staff_band_across_499_names_both() -> None:
    band = QUESTION_BY_ID["staff"].choice("250_749")
    assert band is not None and band.value is not None
    ifm = classify_sme(band.value, 40 * M, None, linked=False, banded=frozenset({"staff"})).ifm_class
    assert ifm.args == {"lower": CLASS_NAMES[MEDIUM], "upper": CLASS_NAMES[LARGE]}


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
staff_counts = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@given(staff=staff_counts, turnover=money, balance=st.none() | money, more=money, linked=st.booleans())
def test_more_of_any_figure_never_gives_a_smaller_class(
    staff: Decimal, turnover: Decimal, balance: Decimal | None, more: Decimal, linked: bool
) -> None:
    rank = SIZE_ORDER.index
    base = rank(classify_sme(staff, turnover, balance, linked).category)
    assert rank(classify_sme(staff + more / 1000, turnover, balance, linked).category) >= base
    assert rank(classify_sme(staff, turnover + more, balance, linked).category) >= base
    if balance is not None:
        assert rank(classify_sme(staff, turnover, balance + more, linked).category) >= base


@given(staff=staff_counts, turnover=money, balance=st.none() | money, linked=st.booleans())
def test_every_text_has_a_german_translation(
    staff: Decimal, turnover: Decimal, balance: Decimal | None, linked: bool
) -> None:
    result = classify_sme(staff, turnover, balance, linked)
    assert 1 <= len(result.reasons) <= 2
    for text in texts(result):
        assert text.msgid in GERMAN, text.msgid


@pytest.mark.parametrize(("staff", "turnover", "balance", "expected"), BOUNDARIES)
def test_every_text_at_the_boundaries_has_a_german_translation(
    staff: Decimal, turnover: Decimal, balance: Decimal | None, expected: SizeClass
) -> None:
    for linked in (False, True):
        for text in texts(classify_sme(staff, turnover, balance, linked)):
            assert text.msgid in GERMAN, text.msgid


def test_every_msgid_of_the_module_is_translated_with_the_same_placeholders() -> None:
    for msgid in source_msgids("dialogs/classification.py"):
        assert msgid in GERMAN, msgid
        assert placeholders(GERMAN[msgid]) == placeholders(msgid), msgid


def test_german_class_names_use_the_agreed_terms() -> None:
    assert [GERMAN[CLASS_NAMES[c].msgid] for c in SIZE_ORDER] == [
        "Kleinstunternehmen",
        "kleines Unternehmen",
        "mittleres Unternehmen",
        "kleines Mid-Cap-Unternehmen",
        "Großunternehmen",
    ]


# --- ranges, thresholds, IfM and cash-basis accounts ------------------------------------------------


def test_a_range_is_not_printed_twice_in_the_reason() -> None:
    staff_band = QUESTION_BY_ID["staff"].choice("lt10")
    turnover_band = QUESTION_BY_ID["turnover"].choice("upto2m")
    assert staff_band is not None and staff_band.value is not None
    assert turnover_band is not None and turnover_band.value is not None
    result = classify_sme(
        staff_band.value, turnover_band.value, None, banded=frozenset({"staff", "turnover"})
    )
    for language in ("de", "en"):
        reason = Translator(language)(result.reasons[0])
        limit = "weniger als 10" if language == "de" else "fewer than 10"
        assert reason.count(limit) == 1, reason


def _closeness(result: Classification) -> list[Text]:
    return [c for c in result.caveats if "close to the ceiling" in c.msgid]


def test_the_threshold_warning_names_the_deciding_figure_and_its_ceiling() -> None:
    (warning,) = _closeness(classify_sme(d(9), d(500_000), d(300_000)))
    assert warning.args["figure"] == msg("staff count")
    assert warning.args["value"] == Number(d(9)) and warning.args["limit"] == Number(d(10))
    (warning,) = _closeness(classify_sme(d(30), d(9_500_000), None))
    assert warning.args["figure"] == msg("turnover") and warning.args["limit"] == Money(10 * M)


def test_the_threshold_warning_is_silent_for_a_figure_that_does_not_decide() -> None:
    # turnover near €2 m, but the balance sheet of €0.5 m keeps the company micro either way
    assert not _closeness(classify_sme(d(5), d(1_950_000), d(500_000)))
    # 9 staff, but turnover and balance sheet far above every micro and small ceiling: staff does not decide
    assert not [
        w for w in _closeness(classify_sme(d(9), 60 * M, 60 * M)) if w.args["figure"] == msg("staff count")
    ]


def test_the_ifm_class_comes_with_a_sentence_only_when_it_differs() -> None:
    # 300 staff: EU small mid-cap, IfM medium (up to 499)
    differs = classify_sme(d(300), 40 * M, 30 * M)
    assert differs.ifm_note is not None and "statistics" in differs.ifm_note.msgid
    assert "EU definition" in differs.ifm_note.msgid
    assert classify_sme(d(5), M, M).ifm_note is None


def test_cash_basis_accounts_are_named_and_only_when_the_balance_sheet_could_matter() -> None:
    could = classify_sme(d(5), 3 * M, None, no_balance_sheet=True)
    assert any("cash-basis" in c.msgid for c in could.caveats)
    assert not any("look" in c.msgid for c in could.caveats)
    decided = classify_sme(d(5), d(300_000), None, no_balance_sheet=True)
    assert not decided.caveats


def test_a_firm_above_the_sme_ceilings_is_told_plainly_in_the_headline() -> None:
    for staff, money, category in ((d(300), 100 * M, "small mid-cap"), (d(1000), 200 * M, "large")):
        headline = Translator("en")(classify_sme(staff, money, money).headline)
        assert category in headline and headline.endswith("not an SME")
    assert "kein KMU" in Translator("de")(classify_sme(d(300), 90 * M, 80 * M).headline)
    assert "not an SME" not in Translator("en")(classify_sme(d(200), 40 * M, 30 * M).headline)
