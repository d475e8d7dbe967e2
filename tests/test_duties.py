"""Legal duties as dated, conditional verdicts: a table of legal cases with the "as of" date pinned."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.i18n import Translator
from dialogs.classification import classify_sme
from dialogs.duties import DUTY_IDS, DutyStatus, DutyVerdict, add_months, evaluate_duties
from dialogs.group import PARTNER, Group
from dialogs.profile import CompanyProfile

D = Decimal
DEC_1 = date(2026, 12, 1)

BASE = CompanyProfile(
    staff=D(12),
    turnover=D(1_200_000),
    balance_sheet=D(900_000),
    group=Group(),
    website="current",
    social_presence="occasional",
    online_share=D(20),
    social_share=D(5),
    controlling_share=D(1),
    results_check="partly",
    referral="occasional",
    sector="services",
    customers="business",
    reach="national",
)


def verdicts(profile: CompanyProfile, as_of: date = DEC_1) -> dict[str, DutyVerdict]:
    c = classify_sme(
        profile.staff,
        profile.turnover,
        profile.balance_sheet,
        banded=profile.banded,
        group=profile.group,
        no_balance_sheet=profile.no_balance_sheet,
    )
    return {v.duty_id: v for v in evaluate_duties(profile, c, as_of=as_of)}


A, N, X = DutyStatus.APPLIES, DutyStatus.DOES_NOT_APPLY, DutyStatus.DEPENDS
JAN_2027, JAN_2028 = date(2027, 1, 1), date(2028, 1, 1)
BFSG, NIS2 = date(2025, 6, 28), date(2025, 12, 6)
SHOP5 = replace(
    BASE, staff=D(5), turnover=D(3_000_000), balance_sheet=None, customers="private", online_offer="shop"
)
MACHINES = replace(
    BASE,
    staff=D(120),
    turnover=D(20_000_000),
    balance_sheet=D(15_000_000),
    sector="manufacturing",
    nis2_sector=True,
)

CASES = [
    # (case, profile, as of, duty, status, starts on)
    ("B2B €1.2 m: issuing from 2027", BASE, DEC_1, "e_invoice_issue", A, JAN_2027),
    (
        "B2B €500 k: issuing from 2028",
        replace(BASE, turnover=D(500_000)),
        DEC_1,
        "e_invoice_issue",
        A,
        JAN_2028,
    ),
    (
        "€820 k is too close to tell",
        replace(BASE, turnover=D(820_000)),
        DEC_1,
        "e_invoice_issue",
        X,
        JAN_2027,
    ),
    (
        "band up to €2 m straddles €800 k",
        replace(BASE, turnover=D(1_000_000), banded=frozenset({"turnover"})),
        DEC_1,
        "e_invoice_issue",
        X,
        JAN_2027,
    ),
    ("consumers only", replace(BASE, customers="private"), DEC_1, "e_invoice_issue", N, None),
    (
        "Kleinunternehmer",
        replace(BASE, staff=D(1), turnover=D(60_000), small_business="yes"),
        DEC_1,
        "e_invoice_issue",
        N,
        None,
    ),
    (
        "Kleinunternehmer status unknown",
        replace(BASE, staff=D(1), turnover=D(60_000), small_business="unknown"),
        DEC_1,
        "e_invoice_issue",
        X,
        JAN_2028,
    ),
    (
        "not a Kleinunternehmer",
        replace(BASE, staff=D(1), turnover=D(60_000), small_business="no"),
        DEC_1,
        "e_invoice_issue",
        A,
        JAN_2028,
    ),
    (
        "in 2028 the €820 k firm is in",
        replace(BASE, turnover=D(820_000)),
        date(2028, 3, 1),
        "e_invoice_issue",
        A,
        JAN_2028,
    ),
    (
        "receiving: everyone",
        replace(BASE, small_business="yes"),
        DEC_1,
        "e_invoice_receive",
        A,
        date(2025, 1, 1),
    ),
    ("5-person shop, balance sheet unknown", SHOP5, DEC_1, "accessibility", X, BFSG),
    (
        "5-person shop, EÜR: turnover decides",
        replace(SHOP5, no_balance_sheet=True),
        DEC_1,
        "accessibility",
        A,
        BFSG,
    ),
    (
        "5-person shop, balance €1.5 m: micro",
        replace(SHOP5, balance_sheet=D(1_500_000)),
        DEC_1,
        "accessibility",
        N,
        None,
    ),
    ("micro with a web shop", replace(SHOP5, turnover=D(900_000)), DEC_1, "accessibility", N, None),
    (
        "micro, owners unknown",
        replace(SHOP5, turnover=D(900_000), group=Group(owned_by="unknown")),
        DEC_1,
        "accessibility",
        X,
        BFSG,
    ),
    (
        "small firm with online booking",
        replace(SHOP5, staff=D(30), online_offer="booking"),
        DEC_1,
        "accessibility",
        A,
        BFSG,
    ),
    ("no online offer", replace(SHOP5, staff=D(30), online_offer="none"), DEC_1, "accessibility", N, None),
    (
        "online offer not asked",
        replace(SHOP5, staff=D(30), online_offer="not_asked"),
        DEC_1,
        "accessibility",
        X,
        BFSG,
    ),
    (
        "business customers only",
        replace(SHOP5, staff=D(30), customers="business"),
        DEC_1,
        "accessibility",
        N,
        None,
    ),
    ("medium machinery maker", MACHINES, DEC_1, "nis2", X, NIS2),
    ("small machinery maker", replace(MACHINES, staff=D(30), turnover=D(5_000_000)), DEC_1, "nis2", N, None),
    (
        "small machinery maker, partner figures missing",
        replace(MACHINES, staff=D(30), turnover=D(5_000_000), group=Group(owned_by=PARTNER)),
        DEC_1,
        "nis2",
        X,
        NIS2,
    ),
    ("medium retailer", replace(MACHINES, sector="retail", nis2_sector=False), DEC_1, "nis2", N, None),
]


@pytest.mark.parametrize(
    ("case", "profile", "as_of", "duty", "status", "starts_on"), CASES, ids=[c[0] for c in CASES]
)
def test_each_duty_has_its_verdict_and_date(
    case: str, profile: CompanyProfile, as_of: date, duty: str, status: DutyStatus, starts_on: date | None
) -> None:
    verdict = verdicts(profile, as_of)[duty]
    assert (verdict.status, verdict.starts_on) == (status, starts_on), case
    assert (verdict.depends_on is not None) == (status is DutyStatus.DEPENDS)
    assert (verdict.action is None) == (status is DutyStatus.DOES_NOT_APPLY)


def test_the_b2b_firm_over_800k_has_31_days_left_on_1_december_2026() -> None:
    issue = verdicts(BASE)["e_invoice_issue"]
    assert issue.days_left == 31 and issue.due_soon and not issue.started
    assert not verdicts(replace(BASE, turnover=D(500_000)))["e_invoice_issue"].due_soon
    later = verdicts(replace(BASE, turnover=D(500_000)), date(2027, 11, 1))["e_invoice_issue"]
    assert later.due_soon and later.days_left == 61
    assert verdicts(BASE, date(2027, 1, 2))["e_invoice_issue"].started


def test_depends_names_the_figure_and_the_value_that_decides() -> None:
    t = Translator("en")
    shop = verdicts(SHOP5)["accessibility"]
    assert shop.depends_on is not None
    assert "balance-sheet total" in t(shop.depends_on) and "€2" in t(shop.depends_on)
    close = verdicts(replace(BASE, turnover=D(820_000)))["e_invoice_issue"]
    assert close.depends_on is not None and "2026" in t(close.depends_on) and "800,000" in t(close.depends_on)
    small_business = verdicts(replace(BASE, turnover=D(60_000), small_business="unknown"))["e_invoice_issue"]
    assert small_business.depends_on is not None and "§ 19 UStG" in t(small_business.depends_on)


def test_nis2_is_a_pointer_never_an_assertion() -> None:
    nis2 = verdicts(MACHINES)["nis2"]
    text = Translator("en")(nis2.verdict)
    assert "may be an important entity" in text
    assert nis2.action is not None and "scope check" in Translator("en")(nis2.action)


def test_an_unknown_balance_sheet_below_medium_leaves_nis2_out_of_scope() -> None:
    # 8 staff and €5 million: the balance sheet decides micro or small, never medium, and no partner exists
    small = replace(MACHINES, staff=D(8), turnover=D(5_000_000), balance_sheet=None, group=Group())
    assert verdicts(small)["nis2"].status is DutyStatus.DOES_NOT_APPLY
    unknown_group = replace(small, group=Group(owned_by=PARTNER))  # a partner whose figures are missing
    assert verdicts(unknown_group)["nis2"].status is DutyStatus.DEPENDS


def test_every_verdict_names_source_and_date_and_renders_in_both_languages() -> None:
    for _, profile, as_of, *_ in CASES:
        found = evaluate_duties(
            profile,
            classify_sme(profile.staff, profile.turnover, profile.balance_sheet, group=profile.group),
            as_of=as_of,
        )
        assert tuple(v.duty_id for v in found) == DUTY_IDS
        for verdict in found:
            assert verdict.source_date.year >= 2024
            for language in ("de", "en"):
                t = Translator(language)
                for text in (
                    verdict.title,
                    verdict.verdict,
                    verdict.source,
                    verdict.action,
                    verdict.depends_on,
                ):
                    if text is not None:
                        assert "{" not in t(text)
            assert any(ch.isdigit() for ch in Translator("en")(verdict.source))


def test_the_default_as_of_is_today() -> None:
    issue = evaluate_duties(BASE, classify_sme(BASE.staff, BASE.turnover, BASE.balance_sheet))[1]
    assert issue.as_of == date.today()


def test_verdicts_kept_from_one_day_are_not_served_on_the_next() -> None:
    # Verdicts the same for every business are built once per day: across midnight, and back, each day
    # gets its own, with its own "as of" and days left.
    days = [
        date(2026, 12, 31),
        JAN_2027,
        date(2026, 12, 31),
        date(2027, 12, 31),
        JAN_2028,
        date(2027, 12, 31),
    ]
    for day in days:
        judged = verdicts(BASE, day)
        assert all(v.as_of == day for v in judged.values()), day
        assert judged["e_invoice_issue"].started == (day >= JAN_2027)
        assert judged["e_invoice_receive"].days_left == 0


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 12, 1), 3, date(2027, 3, 1)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 10, 31), 1, date(2027, 11, 30)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
