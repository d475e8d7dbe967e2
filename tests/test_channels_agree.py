"""One company through every channel: Telegram, the console (text and --json) and the PDF show the same legal
duties with the same verdicts and dates, and the same plan."""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date

import pytest
from pypdf import PdfReader

from bot.followup.service import ResultView
from bot.i18n import Translator
from bot.report import build_report
from bot.storage import Storage
from bot.telegram.views import view_html
from dialogs.brief import View
from dialogs.duties import DutyStatus
from dialogs.engine import evaluate
from dialogs.screens import Result
from dialogs.sections import duty_line
from tests.support.console import console

# 8 staff, €5 million turnover, balance sheet unknown, a machinery maker selling to businesses and consumers
# with a web shop: e-invoicing applies (and is due within weeks), accessibility depends on the balance sheet,
# NIS2 does not apply to a firm of this size.
# customers "5": both, private customers also online (a web shop)
LINES = ["8", "€5 million", "g", "a", "a", "5", "5", "1", "1", "1", "60", "20", "10", "1", "1", "ok"]


def folded(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


@dataclass(frozen=True)
class Channels:
    result: Result
    console_text: str
    console_json: dict[str, object]
    telegram: str
    pdf: str


@pytest.fixture(scope="module")
def channels(tmp_path_factory: pytest.TempPathFactory) -> Channels:
    tmp = tmp_path_factory.mktemp("channels")
    run = console(LINES, tmp, "console", "--lang", "en", "--json")
    assert run.returncode == 0, run.stderr
    *text, last = run.stdout.strip().splitlines()
    answers = json.loads(
        next(iter(Storage(tmp / "console.db").db.query("select answers from sessions")))["answers"]
    )
    # the answers the console stored, evaluated as every channel does it (today, like the console)
    result = evaluate(answers)
    t = Translator("en")
    current = ResultView("r", "en", result, frozenset(), None, None, None, None)
    telegram = " ".join(
        html.unescape(re.sub(r"<[^>]+>", "", view_html(current, which, t)))
        for which in (View.OVERVIEW, View.PLAN, View.SIZE_CLASS)
    )
    reader = PdfReader(io.BytesIO(build_report(result, "en", date.today())))
    pdf = " ".join(page.extract_text() for page in reader.pages)
    return Channels(result, folded("\n".join(text)), json.loads(last), folded(telegram), folded(pdf))


def test_the_profile_covers_every_kind_of_verdict(channels: Channels) -> None:
    statuses = {v.status for v in channels.result.advice.duties}
    assert statuses == {DutyStatus.APPLIES, DutyStatus.DOES_NOT_APPLY, DutyStatus.DEPENDS}
    assert any(v.due_soon for v in channels.result.advice.duties)


def test_every_channel_shows_each_duty_with_the_same_verdict_and_date(channels: Channels) -> None:
    t = Translator("en")
    duties = channels.result.advice.duties
    for verdict in duties:
        line = folded(t(duty_line(verdict)))
        for name in ("console_text", "telegram", "pdf"):
            assert line in getattr(channels, name), (name, line)
    assert channels.console_json["duties"] == [
        {
            "id": v.duty_id,
            "title": t(v.title),
            "status": v.status.value,
            "starts_on": None if v.starts_on is None else v.starts_on.isoformat(),
            "depends_on": None if v.depends_on is None else t(v.depends_on),
            "verdict": t(v.verdict),
        }
        for v in duties
    ]


def test_every_channel_shows_the_same_plan_with_the_duty_due_soon_first(channels: Channels) -> None:
    t = Translator("en")
    steps = channels.result.advice.steps
    titles = [folded(t(step.title)) for step in steps]
    assert "1 January 2027" in " ".join(titles[:2])  # the e-invoicing duty, named with its date
    for name in ("console_text", "telegram", "pdf"):
        text = getattr(channels, name)
        positions = [text.find(title) for title in titles]
        assert -1 not in positions, (name, titles)
    json_steps = channels.console_json["steps"]
    assert isinstance(json_steps, list)
    assert [folded(step["title"]) for step in json_steps] == titles
