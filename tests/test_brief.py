"""The short overview of a result: this week's steps in the plan's order, legal duties first."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date

import pytest

from bot.i18n import Translator
from dialogs.brief import overview, week_steps
from dialogs.engine import Result, evaluate
from dialogs.plan import Horizon, Step
from dialogs.sections import Style
from tests.support.harness import answers

B2B = answers(customers={"value": "both", "band": None})


def step_titles(result: Result) -> list[str]:
    t = Translator("en")
    return [t(line.text) for line in overview(result).lines if line.style is Style.STEP]


def test_the_overview_shows_this_weeks_steps_in_the_plans_order() -> None:
    result = evaluate(B2B)
    week = [step for step in result.advice.steps if step.horizon is Horizon.WEEK]
    assert week and week_steps(result) == tuple(week)
    t = Translator("en")
    assert step_titles(result) == [f"{step.priority}. {t(step.title)}" for step in week]
    # The plan's order decides, whatever it is: reversed, the overview follows it (no order of its own).
    backwards = dataclasses.replace(
        result, advice=dataclasses.replace(result.advice, steps=tuple(reversed(result.advice.steps)))
    )
    assert step_titles(backwards) == [
        f"{step.priority}. {t(step.title)}"
        for step in reversed(result.advice.steps)
        if step.horizon is Horizon.WEEK
    ]


_MARKS_DUTIES = "duty_id" in {field.name for field in dataclasses.fields(Step)}
_DATED = "as_of" in inspect.signature(evaluate).parameters


@pytest.mark.skipif(not (_MARKS_DUTIES and _DATED), reason="the plan does not mark legal duties as steps yet")
def test_a_duty_due_soon_comes_first_in_the_overview() -> None:
    # E-invoices to business customers from 1 January 2027 (turnover above the limit): due within a month.
    result = evaluate(B2B, as_of=date(2026, 12, 3))  # type: ignore[call-arg,unused-ignore]
    week = week_steps(result)
    duties = [step for step in week if getattr(step, "duty_id", None)]
    assert duties, "a duty due within a month belongs in this week's steps"
    assert week[: len(duties)] == tuple(duties), "legal duties come before the other steps"
    assert step_titles(result)[0].startswith(f"{duties[0].priority}. ")
