"""Broadcast runs of a Telegram application: its one broadcaster, what each delivery reads, progress reports."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.broadcast.lease import Lease
from bot.broadcast.pacer import ChatPacer
from bot.i18n import LANGUAGES, Translator
from bot.rendering import HTML
from bot.storage import BroadcastRow, DeliveryRow, Storage
from bot.telegram.broadcaster import BroadcastProgress, Progress, Render, TipBroadcaster
from bot.telegram.services import CHANNEL, App
from bot.tips.catalogue import footer_for, render_tip, tip_by_id
from dialogs.text import Text, msg

log = logging.getLogger(__name__)


def broadcaster_of(application: App) -> TipBroadcaster:
    """The application's one broadcaster, sending through a bot without PTB's rate limiter.

    AIORateLimiter pauses every request on any 429 and retries on its own; the broadcaster paces itself
    (a little below Telegram's limits) and lets only the refused chat wait.
    """
    services = application.bot_data
    broadcaster = services.broadcaster
    if broadcaster is None:
        storage = services.storage
        config = services.config
        bot: Bot = application.bot
        if config.token:
            bot = Bot(
                config.token,
                base_url=config.api_base_url,
                base_file_url=config.api_file_url,
                request=application.bot.request,
            )
        pacer = services.pacer or ChatPacer(time_scale=config.broadcast_time_scale)
        broadcaster = TipBroadcaster(
            storage,
            bot,
            pacer=pacer,
            on_blocked=lambda chat_id: storage.tips.unsubscribe_tips(chat_id, reason="blocked"),
            on_migrated=storage.tips.migrate_tip_chat,
        )
        services.broadcaster = broadcaster
    return broadcaster


def lease_of(application: App) -> Lease:
    """This process's lease on broadcast runs."""
    services = application.bot_data
    if services.lease is None:
        services.lease = Lease(services.storage)
    return services.lease


def render_delivery(storage: Storage, broadcast: BroadcastRow) -> Render:
    """How each delivery of a run reads: the admin's text, or the chat's tip with a footer."""

    def render(row: DeliveryRow) -> str | None:
        if broadcast["kind"] == "admin":
            return str(broadcast["text"])
        language = row["language"] or "de"
        tip = tip_by_id(language, row["tip_id"] or "")
        if tip is None:
            return None
        chat_id = int(row["target_chat_id"])
        kind = None
        if chat_id < 0:
            subscription = storage.tips.tip_subscription(chat_id)
            kind = subscription["kind"] if subscription else None
        return render_tip(tip, language, footer=footer_for(chat_id, kind))

    return render


async def run_broadcast(application: App, broadcast_id: int) -> BroadcastProgress | None:
    """Send a run's pending deliveries; an admin broadcast reports progress in its status message."""
    runs = application.bot_data.runs
    runs.add(broadcast_id)  # the watcher of orphaned runs leaves it alone meanwhile
    try:
        return await _run_broadcast(application, broadcast_id)
    finally:
        runs.discard(broadcast_id)


async def _run_broadcast(application: App, broadcast_id: int) -> BroadcastProgress | None:
    storage = application.bot_data.storage
    broadcast = storage.broadcasts.broadcast(broadcast_id)
    if broadcast is None:
        return None
    lease = lease_of(application)
    if not lease.take(broadcast_id):
        log.info("Run %d is being sent by another process", broadcast_id)
        return None
    broadcaster = broadcaster_of(application)
    on_progress = None
    if broadcast["kind"] == "admin" and broadcast["status_chat_id"]:
        on_progress = _status_editor(application, broadcast)
    progress = await broadcaster.run(
        broadcast_id, render_delivery(storage, broadcast), on_progress=on_progress, lease=lease
    )
    if progress.handed_over:
        return progress
    log.info(
        "Run %d finished: %d sent, %d failed, %d blocked, %d uncertain",
        broadcast_id,
        progress.sent,
        progress.failed,
        progress.blocked,
        progress.uncertain,
    )
    if broadcast["kind"] == "admin" and broadcast["status_chat_id"]:
        t = Translator(_admin_language(storage, broadcast))
        pacer = broadcaster.pacer
        await pacer.acquire(int(broadcast["status_chat_id"]), counted=False)  # the chat's spacing
        async with pacer.on_the_wire():  # counted with the run's last sends
            await application.bot.send_message(
                int(broadcast["status_chat_id"]),
                HTML.escape(t(final_report(progress))),
                parse_mode=ParseMode.HTML,
            )
    return progress


def _admin_language(storage: Storage, broadcast: BroadcastRow) -> str:
    """The language the admin who started a broadcast uses with the bot."""
    respondent = storage.respondents.find_respondent(CHANNEL, int(broadcast["created_by"] or 0))
    session = storage.sessions.load_session(respondent) if respondent else None
    return session["language"] if session and session["language"] in LANGUAGES else "de"


def progress_text(progress: BroadcastProgress) -> Text:
    return msg(
        "Sending… {done} of {total}\nsent: {sent} · failed: {failed} · blocked: {blocked}\n"
        "about {seconds} s left",
        done=progress.done,
        total=progress.total,
        sent=progress.sent,
        failed=progress.failed,
        blocked=progress.blocked,
        seconds=progress.seconds_left,
    )


def final_report(progress: BroadcastProgress) -> Text:
    return msg(
        "Broadcast finished: {sent} of {total} delivered, {failed} failed, {blocked} blocked the bot, "
        "{uncertain} uncertain (interrupted, not repeated), {migrated} followed to a new group id.",
        sent=progress.sent,
        total=progress.total,
        failed=progress.failed,
        blocked=progress.blocked,
        uncertain=progress.uncertain,
        migrated=progress.migrated,
    )


def _status_editor(application: App, broadcast: BroadcastRow) -> Progress:
    storage = application.bot_data.storage
    t = Translator(_admin_language(storage, broadcast))
    chat_id = int(broadcast["status_chat_id"] or 0)
    message_id = int(broadcast["status_message_id"] or 0)
    pacer = broadcaster_of(application).pacer

    async def edit(progress: BroadcastProgress) -> None:
        await pacer.acquire(chat_id, counted=False)  # an edit: Telegram does not count it as a message
        try:
            await application.bot.edit_message_text(
                HTML.escape(t(progress_text(progress))),
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as error:  # a missed progress update is harmless
            log.debug("Status message not edited: %s", type(error).__name__)

    return edit


def start_in_background(application: App, broadcast_id: int) -> None:
    """Run a broadcast as a task of its own, kept until it ends."""
    services = application.bot_data
    task = asyncio.get_running_loop().create_task(run_broadcast(application, broadcast_id))
    services.tasks.add(task)
    services.runs.add(broadcast_id)

    def done(finished: asyncio.Task[BroadcastProgress | None]) -> None:
        services.tasks.discard(finished)
        services.runs.discard(broadcast_id)

    task.add_done_callback(done)


async def resume_runs(application: App) -> None:
    """Take over the runs no live process sends (after a restart, or when another instance died).

    Sends cut off mid-request stay "uncertain" and are not repeated. Runs held by a live process are left to
    it; this is called again every little while, so they are taken over once that process is gone.
    """
    services = application.bot_data
    for broadcast in services.storage.broadcasts.unfinished_broadcasts():
        broadcast_id = int(broadcast["id"])
        if broadcast_id in services.runs or not lease_of(application).take(broadcast_id):
            continue
        uncertain = broadcaster_of(application).resume_interrupted(broadcast_id)
        log.info("Resuming run %d (%d sends left uncertain)", broadcast_id, uncertain)
        start_in_background(application, broadcast_id)
