"""``.env`` in the working directory: fills in, never overrides; quotes mean the same as in Docker and systemd."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.environment import SETTINGS, load_environment, unquote
from tests.support.cli import run_cli
from tests.support.rendering import render_once

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token-for-env-tests-only-0000"


def test_env_fills_in_what_is_not_set_and_never_overrides(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=DEBUG\n# a comment\nADMIN_IDS=1,2\n"
    )
    environ = {"LOG_LEVEL": "WARNING"}
    assert load_environment(tmp_path, environ) == tmp_path / ".env"
    assert environ == {"LOG_LEVEL": "WARNING", "TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "1,2"}


def test_no_env_file_changes_nothing(tmp_path: Path) -> None:
    environ = {"LOG_LEVEL": "INFO"}
    assert load_environment(tmp_path, environ) is None
    assert environ == {"LOG_LEVEL": "INFO"}


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"Muster GmbH, Berlin"', "Muster GmbH, Berlin"),
        ("'Muster GmbH, Berlin'", "Muster GmbH, Berlin"),
        ("Muster GmbH, Berlin", "Muster GmbH, Berlin"),
        ('"a "quoted" word"', 'a "quoted" word'),
        ('"', '"'),
    ],
)
def test_quotes_mean_the_same_as_in_docker_and_systemd(written: str, value: str) -> None:
    # Docker's --env-file hands the line's value over as written, quotes included:
    assert unquote(written) == value
    environ = {"PRIVACY_CONTACT": written}
    load_environment(Path("/nonexistent"), environ)
    assert environ["PRIVACY_CONTACT"] == value


def test_quotes_in_a_dotenv_file_are_read_like_docker_reads_them(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text('PRIVACY_CONTACT="Muster GmbH, Hauptstr. 1, Berlin"\n')
    environ: dict[str, str] = {}
    load_environment(tmp_path, environ)
    assert environ["PRIVACY_CONTACT"] == "Muster GmbH, Hauptstr. 1, Berlin"


def test_env_example_lists_every_setting_the_readme_names() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", example, flags=re.MULTILINE))
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## How the digital-gap score")]
    in_readme = set(re.findall(r"^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?", table, flags=re.MULTILINE))
    named = {name for pair in in_readme for name in pair if name}
    assert named == set(SETTINGS), "README table and bot.environment.SETTINGS differ"
    assert named <= listed, sorted(named - listed)


def test_check_reads_the_token_from_env_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_once(monkeypatch)  # the configuration and privacy lines are the point here, not the drawing
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nPRIVACY_CONTACT='Muster GmbH'\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "PRIVACY_"))}
    result = run_cli("check", "--offline", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok    configuration: token set" in result.stdout
    assert "ok    privacy: PRIVACY_CONTACT set" in result.stdout


@pytest.mark.parametrize(
    ("setting", "code", "expected"),
    [
        (None, "fr", "en"),
        ("de", "fr", "de"),
        ("de", None, "de"),
        ("de", "en-GB", "en"),
        ("en", "de-AT", "de"),
    ],
)
async def test_default_language_is_for_users_speaking_neither_german_nor_english(
    tmp_path: Path, setting: str | None, code: str | None, expected: str
) -> None:
    from tests.support.harness import Harness

    bot = Harness(tmp_path / "bot.db", env={"DEFAULT_LANGUAGE": setting} if setting else {})
    async with bot.app:
        await bot.send("/start", language_code=code)
        text = bot.last_text()
    assert ("Datenschutz" in text) is (expected == "de"), text[:200]


def test_default_language_must_be_de_or_en() -> None:
    from bot.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="DEFAULT_LANGUAGE must be de or en, got 'fr'"):
        load_config({"DEFAULT_LANGUAGE": "fr"})
    assert load_config({"DEFAULT_LANGUAGE": " DE "}).default_language == "de"
