"""Render the advisor's ``Outcome`` as Telegram messages: notices, the screen with its buttons, the result."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.chart import marketing_split_chart, split_chart_key
from bot.i18n import Translator
from bot.outcome import Outcome
from bot.rendering import HTML, render_question, render_result, render_summary
from bot.telegram.consent import ask_consent
from bot.telegram.keyboards import question_keyboard, result_keyboard, summary_keyboard
from bot.telegram.photos import send_photo
from bot.telegram.receipt_flush import flush_soon
from bot.telegram.send import send_html, show_in_place
from bot.telegram.services import Context
from bot.telegram.share import share_url
from bot.telegram.views import view_html, view_keyboard
from dialogs.brief import View
from dialogs.screens import QuestionScreen, Result, ResultScreen, SummaryScreen
from dialogs.text import msg

log = logging.getLogger(__name__)

TOAST_LIMIT = 200  # characters Telegram shows in a callback query's answer


def notices_html(outcome: Outcome, t: Translator) -> str:
    mark = "⚠️ " if outcome.rejected else "✓ "
    lines = [mark + HTML.escape(t(notice)) for notice in outcome.notices]
    lines += ["⚠️ " + HTML.escape(t(warning)) for warning in outcome.warnings]
    return "\n".join(lines)


async def show(
    context: Context,
    chat_id: int,
    outcome: Outcome,
    prefix: str = "",
    *,
    full_result: bool = False,
    in_place: object = None,
) -> None:
    """Show an outcome: the consent question when it comes first, else the notices and the screen.

    A result is shown in full when it is new (or asked for); otherwise a short note with the result buttons
    stands in for it, so a stray message after the result does not repeat pages of advice. ``in_place`` is
    the message whose button was pressed: a question or the summary replaces it (one Bot API call), the
    notices on top recap the answer just given.
    """
    if outcome.duplicate:
        return
    t = Translator(outcome.language)
    if outcome.needs_consent:
        await ask_consent(context, chat_id, t, prefix)
        return
    note = ""
    if outcome.note is not None:
        note = ("⚠️ " if outcome.warning else "") + HTML.escape(t(outcome.note))
    head = "\n".join(part for part in (note, prefix, notices_html(outcome, t)) if part)
    screen = outcome.screen
    if isinstance(screen, ResultScreen) and (outcome.completed or full_result):
        await show_result(context, chat_id, outcome, screen.result, t, head, in_place)
    elif screen is not None:
        body, keyboard = screen_html(context, outcome, t)
        text = f"{head}\n\n{body}" if head else body
        if in_place is None:
            await send_html(context, chat_id, text, keyboard)
        else:
            await show_in_place(context, chat_id, in_place, text, keyboard)
    context.bot_data.advisor.replied(outcome)
    flush_soon(context.bot_data.advisor)


def screen_html(context: Context, outcome: Outcome, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """A question, the summary, or the short note that stands in for a result shown before."""
    screen = outcome.screen
    if isinstance(screen, QuestionScreen):
        return question_html(screen, t), question_keyboard(screen, t)
    if isinstance(screen, SummaryScreen):
        return render_summary(screen, t, HTML), summary_keyboard(screen, t)
    body = HTML.escape(t(msg("Your result is shown above. What would you like to do next?")))
    return body, result_keyboard(t, share_link(context, outcome, t), show_again=True)


# A question not answered before reads the same for every user: (question, number, total, language) → HTML.
_QUESTION_HTML: dict[tuple[str, int, int, str], str] = {}


def question_html(screen: QuestionScreen, t: Translator) -> str:
    if screen.current is not None:  # "Your answer so far: …" differs per user
        return render_question(screen, t, HTML)
    key = (screen.question_id, screen.number, screen.total, t.language)
    html = _QUESTION_HTML.get(key)
    if html is None:
        html = _QUESTION_HTML[key] = render_question(screen, t, HTML)
    return html


def toast(outcome: Outcome) -> str | None:
    """The pop-up that acknowledges a pressed button ("✓ Noted: 10–49"); answering it is not rate-limited."""
    if outcome.duplicate or not outcome.notices:
        return None
    t = Translator(outcome.language)
    return pop_up(("⚠️ " if outcome.rejected else "✓ ") + t(outcome.notices[0]))


def pop_up(text: str) -> str:
    """``text`` cut to what the pop-up of a callback query's answer shows."""
    return text if len(text) <= TOAST_LIMIT else text[: TOAST_LIMIT - 1] + "…"


async def show_result(
    context: Context,
    chat_id: int,
    outcome: Outcome,
    result: Result,
    t: Translator,
    head: str,
    in_place: object = None,
) -> None:
    """The overview of the result, in place of the summary whose button was pressed (one call), and the chart
    when the result is new and has one; the other parts of the result are behind the overview's buttons.

    A result whose answers are erased right after it (no consent) has nothing stored to show parts of later,
    so it is shown in full at once.
    """
    if outcome.erased:
        await show_full_result(context, chat_id, outcome, result, t, head)
        return
    from bot.followup.service import ResultView  # with the first result, not at the start

    current = ResultView(
        outcome.respondent_id,
        outcome.language,
        result,
        outcome.done,
        outcome.changes,
        outcome.peer,
        outcome.followup,
        None,
        outcome.share_code,
    )
    html = view_html(current, View.OVERVIEW, t, head)
    keyboard = view_keyboard(current, View.OVERVIEW, t, share_link(context, outcome, t))
    if in_place is None:
        await send_html(context, chat_id, html, keyboard)
    else:
        await show_in_place(context, chat_id, in_place, html, keyboard)
    if outcome.completed and result.compares_with_b2b_survey:
        await send_chart(context, chat_id, result, t)


async def show_full_result(
    context: Context, chat_id: int, outcome: Outcome, result: Result, t: Translator, head: str
) -> None:
    # No "typing…" first: the result is ready within milliseconds, and under a crowd the action would only
    # queue for the same rate-limited slots as the result itself.
    blocks = render_result(result, t, HTML, changes=outcome.changes, peer=outcome.peer)
    if head:
        blocks[0] = head + "\n\n" + blocks[0]
    for block in blocks[:-1]:
        await send_html(context, chat_id, block)
    if result.compares_with_b2b_survey:  # the chart sets the company beside a survey of B2B firms
        await send_chart(context, chat_id, result, t)
    keyboard = result_keyboard(t, share_link(context, outcome, t), report=not outcome.erased)
    await send_html(context, chat_id, blocks[-1], keyboard)


async def send_chart(context: Context, chat_id: int, result: Result, t: Translator) -> None:
    """Send the marketing-split chart; it is a bonus, so no failure of it stops the result."""
    try:
        caption = t(msg("Your marketing split beside the 2014 survey figures"))
        key = split_chart_key(result.profile, t.language)
        await send_photo(
            context.bot,
            context.bot_data.sent_photos,
            chat_id,
            key,
            lambda: marketing_split_chart(result.profile, t),
            "marketing-split.png",
            caption,
        )
    except (OSError, ValueError, RuntimeError, TelegramError) as error:
        log.warning("Chart could not be drawn: %s", type(error).__name__)


def share_link(context: Context, outcome: Outcome, t: Translator) -> str | None:
    """A link that shares the bot with a colleague, carrying the respondent's share code."""
    return share_url(context, outcome.share_code, t)
