"""Texts as plain data: ``msg`` and ``nmsg`` build the very ``Text`` the dataclass would."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

from dialogs.text import Money, Text, msg, nmsg


def test_msg_builds_the_dataclass_s_own_text() -> None:
    built = msg("Noted: {answer}", answer=Money(Decimal(5)))
    assert built == Text("Noted: {answer}", {"answer": Money(Decimal(5))})
    assert msg("Website") == Text("Website")


def test_nmsg_builds_the_dataclass_s_own_text() -> None:
    built = nmsg("{n} day left", "{n} days left", 3, extra="x")
    assert built == Text("{n} day left", {"n": 3, "extra": "x"}, plural="{n} days left", n=3)


def test_a_built_text_holds_every_field_of_the_dataclass() -> None:
    # ``msg`` fills the fields in directly: a field added to ``Text`` must be filled there too
    for text in (msg("a", b=1), nmsg("a", "b", 2)):
        assert list(vars(text)) == [f.name for f in fields(Text)]
        assert repr(text) == repr(Text(text.msgid, dict(text.args), plural=text.plural, n=text.n))
