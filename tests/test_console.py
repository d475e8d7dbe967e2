"""The terminal channel with piped input, as a new user would try it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.console import console

ROOT = Path(__file__).resolve().parent.parent


# 12 staff with private customers: the online offer is asked after the customers ("4": none)
GERMAN = ["12", "1,5 Mio. €", "g", "a", "a", "1", "1", "1", "2", "2", "15 %", "3", "0,5", "2", "3", "ok"]
ENGLISH = [
    "250",
    "€60M",
    "40 million",
    "none",
    "a",
    "5",
    "2",
    "3",
    "1",
    "1",
    "60",
    "20",
    "10",
    "1",
    "1",
    "ok",
]


def test_german_dialogue_prints_category_steps_and_json(tmp_path: Path) -> None:
    run = console(
        GERMAN, tmp_path, "console", "--lang", "de", "--json", process=True
    )  # the real process once
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "Frage 1 von 15" in run.stdout and "Ihr Unternehmen: kleines Unternehmen" in run.stdout
    assert "Ihr Plan, das Wichtigste zuerst" in run.stdout
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["completed"] and result["category"] == "small" and result["is_sme"]
    assert result["steps"] and all(step["id"] and step["title"] for step in result["steps"])
    assert 0 <= result["score"] <= 100
    assert result["headline"] == "Ihr Unternehmen: kleines Unternehmen" and result["provisional"] is False
    timings = [step["timing"] for step in result["steps"]]
    assert set(timings) <= {"week", "quarter"} and 1 <= timings.count("week") <= 2
    assert timings == sorted(timings, key=["week", "quarter"].index)  # this week first, then this quarter
    for step in result["steps"]:
        assert "Stunde" in step["effort"] and step["cost"] and step["metric"]


def test_json_marks_a_category_with_unadded_partners_as_provisional(tmp_path: Path) -> None:
    # another company holds 25 to 50 %; its figures are not added ("not now")
    lines = ["200", *ENGLISH[1:3], "c", "b", *ENGLISH[4:]]
    run = console(lines, tmp_path, "console", "--lang", "en", "--json")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["provisional"] is True and "(provisional)" in result["headline"]
    assert result["headline"] in run.stdout
    assert all(step["effort"] and step["cost"] and step["timing"] for step in result["steps"])


def test_english_dialogue_medium_by_balance_sheet(tmp_path: Path) -> None:
    # 250 staff is not fewer than 250: above SME even though the balance sheet is small
    # 250 is just over the ceiling of 250: the previous year is asked ("1": above it then too)
    run = console([*ENGLISH[:5], "1", *ENGLISH[5:]], tmp_path, "console", "--lang", "en", "--json")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["category"] == "small_midcap"
    assert "Question 1 of 15" in run.stdout
    run = console(["200", *ENGLISH[1:]], tmp_path, "console", "--lang", "en", "--json")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["category"] == "medium"  # turnover over €50 m, but the balance sheet is within €43 m


def test_back_restart_language_and_bad_input(tmp_path: Path) -> None:
    lines = ["zwölf", "12", "back", "15", "lang en", "2m", "restart", "3", "end of input follows"]
    run = console(lines, tmp_path, "console", "--lang", "de", "--json")
    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert "Bitte geben Sie eine Zahl ein" in run.stdout
    assert "Notiert: 15" in run.stdout
    assert "Question 2 of 15" in run.stdout
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result == {"completed": False, "state": "turnover", "language": "en"}


def test_no_arguments_and_no_token_starts_the_terminal_advisor(tmp_path: Path) -> None:
    run = console(GERMAN, tmp_path)
    assert run.returncode == 0 and "Ihr Plan, das Wichtigste zuerst" in run.stdout  # German first
    run = console([*ENGLISH[:5], "1", *ENGLISH[5:]], tmp_path, lang_env="en_GB.UTF-8")
    assert run.returncode == 0 and "Your plan, most important first" in run.stdout


def test_answers_are_stored_through_the_storage_module(tmp_path: Path) -> None:
    from bot.storage import Storage

    console(GERMAN, tmp_path, "console", "--lang", "de")
    storage = Storage(tmp_path / "console.db")
    assert storage.db.table("results").count == 1
    assert storage.db.table("identities").count == 1
    session = next(iter(storage.db.query("select * from sessions")))
    assert json.loads(session["answers"])["turnover"]["value"] == "1500000"
