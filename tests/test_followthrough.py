"""Follow-through figures for operators: /stats, the chart and their own export, each count suppressed below k."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import run_bot
from bot.analytics.followthrough import collect_follow_through, figure_band
from bot.followthrough_export import FORMATS, write_follow_through
from bot.storage import Storage
from tests.support.harness import Harness
from tests.support.harness import add_respondent as add

ADMIN = 5550001
DAY = date(2026, 12, 3)
DUE = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)


def respondent(storage: Storage, user_id: int, *, consent: bool = True, opted: bool | None = None) -> str:
    rid = add(storage, user_id, consent=consent)
    if opted is not None:
        with storage.write():
            storage.followup.decide_followup(rid, opted, DAY)
            if opted:
                storage.followup.plan_reminders(rid, [("checkin", "30", DUE)])
    return rid


def done(storage: Storage, rids: list[str], step: str) -> None:
    with storage.write():
        for rid in rids:
            storage.followup.mark_step(rid, step, True, DAY)


def figures(storage: Storage, rids: list[str], step: str, value: str) -> None:
    with storage.write():
        for rid in rids:
            storage.followup.record_kpi(rid, step, value, DAY)


def retest(storage: Storage, rid: str, first: int, latest: int) -> None:
    """Two results: the first check's score, then the re-test's (the builder's own result comes first)."""
    storage.execute("update results set score = ? where respondent_id = ?", [first, rid])
    answers = storage.sessions.latest_results(rid, limit=1)[0]["answers"]
    storage.sessions.save_result(rid, category="small", score=latest, answers=answers, step_ids=["website"])


def populated(storage: Storage) -> list[str]:
    """Ten consenting respondents (five asked for reminders) and one who refused consent."""
    rids = [respondent(storage, 7000 + i, opted=i < 5) for i in range(10)]
    refusing = respondent(storage, 7999, consent=False, opted=True)
    silent = respondent(storage, 7998)  # got the report, never answered the offer: not counted
    with storage.write():
        storage.followup.note_report_sent(silent, 1)
    done(storage, rids[:5], "local_profile")  # five: shown
    done(storage, [*rids[5:9], refusing], "social_start")  # four who consented: left out
    figures(storage, rids[:5], "local_profile", "42")  # five in 10-99: shown
    figures(storage, rids[5:7], "local_profile", "1500")  # two in 1,000-9,999: left out
    for rid, latest in zip(rids[:5], (53, 45, 40, 55, 60), strict=True):
        retest(storage, rid, 60, latest)  # changes -7, -15, -20, -5, 0: median -7, shown as -5
    retest(storage, refusing, 60, 10)  # not counted: no consent
    return rids


def test_figures_are_counted_and_small_counts_left_out(storage: Storage) -> None:
    populated(storage)
    found = collect_follow_through(storage, k=5)
    assert (found.respondents, found.opted_in, found.opt_in_share) == (10, 5, 50)
    assert found.steps_done == (("local_profile", 5),) and found.steps_suppressed == 1
    assert (found.retests, found.median_score_change) == (5, -5)
    assert found.figure_bands == (("local_profile", "10_99", 5),) and found.figures_suppressed == 1


@pytest.mark.parametrize(
    ("opted", "not_opted", "shown"),
    [(5, 5, True), (5, 4, False), (4, 6, False), (0, 6, True), (6, 0, True), (2, 2, False)],
)
def test_the_opt_in_share_needs_k_on_both_sides(
    storage: Storage, opted: int, not_opted: int, shown: bool
) -> None:
    for i in range(opted + not_opted):
        respondent(storage, 7000 + i, opted=i < opted)
    found = collect_follow_through(storage, k=5)
    assert (found.opted_in == opted) is shown and (found.opted_in is None) is not shown


def test_four_re_tests_give_no_median_and_steps_below_k_are_not_named(storage: Storage) -> None:
    rids = [respondent(storage, 7000 + i) for i in range(6)]
    for rid in rids[:4]:
        retest(storage, rid, 60, 30)
    done(storage, rids[:4], "digital_owner")
    found = collect_follow_through(storage, k=5)
    assert found.median_score_change is None and found.retests == 4
    assert found.steps_done == () and found.steps_suppressed == 1


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "0"),
        (0.5, "0"),
        (1, "1_9"),
        (9.99, "1_9"),
        (10, "10_99"),
        (999, "100_999"),
        (1000, "1000_9999"),
        (10_000, "10000plus"),
        (2.5e9, "10000plus"),
    ],
)
def test_figure_bands(value: float, band: str) -> None:
    assert figure_band(value) == band


def everything_written(fmt: str, data: bytes) -> str:
    if fmt != "xlsx":
        return data.decode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_holds_the_figures_and_no_reminder_date_chat_or_id(storage: Storage, fmt: str) -> None:
    rids = populated(storage)
    out = io.BytesIO()
    assert write_follow_through(storage, out, fmt=fmt) == 5
    written = everything_written(fmt, out.getvalue())
    for expected in ("asked_for_reminders", "step_done", "local_profile", "median_score_change", "10_99"):
        assert expected in written, expected
    for secret in ("social_start", "1000_9999", "1500", "2027-01", DAY.isoformat(), "checkin", *rids):
        assert secret not in written, secret
    assert not any(str(7000 + i) in written for i in range(10))  # Telegram ids
    if fmt == "json":
        document = json.loads(out.getvalue())
        assert (document["suppressed"], document["k"]) == (2, 5)
        assert {
            "figure": "median_score_change",
            "step_id": None,
            "band": None,
            "respondents": 5,
            "value": -5,
        } in (document["figures"])
    if fmt == "csv":
        assert out.getvalue().decode().splitlines()[0] == "figure,step_id,band,respondents,value"
        assert out.getvalue().decode().rstrip().endswith("# figures=5 suppressed=2 k=5")


def test_the_export_from_the_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "bot.db"
    storage = Storage(database)
    populated(storage)
    storage.close()
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    output = tmp_path / "follow.json"
    assert run_bot.main(["export", "--follow-through", "--format", "json", "--output", str(output)]) == 0
    assert len(json.loads(output.read_text())["figures"]) == 5


@pytest.fixture
async def admin_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)})
    async with harness.app:
        yield harness


async def test_stats_show_the_follow_through_in_both_languages(admin_bot: Harness) -> None:
    populated(admin_bot.storage)
    await admin_bot.send("/stats", user=ADMIN)
    german = admin_bot.request.texts(ADMIN)[0]
    for part in (
        "Erinnerungen: 5 von 10, die das Angebot beantwortet haben, sagten ja (50\xa0%)",
        "local_profile: 5",
        "1 Schritte, die jeweils weniger als 5",
        "Median der Veränderung der Punktzahl vom ersten Check bis zum letzten erneuten Check: -5 Punkte (n = 5",
        "local_profile: 10–99: 5",
    ):
        assert part in german, part
    assert "social_start" not in german and "1.000–9.999" not in german
    photos = admin_bot.calls("sendPhoto", ADMIN)
    assert len(photos) == 1 and photos[0]["_files"]["photo"].startswith(b"\x89PNG")
    admin_bot.request.clear()
    await admin_bot.send("/stats", user=ADMIN, language_code="en")
    english = admin_bot.request.texts(ADMIN)[0]
    assert (
        "Reminders: 5 of 10 who answered the offer said yes (50%)" in english
        and "local_profile: 10–99: 5" in english
    )


async def test_stats_before_any_follow_through_say_so(admin_bot: Harness) -> None:
    await admin_bot.send("/stats", user=ADMIN, language_code="en")
    text = admin_bot.request.texts(ADMIN)[0]
    assert "Asked for reminders: not shown (fewer than 5 in a group)" in text
    assert "0 steps marked done by fewer than 5 each" in text and "Re-tests: fewer than 5" in text


@pytest.mark.parametrize("fmt", FORMATS)
async def test_admin_export_of_the_follow_through(admin_bot: Harness, fmt: str) -> None:
    populated(admin_bot.storage)
    await admin_bot.send(f"/export followthrough {fmt}", user=ADMIN)
    [document] = admin_bot.calls("sendDocument", ADMIN)
    assert document["_files"]["document"] and "5 Zahlen zur Umsetzung" in document["caption"]
    written = everything_written(fmt, document["_files"]["document"])
    assert "step_done" in written and "social_start" not in written
    assert str(ADMIN) not in written and "7000" not in written


def test_the_chart_panel_names_only_steps_done_by_k(storage: Storage) -> None:
    from matplotlib.figure import Figure

    from bot.analytics.followthrough import draw_follow_through
    from bot.i18n import Translator

    populated(storage)
    axes = Figure().subplots()
    draw_follow_through(axes, collect_follow_through(storage, k=5), Translator("en"))
    assert [label.get_text() for label in axes.get_yticklabels()] == ["local_profile"]
    assert "Asked for reminders: 50%" in axes.get_xlabel() and "-5" in axes.get_xlabel()
