"""The digital-gap score, the prioritized steps per size class and the cited comparisons."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.advice import Advice, build_advice
from dialogs.ceilings import SizeClass
from dialogs.classification import Classification, classify_sme
from dialogs.group import Group
from dialogs.plan import MAX_STEPS, MIN_STEPS, RULES, Audience, Facts
from dialogs.profile import CompanyProfile
from dialogs.questions import QUESTION_BY_ID
from dialogs.text import Percent, Text
from tests.support.locale_helpers import german_messages, placeholders, source_msgids

ROOT = Path(__file__).resolve().parent.parent
GERMAN: dict[str, str] = german_messages()
D = Decimal

# Step ids are stored and exported (console JSON, admin export): renaming one is a breaking change.
STABLE_STEP_IDS = {
    "international_markets",
    "e_invoice_issue",
    "accessibility",
    "nis2",
    "digital_owner",
    "website_foundation",
    "local_profile",
    "website_refresh",
    "start_measuring",
    "social_start",
    "social_strategy",
    "referral_advocates",
    "measure_every_campaign",
    "professional_support",
    "shift_budget",
    "social_budget",
    "keep_measuring",
    "test_new_channel",
    "customer_stories",
    "larger_firm_support",
    "reservations_reviews",
    "shop_analytics",
    "marketplaces",
    "industry_portals",
    "linkedin_b2b",
    "case_studies",
}

WEBSITE = ["none", "outdated", "current"]  # worst to best
SOCIAL = ["none", "occasional", "strategy"]
RESULTS = ["no", "partly", "yes"]
REFERRAL = ["none", "occasional", "active"]


def profile(**changes: object) -> CompanyProfile:
    base = CompanyProfile(
        staff=D(4),
        turnover=D(350_000),
        balance_sheet=None,
        group=Group(),
        website="outdated",
        social_presence="none",
        online_share=D(5),
        social_share=D(0),
        controlling_share=D(0),
        results_check="no",
        referral="occasional",
        sector="craft",
        customers="private",
        reach="local",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def classify(p: CompanyProfile) -> Classification:
    return classify_sme(p.staff, p.turnover, p.balance_sheet, banded=p.banded, group=p.group)


# A day when no legal duty starts within three months: the plan's own order is tested here; duties due soon
# come first (tests/test_duties.py, tests/test_archetypes.py).
QUIET_DAY = date(2026, 6, 1)


def advise(p: CompanyProfile) -> Advice:
    return build_advice(p, classify(p), as_of=QUIET_DAY)


CRAFT = profile()  # 4 people, outdated site, no social media, no checks: a small craft business
MANUFACTURER = profile(
    staff=D(200),
    turnover=D(40_000_000),
    balance_sheet=D(30_000_000),
    website="current",
    social_presence="occasional",
    online_share=D(15),
    social_share=D(2),
    controlling_share=D(1),
    results_check="partly",
    referral="none",
    sector="manufacturing",
    customers="business",
    reach="international",
)
DOING_WELL = profile(
    website="current",
    social_presence="strategy",
    online_share=D(60),
    social_share=D(20),
    controlling_share=D(8),
    results_check="yes",
    referral="active",
)
WORST = profile(website="none", online_share=D(0), referral="none")
B2B_CRAFT = profile(customers="business")


def texts(value: object) -> Iterator[Text]:
    if isinstance(value, Text):
        yield value
        for arg in value.args.values():
            yield from texts(arg)
    elif isinstance(value, Advice):
        yield from texts([p.label for p in value.score_parts])
        yield from texts([t for s in value.steps for t in (s.title, s.why, s.action)])
        yield from texts([c.text for c in value.comparisons])
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts(item)


def render_german(text: Text) -> str:
    """German with placeholders filled roughly: enough to measure length and spot a missing key."""
    values = {
        key: render_german(arg) if isinstance(arg, Text) else "9.999.999 €" for key, arg in text.args.items()
    }
    return GERMAN[text.msgid].format_map(values)


# --- Steps: tailored to answers and size class -------------------------------------------------------


def test_craft_business_and_manufacturer_get_different_first_steps() -> None:
    craft, manufacturer = advise(CRAFT), advise(MANUFACTURER)
    assert classify(CRAFT).category is SizeClass.MICRO
    assert classify(MANUFACTURER).category is SizeClass.MEDIUM
    assert craft.steps[0].id != manufacturer.steps[0].id
    assert craft.steps[0].id == "local_profile"
    assert manufacturer.steps[0].id == "industry_portals"


def test_same_answers_in_a_different_size_class_change_first_step_and_wording() -> None:
    micro = advise(WORST)
    medium = advise(replace(WORST, staff=D(200), turnover=D(40_000_000)))
    assert micro.steps[0].id == "website_foundation"
    assert medium.steps[0].id == "digital_owner"
    micro_actions = {s.id: s.action for s in micro.steps}
    medium_actions = {s.id: s.action for s in medium.steps}
    shared = micro_actions.keys() & medium_actions.keys()
    assert {"website_foundation", "start_measuring"} <= shared
    for step_id in shared:
        assert micro_actions[step_id] != medium_actions[step_id], step_id


def test_micro_steps_speak_to_the_owner_and_medium_steps_to_an_organisation() -> None:
    micro = " ".join(t.msgid for t in texts(advise(CRAFT)))
    medium = " ".join(t.msgid for t in texts(advise(MANUFACTURER)))
    assert "Google Business Profile" in micro
    assert "five satisfied customers" in micro
    assert "one hour a week" in micro
    assert "responsible person" in medium
    assert "LinkedIn" in medium
    assert "LinkedIn" not in micro


def test_worst_profile_gets_foundation_measuring_and_free_support() -> None:
    ids = [s.id for s in advise(WORST).steps]
    assert len(ids) == MAX_STEPS
    assert ids.index("website_foundation") < ids.index("start_measuring") < ids.index("social_start")
    assert "professional_support" in ids


def test_a_company_doing_well_gets_fewer_and_different_steps() -> None:
    well, craft = advise(DOING_WELL), advise(CRAFT)
    ids = [s.id for s in well.steps]
    assert ids == ["keep_measuring", "test_new_channel", "customer_stories"]
    assert len(well.steps) < len(craft.steps)
    assert not set(ids) & {s.id for s in craft.steps}
    assert well.score == 0


def test_support_never_promises_closed_funding_programmes() -> None:
    everything = " ".join(
        [t.msgid for rule in RULES for a in Audience for t in rule_texts(rule, a)] + list(GERMAN.values())
    )
    assert "Mittelstand-Digital Zentr" in everything
    for closed in ("Digital Jetzt", "go-digital", "go-Digital"):
        assert closed not in everything


def rule_texts(rule: object, audience: Audience) -> list[Text]:
    step = rule.step(1, audience)  # type: ignore[attr-defined]
    return [step.title, step.why, step.action]


# --- Properties over random profiles -----------------------------------------------------------------

shares = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
money = st.decimals(min_value=0, max_value=10**9, places=0, allow_nan=False, allow_infinity=False)


@st.composite
def profiles(draw: st.DrawFn) -> CompanyProfile:
    online = draw(shares)
    social = draw(st.decimals(min_value=0, max_value=online, places=2))
    controlling = draw(st.decimals(min_value=0, max_value=online - social, places=2))
    return CompanyProfile(
        staff=draw(st.decimals(min_value=0, max_value=3000, places=1)),
        turnover=draw(money),
        balance_sheet=draw(st.none() | money),
        group=Group(
            owned_by=draw(st.sampled_from(["none", "lt25", "p25_50", "over50", "public", "unknown"]))
        ),
        website=draw(st.sampled_from(WEBSITE)),
        social_presence=draw(st.sampled_from(SOCIAL)),
        online_share=online,
        social_share=social,
        controlling_share=controlling,
        results_check=draw(st.sampled_from(RESULTS)),
        referral=draw(st.sampled_from(REFERRAL)),
        sector=draw(
            st.sampled_from(["craft", "retail", "hospitality", "services", "manufacturing", "other"])
        ),
        customers=draw(st.sampled_from(["private", "business", "both"])),
        reach=draw(st.sampled_from(["local", "national", "international"])),
        banded=frozenset(
            draw(st.sets(st.sampled_from(["staff", "turnover", "online_share", "social_share"])))
        ),
    )


@given(profiles())
def test_score_is_the_sum_of_its_parts_within_0_and_100(p: CompanyProfile) -> None:
    advice = advise(p)
    assert 0 <= advice.score <= 100
    assert advice.score == sum(part.points for part in advice.score_parts)
    assert [part.id for part in advice.score_parts] == [
        "website",
        "social_media",
        "online_share",
        "controlling",
        "referral",
    ]
    assert sum(part.maximum for part in advice.score_parts) == 100
    for part in advice.score_parts:
        assert 0 <= part.points <= part.maximum


@given(profiles())
def test_steps_are_never_empty_and_have_stable_unique_ids(p: CompanyProfile) -> None:
    steps = advise(p).steps
    assert MIN_STEPS <= len(steps) <= MAX_STEPS
    ids = [s.id for s in steps]
    assert len(set(ids)) == len(ids)
    assert set(ids) <= STABLE_STEP_IDS
    assert [s.priority for s in steps] == list(range(1, len(steps) + 1))


@given(profiles(), st.data())
def test_better_answers_never_widen_the_gap(p: CompanyProfile, data: st.DataObject) -> None:
    before = advise(p).score

    def better(options: list[str], current: str) -> str:
        return data.draw(st.sampled_from(options[options.index(current) :]))

    improved = replace(
        p,
        website=better(WEBSITE, p.website),
        social_presence=better(SOCIAL, p.social_presence),
        results_check=better(RESULTS, p.results_check),
        referral=better(REFERRAL, p.referral),
        online_share=data.draw(st.decimals(min_value=p.online_share, max_value=100, places=2)),
        controlling_share=data.draw(st.decimals(min_value=p.controlling_share, max_value=100, places=2)),
    )
    assert advise(improved).score <= before


@given(profiles())
def test_every_text_in_the_advice_has_a_german_translation(p: CompanyProfile) -> None:
    for text in texts(advise(p)):
        assert text.msgid in GERMAN, text.msgid


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, 81),  # 10 + 20 + 18 + (15 + 10) + 8
        ({"website": "none", "online_share": D(0), "referral": "none"}, 100),
        (
            {"online_share": D(25), "controlling_share": D("2.5"), "results_check": "partly"},
            10 + 20 + 10 + 13 + 8,
        ),
        ({"online_share": D(50), "controlling_share": D(5)}, 10 + 20 + 0 + 15 + 8),
    ],
)
def test_score_formula(changes: dict[str, object], expected: int) -> None:
    assert advise(profile(**changes)).score == expected


# --- Comparisons -------------------------------------------------------------------------------------


def comparison_ids(p: CompanyProfile) -> list[str]:
    return [c.id for c in advise(p).comparisons]


def test_comparisons_always_cite_tns_kfw_and_eurostat_with_source_and_year() -> None:
    for p in (B2B_CRAFT, MANUFACTURER, replace(DOING_WELL, customers="both")):
        for comparison in advise(p).comparisons:
            german = GERMAN[comparison.text.msgid]
            assert re.search(r"\b20(14|23|24)\b", comparison.text.msgid)
            assert re.search(r"TNS Infratest|Bitkom|KfW|Eurostat", german)
        assert {"tns_2014_online_share", "tns_2014_results_check"} <= set(comparison_ids(p))
        assert {"kfw_2024_digitalisation_spend", "eurostat_2023_digital_intensity"} <= set(comparison_ids(p))


def test_the_2014_b2b_survey_is_shown_to_b2b_firms_only_in_the_past_tense() -> None:
    assert not {"tns_2014_online_share", "tns_2014_results_check"} & set(comparison_ids(CRAFT))
    for comparison in advise(B2B_CRAFT).comparisons:
        if comparison.id.startswith("tns_2014"):
            assert "B2B companies" in comparison.text.msgid
            assert (" works" not in comparison.text.msgid and " put only" in comparison.text.msgid) or (
                " checked whether" in comparison.text.msgid
            )


def test_tns_comparison_says_the_figures_are_old_and_unreplaced() -> None:
    (tns,) = [c for c in advise(B2B_CRAFT).comparisons if c.id == "tns_2014_online_share"]
    assert "we found no newer source" in tns.text.msgid
    assert tns.text.args["share"] == Percent(D(5))
    assert tns.text.args["tns_online"] == Percent(D(10))
    assert "lower still" in tns.text.msgid  # 5 % against about 10 %
    (tns,) = [c for c in advise(MANUFACTURER).comparisons if c.id == "tns_2014_online_share"]
    assert "is higher" in tns.text.msgid


def test_bitkom_is_cited_only_for_companies_with_20_or_more_staff() -> None:
    assert "bitkom_2023_social_media" not in comparison_ids(CRAFT)
    assert "bitkom_2023_social_media" in comparison_ids(MANUFACTURER)
    # a staff band of 10 to 49 may be below 20: no claim that the company belongs to Bitkom's group
    band = QUESTION_BY_ID["staff"].choice("10_49")
    assert band is not None and band.value is not None
    banded = replace(MANUFACTURER, staff=band.value, turnover=D(5_000_000), banded=frozenset({"staff"}))
    assert "bitkom_2023_social_media" not in comparison_ids(banded)


def test_kfw_and_eurostat_follow_the_size() -> None:
    def text_of(p: CompanyProfile, comparison_id: str) -> str:
        return next(c.text.msgid for c in advise(p).comparisons if c.id == comparison_id)

    craft = text_of(CRAFT, "kfw_2024_digitalisation_spend")
    assert "smallest firms (fewer than {small_limit} staff)" in craft and "a year" in craft
    assert "belongs to the smallest group" in craft
    assert "belongs to the group with {threshold} or more" in text_of(
        MANUFACTURER, "kfw_2024_digitalisation_spend"
    )
    # a large firm with a wide gap is never told that it spends the most
    wide_gap = replace(MANUFACTURER, staff=D(180), website="none", social_presence="none", online_share=D(0))
    assert "most" not in text_of(wide_gap, "kfw_2024_digitalisation_spend").split("Your company")[1]
    assert "12 digital technologies" in text_of(CRAFT, "eurostat_2023_digital_intensity")
    big = replace(MANUFACTURER, staff=D(900), turnover=D(400_000_000))
    assert "above the SME ceilings" in text_of(big, "eurostat_2023_digital_intensity")


def test_a_banded_online_share_is_shown_as_its_range() -> None:
    band = QUESTION_BY_ID["online_share"].choice("p1_10")
    assert band is not None and band.value is not None
    p = replace(B2B_CRAFT, online_share=band.value, banded=frozenset({"online_share"}))
    (tns,) = [c for c in advise(p).comparisons if c.id == "tns_2014_online_share"]
    share = tns.text.args["share"]
    assert isinstance(share, Text)
    assert share.args == {"low": Percent(D(1)), "high": Percent(D(10))}


# --- Translations and length -------------------------------------------------------------------------


def test_every_text_of_the_modules_has_a_german_translation() -> None:
    used = source_msgids("dialogs/advice.py") | source_msgids("dialogs/classification.py")
    assert sorted(used - GERMAN.keys()) == []
    for msgid in used:
        german = GERMAN[msgid]
        assert placeholders(german) == placeholders(msgid), msgid
        assert (german.strip() and german != msgid) or msgid in {"Website"}, msgid


def test_german_uses_the_agreed_terms() -> None:
    german = " ".join(GERMAN.values())
    assert "Mitarbeiter " not in german and "Mitarbeitern" not in german
    assert " du " not in german and " dein" not in german.lower()


def test_rule_ids_are_unique_and_stable() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) == STABLE_STEP_IDS - {
        "e_invoice_issue",
        "accessibility",
        "nis2",
    }  # duties: dialogs.duties


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_seven_steps_fit_one_telegram_message(rule: object, audience: Audience) -> None:
    title, why, action = rule_texts(rule, audience)
    assert len(title.msgid) + len(why.msgid) + len(action.msgid) <= 450
    assert sum(len(render_german(t)) for t in (title, why, action)) <= 450


# --- Archetypes: the plan follows sector, customers, reach and size -----------------------------------

# The same digital answers for everyone, so that only who the company is can make the plans differ.
ARCHETYPES: dict[str, CompanyProfile] = {
    "local craft firm": profile(
        staff=D(8), turnover=D(900_000), sector="craft", customers="private", reach="local"
    ),
    "B2B manufacturer": profile(
        staff=D(80),
        turnover=D(15_000_000),
        balance_sheet=D(12_000_000),
        sector="manufacturing",
        customers="business",
        reach="international",
    ),
    "web shop": profile(
        staff=D(6), turnover=D(1_200_000), sector="retail", customers="private", reach="national"
    ),
    "solo consultant": profile(
        staff=D(1), turnover=D(120_000), sector="services", customers="business", reach="national"
    ),
    "restaurant": profile(
        staff=D(12), turnover=D(700_000), sector="hospitality", customers="private", reach="local"
    ),
    "B2B service firm": profile(
        staff=D(120),
        turnover=D(14_000_000),
        balance_sheet=D(6_000_000),
        sector="services",
        customers="business",
        reach="national",
    ),
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_any_two_archetypes_differ_in_their_first_two_steps(language: str) -> None:
    from bot.i18n import Translator

    t = Translator(language)
    first_two = {name: tuple(t(step.title) for step in advise(p).steps[:2]) for name, p in ARCHETYPES.items()}
    names = list(first_two)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert first_two[a] != first_two[b], (a, b, first_two[a])
            assert first_two[a][0] != first_two[b][0], (a, b)


def test_the_local_profile_comes_first_only_for_local_private_customers() -> None:
    firsts = {name: advise(p).steps[0].id for name, p in ARCHETYPES.items()}
    assert firsts["local craft firm"] == "local_profile"
    for name, p in ARCHETYPES.items():
        if p.reach != "local" or p.customers == "business":
            assert "local_profile" not in [s.id for s in advise(p).steps], name


def test_b2b_gets_linkedin_portals_and_case_studies_and_retail_gets_marketplaces_and_analytics() -> None:
    def ids(name: str) -> set[str]:
        return {s.id for s in advise(ARCHETYPES[name]).steps}

    assert {"linkedin_b2b", "case_studies"} <= ids("solo consultant")
    assert {"industry_portals", "linkedin_b2b"} <= ids("B2B manufacturer")
    assert {"marketplaces", "shop_analytics"} <= ids("web shop")
    assert "reservations_reviews" in ids("restaurant")


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_one_person_firm_never_hears_about_staff(language: str) -> None:
    from bot.i18n import Translator

    t = Translator(language)
    words = ("Mitarbeitend", "Team", "Belegschaft") if language == "de" else ("staff", "team", "employee")
    for p in (
        ARCHETYPES["solo consultant"],
        replace(ARCHETYPES["solo consultant"], customers="private", reach="local"),
    ):
        for step in advise(p).steps:
            for text in (step.title, step.why, step.action, step.metric):
                rendered = t(text)
                assert not any(word.lower() in rendered.lower() for word in words), rendered


def test_a_plan_has_at_most_two_steps_this_week_each_with_effort_cost_and_a_figure() -> None:
    from dialogs.plan import Horizon

    for name, p in ARCHETYPES.items():
        steps = advise(p).steps
        week = [s for s in steps if s.horizon is Horizon.WEEK]
        assert 1 <= len(week) <= 2 and steps[: len(week)] == tuple(week), name
        for step in steps:
            assert "hours" in step.effort.msgid and step.cost.msgid and step.metric.msgid


def test_a_firm_that_is_not_an_sme_is_not_sent_to_sme_only_help() -> None:
    big = replace(
        ARCHETYPES["B2B service firm"],
        staff=D(400),
        turnover=D(90_000_000),
        balance_sheet=D(80_000_000),
        website="none",
    )
    c = classify(big)
    assert not c.is_sme
    ids = [s.id for s in build_advice(big, c).steps]
    assert "professional_support" not in ids
    facts = Facts(big, c.category, Audience.ORGANISATION, gap=80, is_sme=False)
    by_id = {rule.id: rule for rule in RULES}
    assert by_id["larger_firm_support"].condition(facts) and not by_id["professional_support"].condition(
        facts
    )
    sme = replace(facts, is_sme=True)
    assert by_id["professional_support"].condition(sme) and not by_id["larger_firm_support"].condition(sme)


def test_a_small_firm_held_by_public_bodies_is_not_told_it_is_above_the_sme_ceilings() -> None:
    public = profile(group=Group(owned_by="public"))
    c = classify(public)
    assert not c.is_sme
    (eurostat,) = [
        x for x in build_advice(public, c).comparisons if x.id == "eurostat_2023_digital_intensity"
    ]
    assert "above the SME ceilings" not in eurostat.text.msgid
