"""Archetypes a consultant would try: each plan fits the firm as it really is (chamber, wording, costs, duties)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest

from bot.i18n import Translator
from dialogs.advice import Advice, build_advice
from dialogs.classification import classify_sme
from dialogs.group import LINKED, Group, RelatedEnterprise
from dialogs.plan import SUPPORT_FROM_GAP
from dialogs.profile import CompanyProfile

D = Decimal
DEC_1 = date(2026, 12, 1)
EN = Translator("en")

WEAK = {
    "website": "outdated",
    "social_presence": "none",
    "online_share": D(5),
    "social_share": D(0),
    "controlling_share": D(0),
    "results_check": "no",
    "referral": "none",
}


def firm(**fields: object) -> CompanyProfile:
    base: dict[str, object] = {
        "staff": D(5),
        "turnover": D(600_000),
        "balance_sheet": D(300_000),
        "group": Group(),
        "sector": "other",
        "customers": "both",
        "reach": "local",
        **WEAK,
    }
    return CompanyProfile(**{**base, **fields})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Archetype:
    name: str
    profile: CompanyProfile
    chamber: str  # words the support step must name
    largest_cost: int  # no one-off cost above this for a firm of its own size


GROUP = Group(owned_by=LINKED, upstream=(RelatedEnterprise(D(100), D(5000), D(900_000_000), D(800_000_000)),))

ARCHETYPES = [
    Archetype("local craft firm", firm(sector="craft", customers="private"), "HWK", 3000),
    Archetype(
        "B2B manufacturer with 80 staff",
        firm(
            staff=D(80),
            turnover=D(12_000_000),
            balance_sheet=D(9_000_000),
            sector="manufacturing",
            customers="business",
            reach="national",
        ),
        "IHK",
        50_000,
    ),
    Archetype(
        "web shop",
        firm(
            staff=D(14),
            turnover=D(2_500_000),
            balance_sheet=D(900_000),
            sector="retail",
            customers="private",
            reach="national",
            online_offer="shop",
        ),
        "IHK",
        10_000,
    ),
    Archetype(
        "solo consultant",
        firm(staff=D(1), turnover=D(90_000), sector="services", customers="business", small_business="no"),
        "professional chamber",
        3000,
    ),
    Archetype(
        "restaurant",
        firm(
            staff=D(12),
            turnover=D(900_000),
            sector="hospitality",
            customers="private",
            online_offer="booking",
        ),
        "IHK",
        10_000,
    ),
    Archetype(
        "B2B service firm with 120 staff",
        firm(
            staff=D(120),
            turnover=D(15_000_000),
            balance_sheet=D(6_000_000),
            sector="services",
            customers="business",
            reach="national",
        ),
        "professional chamber",
        50_000,
    ),
    Archetype(
        "tax adviser office",
        firm(staff=D(9), turnover=D(1_100_000), sector="services", customers="both"),
        "Steuerberaterkammer",
        3000,
    ),
    Archetype(
        "8-person subsidiary of a large group",
        firm(
            staff=D(8),
            turnover=D(1_500_000),
            balance_sheet=D(800_000),
            sector="manufacturing",
            customers="business",
            reach="national",
            group=GROUP,
        ),
        "IHK",
        3000,
    ),
    Archetype(
        "international exporter",
        firm(
            staff=D(45),
            turnover=D(8_000_000),
            balance_sheet=D(5_000_000),
            sector="manufacturing",
            customers="business",
            reach="international",
        ),
        "IHK",
        10_000,
    ),
]


def advise(p: CompanyProfile) -> Advice:
    c = classify_sme(p.staff, p.turnover, p.balance_sheet, banded=p.banded, group=p.group)
    return build_advice(p, c, as_of=DEC_1)


def step_texts(advice: Advice) -> list[str]:
    return [
        " ".join(EN(t) for t in (s.title, s.why, s.action, s.effort, s.cost, s.metric)).replace("\xa0", " ")
        for s in advice.steps
    ]


@pytest.mark.parametrize("archetype", ARCHETYPES, ids=lambda a: a.name)
def test_the_support_step_is_kept_and_names_the_right_chamber(archetype: Archetype) -> None:
    advice = advise(archetype.profile)
    assert advice.score >= SUPPORT_FROM_GAP  # every archetype has a wide gap: support must not be cut
    support = [s for s in advice.steps if s.id in ("professional_support", "larger_firm_support")]
    assert len(support) == 1, [s.id for s in advice.steps]
    assert archetype.chamber in EN(support[0].action)
    if archetype.chamber != "HWK":
        assert "HWK" not in EN(support[0].action)


@pytest.mark.parametrize("archetype", ARCHETYPES, ids=lambda a: a.name)
def test_no_staff_wording_beyond_the_firms_own_headcount(archetype: Archetype) -> None:
    text = " ".join(step_texts(advise(archetype.profile)))
    staff = archetype.profile.staff
    if staff < 50:
        for phrase in ("ten volunteers", "five experts", "sales and service", "staff-advocacy"):
            assert phrase not in text, (archetype.name, phrase)
    if staff < 2:
        assert "team" not in text.lower() and "staff" not in text.lower(), archetype.name


@pytest.mark.parametrize("archetype", ARCHETYPES, ids=lambda a: a.name)
def test_costs_stay_in_the_band_for_the_firms_size(archetype: Archetype) -> None:
    for text in step_texts(advise(archetype.profile)):
        for amount in re.findall(r"€([\d,]+) once", text):
            assert int(amount.replace(",", "")) <= archetype.largest_cost, (archetype.name, text)


@pytest.mark.parametrize("archetype", ARCHETYPES, ids=lambda a: a.name)
def test_no_step_twice_and_duties_due_soon_first(archetype: Archetype) -> None:
    advice = advise(archetype.profile)
    ids = [s.id for s in advice.steps]
    assert len(ids) == len(set(ids))
    due = [v for v in advice.duties if v.due_soon and v.duty_id != "e_invoice_receive"]
    assert [s.duty_id for s in advice.steps[: len(due)]] == [v.duty_id for v in due]


def test_the_restaurant_gets_bookings_not_the_map_profile_twice() -> None:
    ids = [s.id for s in advise(ARCHETYPES[4].profile).steps]
    assert "reservations_reviews" in ids and "local_profile" not in ids


def test_a_large_group_s_small_subsidiary_gets_the_law_of_its_class_and_the_words_of_its_size() -> None:
    subsidiary = ARCHETYPES[7].profile
    advice = advise(subsidiary)
    assert any(s.id == "larger_firm_support" for s in advice.steps)  # not an SME: no Mittelstand-Digital
    assert not any("Mittelstand-Digital Zentrum" in EN(s.action) for s in advice.steps)
    issue = next(s for s in advice.steps if s.duty_id == "e_invoice_issue")
    assert issue.priority == 1 and issue.days_left == 31
    assert "€500 to €5,000" not in EN(issue.cost).replace("\xa0", " ")  # an 8-person firm, not a group


def test_a_b2b_firm_over_800k_gets_the_e_invoicing_duty_this_week_with_31_days_left() -> None:
    manufacturer = ARCHETYPES[1].profile
    step = advise(manufacturer).steps[0]
    assert step.duty_id == "e_invoice_issue" and step.days_left == 31
    assert EN(step.title) == "Duty from 1 January 2027: Issue e-invoices to business customers"
    assert (
        Translator("de")(step.title)
        == "Pflicht ab 1. Januar 2027: E-Rechnungen an Geschäftskundschaft ausstellen"
    )


def test_a_small_business_never_hears_of_an_issuing_duty_in_its_plan() -> None:
    solo = replace(ARCHETYPES[3].profile, small_business="yes")
    assert not any(s.duty_id == "e_invoice_issue" for s in advise(solo).steps)


# --- Sector vocabulary and reach --------------------------------------------------------------------

# Per archetype: patterns its plan must contain (its trade's words) and must not (another trade's words).
JOB = r"\b(finished|recent|completed) jobs?\b"
GUEST = r"\bguests?\b"
CLIENT = r"\bclients?\b|\bmandates?\b"
ORDER = r"\borders?\b"
VOCABULARY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "local craft firm": ((JOB,), (GUEST, CLIENT)),
    "B2B manufacturer with 80 staff": ((r"\bbusiness customers\b",), (GUEST, CLIENT, JOB, r"\binstagram\b")),
    "web shop": ((ORDER, r"\bproducts?\b"), (JOB, GUEST, CLIENT, r"\blinkedin\b")),
    "solo consultant": ((CLIENT,), (GUEST, JOB)),
    "restaurant": ((GUEST,), (JOB, CLIENT, r"\blinkedin\b", r"\bcompleted order\b")),
    "B2B service firm with 120 staff": ((CLIENT,), (GUEST, JOB, r"\binstagram\b")),
    "tax adviser office": ((CLIENT,), (GUEST, JOB)),
    "8-person subsidiary of a large group": ((r"\bbusiness customers\b",), (GUEST, CLIENT, JOB)),
    "international exporter": ((r"\bbusiness customers\b", r"\babroad\b"), (GUEST, CLIENT, JOB)),
}


def test_every_archetype_has_its_vocabulary() -> None:
    assert set(VOCABULARY) == {a.name for a in ARCHETYPES}


@pytest.mark.parametrize("archetype", ARCHETYPES, ids=lambda a: a.name)
def test_the_plan_speaks_the_sector_s_language(archetype: Archetype) -> None:
    text = " ".join(step_texts(advise(archetype.profile))).lower()
    wanted, unwanted = VOCABULARY[archetype.name]
    for pattern in wanted:
        assert re.search(pattern, text), (archetype.name, "missing", pattern)
    for pattern in unwanted:
        assert not re.search(pattern, text), (
            archetype.name,
            "wrong trade",
            pattern,
            re.search(pattern, text),
        )


def test_a_b2c_retailer_s_organisation_is_not_sent_to_linkedin() -> None:
    retailer = firm(
        staff=D(120), turnover=D(20_000_000), sector="retail", customers="private", reach="national"
    )
    retailer = replace(retailer, social_presence="occasional", online_offer="none")
    text = " ".join(step_texts(advise(retailer))).lower()
    assert "social_strategy" in [s.id for s in advise(retailer).steps]
    assert "linkedin" not in text


@pytest.mark.parametrize("archetype", ARCHETYPES, ids=lambda a: a.name)
def test_no_step_links_to_a_website_before_the_step_that_builds_it(archetype: Archetype) -> None:
    steps = advise(replace(archetype.profile, website="none")).steps
    ids = [s.id for s in steps]
    assert "website_foundation" in ids, archetype.name
    mentions = [
        i for i, s in enumerate(steps) if "website" in EN(s.action).lower() and s.id != "website_foundation"
    ]
    assert all(ids.index("website_foundation") < i for i in mentions), (archetype.name, ids)


def test_the_international_exporter_gets_export_steps_that_national_reach_does_not() -> None:
    (exporter,) = [a.profile for a in ARCHETYPES if a.name == "international exporter"]
    abroad, at_home = advise(exporter), advise(replace(exporter, reach="national"))
    assert [s.id for s in abroad.steps] != [s.id for s in at_home.steps]
    abroad_text = " ".join(step_texts(abroad)).lower()
    for export_word in ("multilingual", "export", "trade fair"):
        assert export_word in abroad_text
        assert export_word not in " ".join(step_texts(at_home)).lower()


@pytest.mark.parametrize(
    "sector",
    ["craft", "retail", "hospitality", "services", "manufacturing", "other"],
)
@pytest.mark.parametrize("customers", ["private", "business", "both"])
@pytest.mark.parametrize("staff", [D(1), D(5), D(30), D(300)])
@pytest.mark.parametrize(
    "website", ["none", "outdated"]
)  # no website: the most steps compete for seven places
def test_international_and_national_reach_never_give_the_same_plan(
    sector: str, customers: str, staff: D, website: str
) -> None:
    base = firm(
        staff=staff,
        turnover=staff * 100_000,
        sector=sector,
        customers=customers,
        reach="national",
        website=website,
    )
    national, international = advise(base), advise(replace(base, reach="international"))
    assert [EN(s.action) for s in national.steps] != [EN(s.action) for s in international.steps]
    assert "international_markets" in [s.id for s in international.steps]
