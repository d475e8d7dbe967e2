"""Typed text read against the screen the user sees: "back", a choice named by its label, or an answer.

Both channels hand the advisor the text as typed; this is the one place that turns it into an engine event.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.i18n import Translator
from dialogs.engine import AnswerText, Back, Choose, Event, QuestionScreen, SummaryScreen
from dialogs.text import Text


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


# The offered labels are few and the same for everyone: each is folded once.
_fold_label = lru_cache(maxsize=1024)(_fold)


def match_choice(text: str, labels: dict[str, Text], t: Translator, *, prefix: bool = True) -> str | None:
    """The key of the choice whose label the user typed (ignoring case and punctuation), if exactly one fits."""
    wanted = _fold(text)
    if not wanted:
        return None
    folded = {key: _fold_label(t(label)) for key, label in labels.items()}
    exact = [key for key, label in folded.items() if label == wanted]
    if len(exact) == 1:
        return exact[0]
    if not prefix:
        return None
    starting = [key for key, label in folded.items() if label.startswith(wanted)]
    return starting[0] if len(starting) == 1 else None


# Typed instead of the Back button or /back, in either language.
BACK_WORDS = frozenset({"back", "zurück", "zurueck"})


def event_for_text(text: str, screen: object, t: Translator) -> Event:
    """Typed text as an engine event: "back", a choice when it names one of the offered labels, else an answer.

    On questions that also take typed numbers a label counts only when typed in full, so "10" stays ten,
    not "10 to 49", while "unter 25 %" still picks that answer.
    """
    if _fold(text) in BACK_WORDS and isinstance(screen, QuestionScreen | SummaryScreen):
        return Back()
    if isinstance(screen, QuestionScreen) and screen.choices:
        labels = {choice.key: choice.label for choice in screen.choices}
        key = None
        if not screen.accepts_text:
            key = match_choice(text, labels, t)
        else:
            key = match_choice(text, labels, t, prefix=False)
        if key is not None:
            return Choose(screen.question_id, key)
    return AnswerText(text)
