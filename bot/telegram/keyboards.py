"""Inline keyboards of every screen, with their button data from the codec."""

from __future__ import annotations

from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram import callback_data as data
from dialogs.brief import button_label
from dialogs.engine import QuestionScreen, SummaryScreen
from dialogs.questions import QUESTION_BY_ID
from dialogs.text import msg

ButtonRows = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


@lru_cache(maxsize=256)
def inline_keyboard(rows: ButtonRows) -> InlineKeyboardMarkup:
    """The keyboard of these buttons, built once: the same screen in the same language repeats for every
    user, keyboards are immutable, and building PTB's button objects costs more than the rest of a screen."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=callback) for label, callback in row] for row in rows]
    )


def question_keyboard(screen: QuestionScreen, t: Translator) -> InlineKeyboardMarkup:
    if screen.question_id not in QUESTION_BY_ID:  # a question about one related enterprise
        return _screen_keyboard(screen, t)
    choices = tuple(choice.key for choice in screen.choices)
    return _question_keyboard(screen.question_id, choices, screen.can_go_back, t.language)


@lru_cache(maxsize=256)
def _question_keyboard(
    question_id: str, choices: tuple[str, ...], can_go_back: bool, language: str
) -> InlineKeyboardMarkup:
    """A question's buttons depend only on the question, its choices and the language: built once each."""
    t = Translator(language)
    question = QUESTION_BY_ID[question_id]
    labels = [t(choice.label) for key in choices if (choice := question.choice(key)) is not None]
    short = all(len(label) <= 14 for label in labels)
    rows: list[tuple[tuple[str, str], ...]] = []
    row: list[tuple[str, str]] = []
    for key, label in zip(choices, labels, strict=True):
        row.append((label, data.choose(question_id, key)))
        if not short or len(row) == 2:
            rows.append(tuple(row))
            row = []
    if row:
        rows.append(tuple(row))
    if can_go_back:
        rows.append(((t(msg("◀ Back")), data.back(question_id)),))
    return inline_keyboard(tuple(rows))


def _screen_keyboard(screen: QuestionScreen, t: Translator) -> InlineKeyboardMarkup:
    """One button a row from the screen's own choices; "back" is offered in the ownership question's state."""
    rows = [((t(c.label), data.choose(screen.question_id, c.key)),) for c in screen.choices]
    rows.append(((t(msg("◀ Back")), data.back(screen.question_id.partition(":")[0])),))
    return inline_keyboard(tuple(rows))


SHORT_BUTTON = 16  # characters two buttons side by side show in full on a phone


def summary_keyboard(screen: SummaryScreen, t: Translator) -> InlineKeyboardMarkup:
    """ "Show my result", one short edit button per answer (two side by side where both are short), "Back"."""
    rows: list[tuple[tuple[str, str], ...]] = [((t(msg("✅ Show my result")), data.confirm()),)]
    pending: tuple[str, str] | None = None
    for item in screen.items:
        button = ("✏️ " + t(button_label(item.question_id, item.label)), data.edit(item.question_id))
        if len(button[0]) > SHORT_BUTTON:
            if pending is not None:
                rows.append((pending,))
                pending = None
            rows.append((button,))
        elif pending is None:
            pending = button
        else:
            rows.append((pending, button))
            pending = None
    if pending is not None:
        rows.append((pending,))
    rows.append(((t(msg("◀ Back")), data.back("summary")),))
    return inline_keyboard(tuple(rows))


def result_keyboard(
    t: Translator, share_url: str | None, *, show_again: bool = False, report: bool = True
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(t(msg("🔁 Start again")), callback_data=data.restart()),
            InlineKeyboardButton(t(msg("✏️ Change answers")), callback_data=data.back("result")),
        ]
    ]
    if report:  # not when the answers are deleted right after the result (no consent): nothing to report
        rows.insert(
            0,
            [
                InlineKeyboardButton(t(msg("📄 Report (PDF)")), callback_data=data.report()),
                InlineKeyboardButton(
                    t(msg("📋 SME declaration worksheet")), callback_data=data.declaration()
                ),
            ],
        )
    if show_again:
        rows.insert(
            0, [InlineKeyboardButton(t(msg("📋 Show my result again")), callback_data=data.show_result())]
        )
    if share_url:
        rows.append([InlineKeyboardButton(t(msg("📨 Share with a colleague")), url=share_url)])
    rows.append([InlineKeyboardButton(t(msg("💡 Send me tips")), callback_data=data.tips_on())])
    return InlineKeyboardMarkup(rows)


def consent_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(msg("Yes, use them for statistics")), callback_data=data.consent(True))],
            [InlineKeyboardButton(t(msg("No, thanks")), callback_data=data.consent(False))],
        ]
    )


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🇩🇪 Deutsch", callback_data=data.language("de")),
                InlineKeyboardButton("🇬🇧 English", callback_data=data.language("en")),
            ]
        ]
    )


def delete_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(msg("Yes, delete everything")), callback_data=data.delete(True)),
                InlineKeyboardButton(t(msg("Cancel")), callback_data=data.delete(False)),
            ]
        ]
    )


def privacy_consent_keyboard(t: Translator, consent: bool | None) -> InlineKeyboardMarkup:
    """The one button the privacy notice offers: withdraw a given consent, or give it."""
    if consent:
        button = InlineKeyboardButton(t(msg("Withdraw consent")), callback_data=data.privacy_consent(False))
    else:
        button = InlineKeyboardButton(t(msg("Give consent")), callback_data=data.privacy_consent(True))
    return InlineKeyboardMarkup([[button]])
