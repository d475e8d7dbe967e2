"""When tips go out: a chat's schedule, and the tip each chat of a slot gets next."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import LANGUAGES, Translator
from bot.storage import PlannedDelivery, Storage, SubscriptionRow
from bot.tips.catalogue import load_catalogue, next_tip
from dialogs.text import msg

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GERMAN_WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")


@dataclass(frozen=True)
class Schedule:
    kind: str  # daily or weekly
    weekday: int  # 0 = Monday
    at: str  # HH:MM

    def describe(self, t: Translator) -> str:
        if self.kind == "daily":
            return t(msg("daily at {time}", time=self.at))
        day = t(WEEKDAY_NAMES[self.weekday])
        return t(msg("weekly on {weekday} at {time}", weekday=day, time=self.at))


WEEKDAY_NAMES = (
    msg("Monday"),
    msg("Tuesday"),
    msg("Wednesday"),
    msg("Thursday"),
    msg("Friday"),
    msg("Saturday"),
    msg("Sunday"),
)
DEFAULT_SCHEDULE = Schedule("weekly", 0, "09:00")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_schedule(words: Sequence[str]) -> Schedule:
    """Read "weekly mon 09:00", "daily 08:30", "wöchentlich di 9:15", "täglich 7.45"; raises ValueError."""
    words = [word.lower().strip(",") for word in words]
    if not words:
        raise ValueError("empty")
    kind = {"weekly": "weekly", "wöchentlich": "weekly", "daily": "daily", "täglich": "daily"}.get(words[0])
    if kind is None:
        raise ValueError(words[0])
    rest = words[1:]
    weekday = 0
    if kind == "weekly" and rest and not _TIME.match(rest[0]):
        day = rest.pop(0)[:3]
        if day[:3] in WEEKDAYS:
            weekday = WEEKDAYS.index(day[:3])
        elif day[:2] in GERMAN_WEEKDAYS:
            weekday = GERMAN_WEEKDAYS.index(day[:2])
        else:
            raise ValueError(day)
    at = DEFAULT_SCHEDULE.at
    if rest:
        match = _TIME.match(rest.pop(0))
        if match is None:
            raise ValueError("time")
        at = f"{int(match.group(1)):02d}:{match.group(2)}"
    if rest:
        raise ValueError(rest[0])
    return Schedule(kind, weekday if kind == "weekly" else 0, at)


def schedule_of(subscription: SubscriptionRow) -> Schedule:
    kind = subscription["schedule"]
    return Schedule(kind, int(subscription["weekday"] or 0) if kind == "weekly" else 0, subscription["at"])


def prepare_tip_deliveries(
    storage: Storage, subscriptions: Sequence[SubscriptionRow], *, channel: str
) -> list[PlannedDelivery]:
    """Choose each chat's next unseen tip in its language (private chats: suited to their size class)."""
    deliveries: list[PlannedDelivery] = []
    for subscription in subscriptions:
        chat_id = int(subscription["chat_id"])
        language = subscription["language"] if subscription["language"] in LANGUAGES else "de"
        size_class = storage.tips.latest_size_class(channel, chat_id) if chat_id > 0 else None
        tip, new_round = next_tip(load_catalogue(language), storage.tips.seen_tips(chat_id), size_class)
        if new_round:
            storage.tips.forget_seen_tips(chat_id)
        deliveries.append(PlannedDelivery(chat_id=chat_id, tip_id=tip.id, language=language))
    return deliveries
