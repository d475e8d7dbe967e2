"""The advisor's modules stay small enough to read in one sitting: dialogs/ at most 400 lines each."""

from __future__ import annotations

from pathlib import Path

import pytest

DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"
LIMIT = 400
# The plan's rule table is data and may grow with it.
EXCEPTED = {"plan.py"}


@pytest.mark.parametrize("module", sorted(p.name for p in DIALOGS.glob("*.py") if p.name not in EXCEPTED))
def test_a_dialogs_module_stays_under_the_limit(module: str) -> None:
    lines = (DIALOGS / module).read_text(encoding="utf-8").count("\n")
    assert lines <= LIMIT, f"dialogs/{module}: {lines} lines"
