"""Number formatting in the reader's language: the shortcut for small integers writes what babel writes."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal

from bot import i18n
from bot.i18n import LANGUAGES, format_integer


@pytest.mark.parametrize("language", LANGUAGES)
def test_integers_read_as_babel_writes_them(language: str) -> None:
    format_integer.cache_clear()
    for value in (*range(-1200, 1200), 9_999, 12_345, 1_500_000, -2_000_000):
        assert format_integer(value, language) == format_decimal(value, locale=language), value


def test_small_integers_do_not_ask_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    """babel would load the language's locale data for them, at every start (the menus) and first update."""

    def babel(*args: object, **kwargs: object) -> str:
        raise AssertionError("babel asked")

    monkeypatch.setattr(i18n, "format_decimal", babel)
    format_integer.cache_clear()
    try:
        assert [format_integer(n, "de") for n in (3, 15, -7, 999)] == ["3", "15", "-7", "999"]
        with pytest.raises(AssertionError, match="babel asked"):
            format_integer(1000, "de")
    finally:
        format_integer.cache_clear()
