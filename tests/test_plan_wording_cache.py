"""A rule's step worded once and reused is the step the rule words itself, for every firm it can meet."""

from __future__ import annotations

from dataclasses import replace
from itertools import product

import pytest

from dialogs import plan


@pytest.mark.parametrize("rule", plan.RULES, ids=lambda rule: rule.id)
def test_a_reused_step_is_the_rule_s_own(rule: plan.Rule) -> None:
    for audience, band, trade, b2b in product(plan.Audience, plan.CostBand, plan.Trade, (False, True)):
        for priority, horizon in ((1, plan.Horizon.QUARTER), (4, plan.Horizon.WEEK)):
            own = replace(rule.step(priority, audience, band, trade, b2b), horizon=horizon)
            assert plan._rule_step(rule.id, priority, horizon, audience, band, trade, b2b) == own
