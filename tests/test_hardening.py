"""Forged input that used to end in a traceback: answered cleanly through the real PTB Application."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.harness import Harness

ADMIN = 5550001


async def test_a_forged_broadcast_button_with_a_huge_id_is_refused_cleanly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)})
    async with bot.app:
        await bot.press("bc|ok|" + "9" * 40, user=ADMIN)
        await bot.press("bc|no|" + "1" * 19, user=ADMIN)
    assert [t for t in bot.texts(ADMIN) if "nicht mehr offen" in t] and len(bot.texts(ADMIN)) == 2
    assert "Traceback" not in caplog.text and "OverflowError" not in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
