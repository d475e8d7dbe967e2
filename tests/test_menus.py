"""Menus and descriptions go to Telegram only when they changed; an admin's menu comes with the admin's /start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bot.telegram.menus as menus
from bot.telegram.app import _post_init
from tests.support.harness import Harness

ADMIN = 424242
MENU_CALLS = ("setMyCommands", "setMyDescription", "setMyShortDescription")


def menu_calls(bot: Harness) -> list[str]:
    return [name for name, _ in bot.request.calls if name in MENU_CALLS]


async def test_a_restart_with_unchanged_menus_sends_none_of_them(tmp_path: Path) -> None:
    first = Harness(tmp_path / "bot.db")
    async with first.app:
        await _post_init(first.app)
    assert len(menu_calls(first)) == 12  # 2 menus and 2 descriptions in 3 languages
    again = Harness(tmp_path / "bot.db")
    async with again.app:
        await _post_init(again.app)
    assert menu_calls(again) == []


async def test_changed_texts_or_admins_are_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Harness(tmp_path / "bot.db")
    async with first.app:
        await _post_init(first.app)
    with_admin = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)})
    async with with_admin.app:
        await _post_init(with_admin.app)
    assert len(menu_calls(with_admin)) == 12 + 3  # and the admin's own menu in 3 languages
    monkeypatch.setattr(menus, "descriptions", lambda language: ("Neu", "Neu kurz"))
    changed = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)})
    async with changed.app:
        await _post_init(changed.app)
    assert len(menu_calls(changed)) == 15


async def test_a_refused_menu_is_sent_again_at_the_next_start(tmp_path: Path) -> None:
    first = Harness(tmp_path / "bot.db")
    first.request.refuse("setMyDescription", "Bad Request: method not available")
    async with first.app:
        await _post_init(first.app)
    again = Harness(tmp_path / "bot.db")
    async with again.app:
        await _post_init(again.app)
    assert len(menu_calls(again)) == 12


async def test_the_admins_menu_appears_at_the_admins_first_start(tmp_path: Path) -> None:
    bot = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)})
    async with bot.app:
        await bot.send("/start", user=ADMIN)
        admin_menus = [
            p
            for name, p in bot.request.calls
            if name == "setMyCommands" and str(ADMIN) in json.dumps(p["scope"])
        ]
        assert {p.get("language_code") for p in admin_menus} == {None, "de", "en"}
        assert "export" in json.dumps(admin_menus[0]["commands"])
        bot.request.clear()
        await bot.send("/start", user=ADMIN)  # once per process is enough
        assert "setMyCommands" not in [name for name, _ in bot.request.calls]
        await bot.send("/start", user=7)  # not an admin: no menu of its own
        assert "setMyCommands" not in [name for name, _ in bot.request.calls]
