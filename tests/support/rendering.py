"""The check's chart-and-PDF line drawn once per worker, for the tests of ``check`` that are not about it."""

from __future__ import annotations

import pytest

import bot.healthcheck
from bot.healthcheck import Check, check_rendering

_RENDERED: list[Check] = []


def render_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``check`` reuse the first real chart-and-PDF line of this worker: drawing takes about half a second,
    and the tests about the drawing itself (named ``*report*`` or ``*chart*`` in test_check) draw their own."""

    def rendered_once() -> Check:
        if not _RENDERED:
            _RENDERED.append(check_rendering())
        return _RENDERED[0]

    monkeypatch.setattr(bot.healthcheck, "check_rendering", rendered_once)
