"""The buttons under the result's views: the same for every state of the reminders, built once per language."""

from __future__ import annotations

import pytest

from bot.followup.service import ResultView
from bot.i18n import Translator
from bot.storage import FollowupRow
from bot.telegram.views import view_keyboard
from dialogs.brief import View
from dialogs.engine import evaluate
from tests.support.harness import answers

RESULT = evaluate(answers())
SHARE = "https://t.me/share/url?url=https%3A%2F%2Ft.me%2FKmuBot%3Fstart%3Dref_abc"


def current(opted_in: int | None, *, followup: bool = True, done: frozenset[str] = frozenset()) -> ResultView:
    row = FollowupRow(opted_in=opted_in) if followup else None  # type: ignore[typeddict-item]
    return ResultView("r1", "de", RESULT, done, None, None, row, None)


def buttons(markup: object) -> list[str]:
    rows = markup.inline_keyboard  # type: ignore[attr-defined]
    return [button.callback_data or f"url:{button.url}" for row in rows for button in row]


@pytest.mark.parametrize(
    ("opted_in", "followup", "reminder"),
    [(None, False, "fu|offer"), (None, True, "fu|offer"), (1, True, "fu|list"), (0, True, None)],
)
def test_the_reminder_button_follows_the_users_choice(
    opted_in: int | None, followup: bool, reminder: str | None
) -> None:
    shown = buttons(
        view_keyboard(current(opted_in, followup=followup), View.OVERVIEW, Translator("de"), SHARE)
    )
    assert [b for b in shown if b.startswith("fu|")] == ([reminder] if reminder else [])
    assert shown[-2:] == [f"url:{SHARE}", "tips|on"]  # the share link, then tips, always last


def test_each_view_offers_the_others_and_the_plan_its_steps() -> None:
    t = Translator("en")
    overview = buttons(view_keyboard(current(None), View.OVERVIEW, t, None))
    plan = buttons(
        view_keyboard(current(None, done=frozenset({RESULT.advice.steps[0].id})), View.PLAN, t, None)
    )
    assert "rv|home" not in overview and {"rv|plan", "rv|size", "rv|cmp"} <= set(overview)
    steps = [b for b in plan if b.startswith("st|")]
    assert len(steps) == len(RESULT.advice.steps) and plan.index("rv|home") > len(steps) - 1
    assert "rv|plan" not in plan
    marks = [
        button.text
        for row in view_keyboard(current(None), View.PLAN, t, None).inline_keyboard
        for button in row
    ]
    assert marks[0].startswith("☐")


def test_the_buttons_speak_the_users_language_and_another_user_gets_their_own_link() -> None:
    german = view_keyboard(current(None), View.OVERVIEW, Translator("de"), SHARE + "1")
    english = view_keyboard(current(None), View.OVERVIEW, Translator("en"), SHARE + "2")
    texts = {button.text for row in german.inline_keyboard for button in row}
    assert "🔁 Neu beginnen" in texts
    assert {button.text for row in english.inline_keyboard for button in row} & {"🔁 Start again"}
    assert f"url:{SHARE}1" in buttons(german) and f"url:{SHARE}2" in buttons(english)
