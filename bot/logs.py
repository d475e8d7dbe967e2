"""Logging for the bot: the level from LOG_LEVEL, text or JSON (LOG_FORMAT), with chatty libraries held back.

At DEBUG, python-telegram-bot logs every Bot API call with its parameters (chat ids, names, the texts that
carry a user's answers), httpx logs request URLs (which contain the bot token), and transitions logs every
state change. Those loggers are capped whatever the level, so that logs never pair answers with a user.
fontTools logs every glyph list while fpdf2 subsets a font (hundreds of lines per first PDF), and matplotlib
and PIL log font searches and image plugins: capped too, they carry nothing an operator needs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

LIBRARY_LEVELS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "transitions": logging.WARNING,
    "aiolimiter": logging.WARNING,
    "fontTools": logging.WARNING,
    "fpdf": logging.WARNING,
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
}
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log collectors: time (UTC), level, logger, message, and the exception.

    The message is the same text the plain format prints, so the same privacy rules hold.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Log at ``level`` to stderr as text or JSON; the payload-logging libraries never below their cap."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "kmu_berater", False)]:
        root.removeHandler(old)
    handler.kmu_berater = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name, cap in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(max(cap, numeric if isinstance(numeric, int) else cap))
