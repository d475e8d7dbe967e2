"""A rule's step worded once and reused is the step the rule words itself, for every firm it can meet (and
names the chamber the firm belongs to)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import product

import pytest

from dialogs import plan
from dialogs.group import Group
from dialogs.profile import CompanyProfile

_PROFILE = CompanyProfile(
    staff=Decimal(12),
    turnover=Decimal(1_200_000),
    balance_sheet=None,
    group=Group(),
    website="none",
    social_presence="none",
    online_share=Decimal(0),
    social_share=Decimal(0),
    controlling_share=Decimal(0),
    results_check="no",
    referral="none",
)


@pytest.mark.parametrize("rule", plan.RULES, ids=lambda rule: rule.id)
def test_a_reused_step_is_the_rule_s_own(rule: plan.Rule) -> None:
    for audience, band, trade, b2b in product(plan.Audience, plan.CostBand, plan.Trade, (False, True)):
        for priority, horizon in ((1, plan.Horizon.QUARTER), (4, plan.Horizon.WEEK)):
            own = replace(rule.step(priority, audience, band, trade, b2b), horizon=horizon)
            assert plan._rule_step(rule.id, priority, horizon, audience, band, trade, b2b) == own


@pytest.mark.parametrize("rule", plan.RULES, ids=lambda rule: rule.id)
def test_a_reused_step_names_the_firm_s_own_chamber(rule: plan.Rule) -> None:
    for sector, audience, band, b2b in product(
        ("craft", "retail", "hospitality", "services", "manufacturing", "other"),
        plan.Audience,
        plan.CostBand,
        (False, True),
    ):
        profile = replace(_PROFILE, sector=sector)
        trade = plan.trade_for(profile)
        own = rule.step(3, audience, band, trade, b2b)
        if "chamber" in own.action.args:
            action = plan.Text(own.action.msgid, {**own.action.args, "chamber": plan.chamber_for(profile)})
            own = replace(own, action=action)
        chamber = plan._chamber_kind(sector)
        assert plan._rule_step(rule.id, 3, own.horizon, audience, band, trade, b2b, chamber) == own
