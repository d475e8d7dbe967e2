"""When tips go out: a chat's schedule, the daily/weekly job of each slot, and the run a slot starts."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.broadcast.runs import run_broadcast
from bot.i18n import LANGUAGES, Translator
from bot.storage import PlannedDelivery, Storage, SubscriptionRow
from bot.telegram.services import CHANNEL, App, Context
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


def ensure_slot_job(application: App, schedule: Schedule) -> None:
    """Make sure a daily/weekly job runs the tips of ``schedule``'s slot (one job serves every chat in it)."""
    queue = application.job_queue
    if queue is None:
        log.warning("No job queue: scheduled tips are off (install python-telegram-bot[job-queue])")
        return
    name = f"tips:{schedule.kind}:{schedule.weekday}:{schedule.at}"
    if queue.get_jobs_by_name(name):
        return
    config = application.bot_data.config
    hours, minutes = (int(part) for part in schedule.at.split(":"))
    when = time(hours, minutes, tzinfo=ZoneInfo(config.timezone))
    # PTB counts days from Sunday = 0; our weekdays start with Monday = 0.
    days = tuple(range(7)) if schedule.kind == "daily" else ((schedule.weekday + 1) % 7,)
    queue.run_daily(_tip_slot_job, when, days=days, name=name, data=schedule)


async def _tip_slot_job(context: Context) -> None:
    """Prepare and send this slot's tips."""
    assert context.job is not None
    schedule: Schedule = context.job.data  # type: ignore[assignment]
    config = context.bot_data.config
    day = datetime.now(ZoneInfo(config.timezone)).date().isoformat()
    await start_tip_run(context.application, schedule, day)


def prepare_tip_deliveries(
    storage: Storage, subscriptions: Sequence[SubscriptionRow]
) -> list[PlannedDelivery]:
    """Choose each chat's next unseen tip in its language (private chats: suited to their size class)."""
    deliveries: list[PlannedDelivery] = []
    for subscription in subscriptions:
        chat_id = int(subscription["chat_id"])
        language = subscription["language"] if subscription["language"] in LANGUAGES else "de"
        size_class = storage.latest_size_class(CHANNEL, chat_id) if chat_id > 0 else None
        tip, new_round = next_tip(load_catalogue(language), storage.seen_tips(chat_id), size_class)
        if new_round:
            storage.forget_seen_tips(chat_id)
        deliveries.append(PlannedDelivery(chat_id=chat_id, tip_id=tip.id, language=language))
    return deliveries


async def start_tip_run(application: App, schedule: Schedule, day: str) -> int | None:
    """Start the run of one slot on one day; a second call for the same slot and day does nothing."""
    storage = application.bot_data.storage
    subscriptions = storage.subscriptions_in_slot(schedule.kind, schedule.weekday, schedule.at)
    if not subscriptions:
        return None
    run_key = f"tips:{schedule.kind}:{schedule.weekday}:{schedule.at}:{day}"
    broadcast_id = storage.create_broadcast(
        "tips", prepare_tip_deliveries(storage, subscriptions), run_key=run_key
    )
    if broadcast_id is not None:
        log.info("Tip run %d started for %d chats", broadcast_id, len(subscriptions))
        await run_broadcast(application, broadcast_id)
    return broadcast_id
