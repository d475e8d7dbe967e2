"""What passes between a channel and the advisor: who writes, the events, and the outcome to render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dialogs.events import Event
from dialogs.screens import Result, ResultScreen, Screen
from dialogs.sections import Changes
from dialogs.text import Text

if TYPE_CHECKING:
    from bot.storage.followup import FollowupRow


@dataclass(frozen=True)
class Respondent:
    """Who is writing, as a channel knows them."""

    channel: str
    user_id: str | int
    language_code: str | None = None


@dataclass(frozen=True)
class Begin:
    """The user opens (or reopens) the conversation, perhaps through someone's share code."""

    referral_code: str = ""


@dataclass(frozen=True)
class Typed:
    """Typed text, read against the screen the user sees."""

    text: str


@dataclass(frozen=True)
class GiveConsent:
    """The answer to "may I also use your answers for statistics?"."""

    consent: bool


@dataclass(frozen=True)
class Pressed:
    """A button's event; valid only in the state it was offered in (``None``: in any state)."""

    event: Event
    offered_in: str | None = None


@dataclass(frozen=True)
class ChangeConsent:
    """Give or withdraw consent later (from the privacy notice), whatever was decided before."""

    consent: bool


AdvisorEvent = Event | Begin | Typed | GiveConsent | ChangeConsent | Pressed


@dataclass(frozen=True)
class Outcome:
    """Everything a channel shows after an event, as plain data."""

    respondent_id: str
    language: str
    state: str
    screen: Screen | None = (
        None  # None: nothing of the dialogue to show (consent first, or a repeated update)
    )
    notices: tuple[Text, ...] = ()
    warnings: tuple[Text, ...] = ()  # an earlier answer no longer fits; said apart from the notices
    rejected: bool = False  # the notices explain why an answer was refused
    completed: bool = False  # the screen is a fresh result
    erased: bool = False  # the answers went with this result (consent refused): nothing to report
    note: Text | None = None  # the advisor's own word before the notices (welcome back, thanks, …)
    warning: bool = False  # the note warns
    needs_consent: bool = False
    stale: bool = False  # the button belonged to an earlier state
    duplicate: bool = False  # the update was handled before; show nothing
    changes: Changes | None = None  # a second result: what changed (``dialogs.sections`` shows it)
    peer: Text | None = None  # the peer benchmark's line, when enough companies compare
    share_code: str | None = None
    reply_token: int = 0  # names the reply in its delivery receipt
    # A result's steps marked done and the reminders' opt-in, read in the update's transaction for the view.
    done: frozenset[str] = frozenset()
    followup: FollowupRow | None = None

    @property
    def result(self) -> Result | None:
        return self.screen.result if isinstance(self.screen, ResultScreen) else None


@dataclass(frozen=True)
class ReportSubject:
    """What a report is made of: the result the respondent sees, in their language, and when it was stored."""

    result: Result
    language: str
    stored_at: datetime | None  # None: the result was not stored
