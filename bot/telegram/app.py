"""Build and run the Telegram application: all handler wiring and the typed context in one place."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from typing import Any

from telegram import Chat, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import heartbeat
from bot.broadcast.pacer import ChatPacer
from bot.config import Config, ConfigError
from bot.storage import Storage
from bot.telegram import callback_data
from bot.telegram.broadcast_runs import resume_runs
from bot.telegram.flood import FairUpdateProcessor
from bot.telegram.handlers import admin as reports
from bot.telegram.handlers import broadcast as admin_broadcast
from bot.telegram.handlers import channels, dialogue, errors, followup, groups, privacy, report, tips
from bot.telegram.jobs import schedule_jobs, schedule_tip_slots, watch_orphaned_runs
from bot.telegram.limiter import ReplyLimiter
from bot.telegram.menus import publish_menus
from bot.telegram.request import RetryingRequest
from bot.telegram.services import CONTEXT_TYPES, App, Context
from bot.telegram.startup import StartError, reach_bot_api, without_token
from bot.telegram.turns import TurnTakingApplication
from bot.telegram.webhook import serve_webhook

log = logging.getLogger(__name__)


def build_application(
    config: Config,
    storage: Storage,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> App:
    """The configured PTB application with every handler registered."""
    assert config.token is not None
    processor = FairUpdateProcessor()

    def pacer() -> ChatPacer:  # read on each request: tests and benchmarks may put their own in place
        shared = application.bot_data.pacer
        assert shared is not None
        return shared

    builder = (
        ApplicationBuilder()
        .application_class(TurnTakingApplication)
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.api_file_url)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(processor)
        .rate_limiter(ReplyLimiter(pacer))
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    builder = builder.request(request or RetryingRequest(connection_pool_size=64, read_timeout=10))
    builder = builder.get_updates_request(updates_request or RetryingRequest(attempts=1, read_timeout=40))
    application: App = builder.build()
    application.bot_data.bind(config, storage)
    # One pacer for the broadcasts and the replies, so that together they keep Telegram's overall limit.
    application.bot_data.pacer = ChatPacer(time_scale=config.broadcast_time_scale)
    processor.application = application
    register_handlers(application, config)
    return application


class PrivateCallbackQueryHandler(CallbackQueryHandler[Any, None]):
    """A button handler for buttons pressed in a private chat only."""

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update):
            return False
        chat = update.effective_chat
        if chat is None or chat.type != Chat.PRIVATE:
            return False
        return super().check_update(update)


def register_handlers(application: App, config: Config) -> None:
    private = filters.ChatType.PRIVATE
    groups_only = filters.ChatType.GROUPS
    private_or_groups = private | groups_only
    add = application.add_handler
    # An edited message is never taken as new input, commands included: explained in a private chat, ignored
    # elsewhere; nothing after this group sees it.
    add(MessageHandler(filters.UpdateType.EDITED, dialogue.edited_message), group=-2)
    # An admin's next text after /broadcast is the draft; it stops further handling only when it took the text.
    admins = filters.User(user_id=sorted(config.admin_ids))
    add(MessageHandler(private & filters.TEXT & admins, admin_broadcast.capture_broadcast_text), group=-1)

    # Most updates are answers: typed ones and the questionnaire's buttons are tried first.
    text = filters.UpdateType.MESSAGE & private & filters.TEXT
    add(MessageHandler(text & ~filters.COMMAND, dialogue.on_text))
    add(PrivateCallbackQueryHandler(dialogue.on_button, pattern=callback_data.is_dialogue))

    add(CommandHandler("start", dialogue.start, filters=private))
    add(CommandHandler("start", groups.group_start, filters=groups_only))
    add(CommandHandler("help", dialogue.help_command))
    for name, callback in (
        ("back", dialogue.back),
        ("restart", dialogue.restart),
        ("language", dialogue.language),
        ("privacy", privacy.privacy),
        ("mydata", privacy.mydata),
        ("deletedata", privacy.deletedata),
        ("report", report.report_command),
    ):
        add(CommandHandler(name, callback, filters=private))
    # A GDPR notice must be reachable from a group too; the answer there is the way to the private chat.
    for name in ("privacy", "mydata", "deletedata", "report"):
        add(CommandHandler(name, groups.private_only, filters=groups_only))
    add(ChatMemberHandler(groups.on_added_to_group, ChatMemberHandler.MY_CHAT_MEMBER))
    # Admin reports in every chat, so that others are refused rather than ignored.
    add(CommandHandler("export", reports.export_command))
    add(CommandHandler("stats", reports.stats_command))
    add(CommandHandler("addchannel", channels.addchannel_command, filters=private))
    add(CommandHandler("broadcast", admin_broadcast.broadcast_command, filters=private))
    add(CommandHandler("tips", tips.tips_command, filters=private_or_groups))
    add(CommandHandler("subscribe", tips.subscribe_command, filters=private_or_groups))
    add(CommandHandler("unsubscribe", tips.unsubscribe_command, filters=private_or_groups))

    # Buttons are pressed by the one user they were shown to in a private chat. In a group anyone could
    # press (or forge) them, so none of these handlers sees a group's button; the last one answers it.
    private_button = PrivateCallbackQueryHandler
    add(private_button(admin_broadcast.on_broadcast_button, pattern=callback_data.BROADCAST_ANY))
    add(private_button(dialogue.on_consent_button, pattern=callback_data.CONSENT))
    add(private_button(dialogue.on_language_button, pattern=callback_data.LANGUAGE))
    add(private_button(privacy.on_delete_button, pattern=callback_data.DELETE))
    add(private_button(privacy.on_consent_change, pattern=callback_data.PRIVACY_CONSENT))
    add(private_button(tips.on_tips_button, pattern=callback_data.TIPS))
    add(private_button(report.on_report_button, pattern=callback_data.REPORT))
    add(private_button(report.on_declaration_button, pattern=callback_data.DECLARATION))
    for pattern, callback in followup.button_handlers():
        add(private_button(callback, pattern=pattern))
    add(private_button(dialogue.on_button))  # forged buttons: answered with where the user is
    add(CallbackQueryHandler(groups.on_group_button))

    followup.register(application)
    add(MessageHandler(text & filters.COMMAND, dialogue.unknown_command))
    add(MessageHandler(filters.UpdateType.MESSAGE & private & ~filters.TEXT, dialogue.unsupported_message))
    application.add_error_handler(errors.on_error)
    schedule_jobs(application, config)
    if application.job_queue is not None:
        # A repeating job added before the jobs start would first run one interval after the start (its first
        # run time has passed by then), so the first beat is a job of its own, run however late the start is.
        application.job_queue.run_once(
            heartbeat_job, 0, name="first heartbeat", job_kwargs={"misfire_grace_time": None}
        )
        application.job_queue.run_repeating(
            heartbeat_job, heartbeat.INTERVAL, first=heartbeat.INTERVAL, name="heartbeat"
        )


async def _post_stop(application: App) -> None:
    """Write what is held in memory, so that a clean restart shows nobody a "lost reply" notice."""
    application.bot_data.advisor.flush_receipts()
    heartbeat.stop(heartbeat.heartbeat_path(application.bot_data.config.database_path))


async def heartbeat_job(context: Context) -> None:
    """Tell the health check that the event loop runs and updates are being fetched."""
    config = context.bot_data.config
    if config.database_path == ":memory:":
        return
    updater = context.application.updater
    if not config.uses_webhook and updater is not None and not updater.running:
        return  # the polling loop is gone: let the heartbeat go stale
    heartbeat.beat(heartbeat.heartbeat_path(config.database_path))


async def _post_init(application: App) -> None:
    """Register the command menus and descriptions in German, English and a default; start tips; show admins
    their menu."""
    bot = application.bot
    services = application.bot_data
    await publish_menus(bot, services.config.database_path, services.config.admin_ids)
    schedule_tip_slots(application)
    await resume_runs(application)
    watch_orphaned_runs(application)
    if not services.config.privacy_contact:
        log.warning("PRIVACY_CONTACT is not set: /privacy cannot name the controller (GDPR Art. 13(1)(a))")
    log.info("Bot @%s ready", bot.username)


def run_telegram(config: Config, storage: Storage) -> int:
    """Poll, or serve a webhook when WEBHOOK_URL is set; returns when stopped (closing ``storage``)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        asyncio.run(reach_bot_api(config))
        application = build_application(config, storage)
        if not gc.isenabled():  # ``run_bot.py`` turned the collector off for the start
            # What the start made lives as long as the process: out of the collector's walks from now on.
            gc.freeze()
            gc.enable()
        kwargs: dict[str, Any] = {"allowed_updates": Update.ALL_TYPES, "drop_pending_updates": False}
        if config.uses_webhook:
            asyncio.run(serve_webhook(application, config))
        else:
            application.run_polling(**kwargs)
    except ConfigError as error:  # the webhook's address cannot be used: said before anything was registered
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except StartError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    except InvalidToken:  # revoked between the first call and the application's own getMe
        print("Telegram rejected TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return 2
    except NetworkError as error:  # the Bot API went away during the start
        print(f"The Bot API is not reachable: {without_token(str(error), config.token)}", file=sys.stderr)
        return 1
    finally:
        storage.close()
    return 0
