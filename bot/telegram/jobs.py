"""The jobs the bot runs on a timer: delivery receipts, checkpoints, retention, tip slots and orphaned
broadcast runs."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.retention_run import retention_off_loop
from bot.storage import checkpoints
from bot.telegram.broadcast_runs import lease_of, resume_runs, run_broadcast
from bot.telegram.services import CHANNEL, App, Context
from bot.tips.schedule import Schedule, prepare_tip_deliveries

log = logging.getLogger(__name__)


def schedule_jobs(application: App, config: Config) -> None:
    """Register the repeating jobs of the application (none without a job queue)."""
    if application.job_queue is None:
        return
    application.job_queue.run_repeating(receipts_job, RECEIPTS_INTERVAL, name="receipts")
    storage = application.bot_data.storage
    if storage.checkpoints_off_loop:
        storage.leave_checkpoints_to_worker()
        application.job_queue.run_repeating(checkpoint_job, checkpoints.INTERVAL, name="checkpoint")
    application.job_queue.run_daily(
        retention_job, time=RETENTION_TIME.replace(tzinfo=ZoneInfo(config.timezone)), name="retention"
    )


def schedule_tip_slots(application: App) -> None:
    """One job per tip slot that any chat subscribed to (made at start; new slots get theirs when chosen)."""
    for kind, weekday, at in application.bot_data.storage.tips.tip_slots():
        ensure_slot_job(application, Schedule(kind, weekday, at))


RECEIPTS_INTERVAL = 60  # seconds between writes of the delivery receipts held in memory


async def receipts_job(context: Context) -> None:
    """Write the delivery receipts of replies that went out, for users who have not written since."""
    context.bot_data.advisor.flush_receipts()


async def checkpoint_job(context: Context) -> None:
    """Copy the write-ahead log into the database file in a worker thread, so that no update's commit does."""
    try:
        await asyncio.to_thread(context.bot_data.storage.checkpoint)
    except sqlite3.Error as error:  # the next run tries again; past the backstop the commits checkpoint
        log.warning("Checkpoint failed: %s", type(error).__name__)


RETENTION_TIME = time(3, 30)  # daily, in the configured time zone, when hardly anyone writes


async def retention_job(context: Context) -> None:
    """Remove what the retention rules say is due; logs counts only, never an id."""
    services = context.bot_data
    # Off the event loop, in short transactions: the bot keeps answering during a long pass.
    counts = await retention_off_loop(services.storage, services.config.retention_months)
    log.info("Retention: %s", ", ".join(f"{name} {n}" for name, n in counts.items()))


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


async def start_tip_run(application: App, schedule: Schedule, day: str) -> int | None:
    """Start the run of one slot on one day; a second call for the same slot and day does nothing."""
    storage = application.bot_data.storage
    subscriptions = storage.tips.subscriptions_in_slot(schedule.kind, schedule.weekday, schedule.at)
    if not subscriptions:
        return None
    run_key = f"tips:{schedule.kind}:{schedule.weekday}:{schedule.at}:{day}"
    broadcast_id = storage.broadcasts.create_broadcast(
        "tips", prepare_tip_deliveries(storage, subscriptions, channel=CHANNEL), run_key=run_key
    )
    if broadcast_id is not None:
        log.info("Tip run %d started for %d chats", broadcast_id, len(subscriptions))
        await run_broadcast(application, broadcast_id)
    return broadcast_id


def watch_orphaned_runs(application: App) -> None:
    """Check for runs without a live sender every heartbeat, so a dead instance's runs are taken over."""
    queue = application.job_queue
    if queue is None:
        return
    interval = lease_of(application).heartbeat
    queue.run_repeating(_adopt_runs_job, interval=interval, first=interval, name="broadcasts:adopt")


async def _adopt_runs_job(context: Context) -> None:
    await resume_runs(context.application)
