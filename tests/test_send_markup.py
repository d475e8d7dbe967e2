"""Keyboards as the Bot API takes them: the JSON ``markup_json`` builds from cached buttons is PTB's own."""

from __future__ import annotations

import json
import sys

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.send import markup_json

KEYBOARDS = {
    "one button": [[InlineKeyboardButton("Ja", callback_data="c|1")]],
    "rows of buttons": [
        [
            InlineKeyboardButton("◀ Übersicht", callback_data="v|overview"),
            InlineKeyboardButton("x", callback_data="y"),
        ],
        [InlineKeyboardButton('Say "hi" \\ <b>', callback_data="q|1|a")],
    ],
    "a link": [
        [
            InlineKeyboardButton(
                "📨 Teilen", url="https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fbot&text=a+b"
            )
        ]
    ],
    "an empty row": [[], [InlineKeyboardButton("a", callback_data="a")]],
    "a link with more than its address": [
        [InlineKeyboardButton("a", url="https://example.org/1", api_kwargs={"style": "primary"})]
    ],
}


@pytest.mark.parametrize("rows", KEYBOARDS.values(), ids=KEYBOARDS.keys())
def test_a_keyboard_serializes_as_ptb_does(rows: list[list[InlineKeyboardButton]]) -> None:
    markup = InlineKeyboardMarkup(rows)
    assert json.loads(markup_json(markup)) == markup.to_dict()


def test_keyboards_that_share_buttons_keep_their_own_buttons() -> None:
    shared = InlineKeyboardButton("Tipps", callback_data="tips")
    first = InlineKeyboardMarkup([[InlineKeyboardButton("a", url="https://example.org/1")], [shared]])
    second = InlineKeyboardMarkup([[InlineKeyboardButton("a", url="https://example.org/2")], [shared]])
    assert json.loads(markup_json(first)) == first.to_dict()
    assert json.loads(markup_json(second)) == second.to_dict()


def test_a_keyboard_with_a_users_link_is_not_kept_but_a_shared_one_is() -> None:
    """A share link is made for one user: keeping its keyboard would hold every result's keyboard for nothing."""
    shared = InlineKeyboardMarkup([[InlineKeyboardButton("Tipps", callback_data="tips")]])
    link = InlineKeyboardButton("Teilen", url="https://t.me/share/url?url=x")
    personal = InlineKeyboardMarkup([[link], [shared.inline_keyboard[0][0]]])
    before = sys.getrefcount(shared), sys.getrefcount(personal), sys.getrefcount(link)
    markup_json(shared)
    markup_json(personal)
    assert sys.getrefcount(shared) == before[0] + 1  # kept: the screens' keyboards come again
    assert (sys.getrefcount(personal), sys.getrefcount(link)) == before[1:]  # not kept


def test_a_row_shared_by_keyboards_is_written_once_and_a_row_with_a_link_is_not_kept() -> None:
    shared = (
        InlineKeyboardButton("Plan", callback_data="v|plan"),
        InlineKeyboardButton("Tipps", callback_data="t"),
    )
    link = (InlineKeyboardButton("Teilen", url="https://t.me/share/url?url=x"),)
    first, second = InlineKeyboardMarkup([shared, link]), InlineKeyboardMarkup([shared])
    assert first.inline_keyboard[0] is shared  # PTB keeps a tuple row as it is
    before = sys.getrefcount(shared), sys.getrefcount(link)
    assert json.loads(markup_json(first)) == first.to_dict()
    assert json.loads(markup_json(second)) == second.to_dict()
    assert sys.getrefcount(shared) == before[0] + 1  # kept once, found again for the second keyboard
    assert sys.getrefcount(link) == before[1]
