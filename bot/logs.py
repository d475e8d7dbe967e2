"""Logging for the bot: the level from LOG_LEVEL, with the libraries that log raw payloads held back.

At DEBUG, python-telegram-bot logs every Bot API call with its parameters (chat ids, names, the texts that
carry a user's answers), httpx logs request URLs (which contain the bot token), and transitions logs every
state change. Those loggers are capped whatever the level, so that logs never pair answers with a user.
"""

from __future__ import annotations

import logging

LIBRARY_LEVELS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "transitions": logging.WARNING,
    "aiolimiter": logging.WARNING,
}
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Log at ``level`` to stderr; the payload-logging libraries never below their cap."""
    logging.basicConfig(format=FORMAT, level=level)
    logging.getLogger().setLevel(level)
    numeric = logging.getLevelName(level)
    for name, cap in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(max(cap, numeric if isinstance(numeric, int) else cap))
