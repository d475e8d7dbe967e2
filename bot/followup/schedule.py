"""When follow-through reminders are due: before a deadline, after 30 and 90 days, after 6 and 12 months.

Times are placed in the user's day (the bot's time zone) and kept as UTC in the ledger; a reminder found due at
night (after downtime) waits for the morning.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.storage.retention import months_before
from dialogs.deadlines import Deadline

DEADLINE = "deadline"
CHECKIN = "checkin"
RETEST = "retest"

DEADLINE_LEADS = (14, 2)  # days before a duty's date
CHECKIN_DAYS = (30, 90)
RETEST_MONTHS = (6, 12)

MORNING = time(9, 0)  # deadline reminders
LATE_MORNING = time(10, 0)  # check-ins and re-test invitations
DAY_STARTS = time(8, 0)
DAY_ENDS = time(20, 0)

Planned = tuple[str, str, datetime]  # kind, ref, due moment (UTC)


def at_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


def plan(now: datetime, zone: ZoneInfo, deadlines: Iterable[Deadline]) -> list[Planned]:
    """Every reminder of an opt-in at ``now``: none at or after a deadline, none in the past."""
    today = now.astimezone(zone).date()
    planned: list[Planned] = []
    for deadline in deadlines:
        for lead in DEADLINE_LEADS:
            due = at_local(deadline.on - timedelta(days=lead), MORNING, zone)
            if now < due:
                planned.append((DEADLINE, f"{deadline.id}:{lead}", due))
    planned += [
        (CHECKIN, str(days), at_local(today + timedelta(days=days), LATE_MORNING, zone))
        for days in CHECKIN_DAYS
    ]
    planned += [
        (RETEST, str(months), at_local(months_after(today, months), LATE_MORNING, zone))
        for months in RETEST_MONTHS
    ]
    return planned


def is_daytime(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone).time()
    return DAY_STARTS <= local < DAY_ENDS


def next_morning(moment: datetime, zone: ZoneInfo) -> datetime:
    """The first daytime moment at or after ``moment``."""
    local = moment.astimezone(zone)
    if is_daytime(moment, zone):
        return moment
    day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    return at_local(day, DAY_STARTS, zone)


def deadline_of(ref: str) -> tuple[str, int]:
    """A deadline reminder's duty id and lead days, from its ref ("e_invoice_2027:14")."""
    duty, _, lead = ref.rpartition(":")
    return duty, int(lead) if lead.isdigit() else 0
