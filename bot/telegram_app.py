"""Build and run the Telegram application: all handler wiring in one place."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import admin, tips
from bot import telegram_handlers as h
from bot.commands import GROUP_COMMANDS, PRIVATE_COMMANDS, TIP_COMMANDS
from bot.config import Config
from bot.i18n import Translator
from bot.introduction import set_descriptions
from bot.storage import Storage
from bot.telegram_request import RetryingRequest

log = logging.getLogger(__name__)


def build_application(
    config: Config,
    storage: Storage,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> Application:
    """The configured PTB application with every handler registered."""
    assert config.token is not None
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.api_file_url)
        .concurrent_updates(True)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
    )
    builder = builder.request(request or RetryingRequest(connection_pool_size=64, read_timeout=10))
    builder = builder.get_updates_request(updates_request or RetryingRequest(attempts=1, read_timeout=40))
    application = builder.build()
    application.bot_data["storage"] = storage
    application.bot_data["config"] = config
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    add = application.add_handler
    add(CommandHandler("start", h.start, filters=private))
    add(CommandHandler("start", h.group_start, filters=groups))
    add(CommandHandler("help", h.help_command))
    for name, callback in (
        ("back", h.back),
        ("restart", h.restart),
        ("language", h.language),
        ("privacy", h.privacy),
        ("mydata", h.mydata),
        ("deletedata", h.deletedata),
        ("report", h.report),
    ):
        add(CommandHandler(name, callback, filters=private))
    # --- admin analytics (issue 5): in every chat, so that others are refused rather than ignored ---
    add(CommandHandler("export", admin.export_command))
    add(CommandHandler("stats", admin.stats_command))
    # --- end admin analytics ---
    # --- tips and broadcasts (issue 4): before the dialogue's catch-all handlers ---
    tips.register_tip_handlers(application)
    # --- end tips and broadcasts ---
    add(CallbackQueryHandler(h.on_button))
    add(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, h.edited_message))
    add(MessageHandler(filters.UpdateType.MESSAGE & private & filters.COMMAND, h.unknown_command))
    add(MessageHandler(filters.UpdateType.MESSAGE & private & filters.TEXT, h.on_text))
    add(MessageHandler(filters.UpdateType.MESSAGE & private & ~filters.TEXT, h.unsupported_message))
    application.add_error_handler(h.on_error)


async def _post_init(application: Application) -> None:
    """Register the command menus in German, English and a default; start tips; show admins their menu."""
    bot = application.bot
    for language in (None, "de", "en"):
        t = Translator(language or "en")
        for scope, commands in (
            (BotCommandScopeAllPrivateChats(), (*PRIVATE_COMMANDS, *TIP_COMMANDS)),
            (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        ):
            menu = [BotCommand(name, t(description)) for name, description in commands]
            try:
                await bot.set_my_commands(menu, scope=scope, language_code=language)
            except TelegramError as error:  # a menu is a convenience: the bot works without it
                log.warning("Command menu not set (%s): %s", language or "default", type(error).__name__)
    # What the bot does, how long it takes and what it stores, shown before the first /start.
    await set_descriptions(bot)
    # Tips (issue 4): schedule jobs and resume interrupted runs.
    await tips.post_init_tips(application)
    # Admins (issue 5): the admin commands in each admin's own chat menu.
    config = application.bot_data.get("config")
    if isinstance(config, Config) and config.admin_ids:
        await admin.set_admin_commands(bot, config.admin_ids, (*PRIVATE_COMMANDS, *TIP_COMMANDS))
    log.info("Bot @%s ready", bot.username)


def run_telegram(config: Config) -> int:
    """Poll, or serve a webhook when WEBHOOK_URL is set; returns when stopped."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    storage = Storage(config.database_path)
    storage.forget_processed_updates()
    application = build_application(config, storage)
    allowed = Update.ALL_TYPES
    kwargs: dict[str, Any] = {"allowed_updates": allowed, "drop_pending_updates": False}
    if config.uses_webhook:
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path=config.webhook_path,
            webhook_url=config.webhook_url,
            secret_token=config.webhook_secret,
            **kwargs,
        )
    else:
        application.run_polling(**kwargs)
    storage.close()
    return 0
