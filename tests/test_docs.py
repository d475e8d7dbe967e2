"""The README stays true: every subcommand, setting and bot command is documented there (sqlite-utils style).

A test fails when code adds something an operator or user can call or set and the README does not say so.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.commands import ADMIN_COMMANDS, GROUP_COMMANDS, PRIVATE_COMMANDS, TIP_COMMANDS
from bot.environment import SETTINGS
from run_bot import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def subcommands() -> list[str]:
    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for action in actions for name in action.choices)


def settings_read_by_the_code() -> set[str]:
    """Every environment variable bot/config.py reads (by env.get or a helper taking env and the name)."""
    source = (ROOT / "bot" / "config.py").read_text()
    found = re.findall(r'env\.get\(\s*"([A-Z][A-Z_]+)"|\(env, "([A-Z][A-Z_]+)"', source)
    return {name for pair in found for name in pair if name}


def bot_commands() -> list[str]:
    return sorted({name for name, _ in (*PRIVATE_COMMANDS, *TIP_COMMANDS, *GROUP_COMMANDS, *ADMIN_COMMANDS)})


@pytest.mark.parametrize("name", subcommands())
def test_every_subcommand_is_in_the_readme(name: str) -> None:
    assert re.search(rf"run_bot\.py {name}\b", README), f"`python run_bot.py {name}` is not in README.md"


def test_the_settings_list_matches_what_the_code_reads() -> None:
    assert settings_read_by_the_code() == set(SETTINGS)


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_is_in_the_readmes_table_and_the_env_example(name: str) -> None:
    assert re.search(rf"^\| `{name}`|, `{name}` \|", README, flags=re.MULTILINE), (
        f"{name} is not in README's table"
    )
    assert re.search(rf"^#? ?{name}=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE), name


@pytest.mark.parametrize("name", bot_commands())
def test_every_bot_command_is_in_the_readme(name: str) -> None:
    assert re.search(rf"`/{name}\b", README), f"/{name} is not in README.md"


def test_the_check_example_shows_the_real_schema_version() -> None:
    from bot.storage import Storage
    from bot.storage.db import schema_status

    storage = Storage(":memory:")
    known = len(schema_status(storage.db).known)
    storage.close()
    example = re.search(r"ok    database: .*: schema (\d+)/(\d+)", README)
    assert example is not None, "README shows no `check` output"
    assert example.group(1) == example.group(2) == str(known)


def test_the_documentation_tests_can_fail() -> None:
    assert not re.search(r"run_bot\.py no-such-command\b", README)
    assert not re.search(r"`/no_such_command\b", README)
