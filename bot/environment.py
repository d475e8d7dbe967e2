"""Settings from a ``.env`` file in the working directory, the way Docker and systemd read the same file.

The real environment always wins: a variable already set is never overridden, so ``.env`` only fills in
what the service manager or the shell did not set. Docker's ``--env-file`` keeps quotes as part of the
value, systemd and python-dotenv remove them; the bot removes one pair of matching quotes around the value
of its own settings, so that ``PRIVACY_CONTACT="Muster GmbH, Berlin"`` means the same everywhere.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

# Every setting the bot reads, in the order the README's table lists them.
SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "DATABASE_PATH",
    "ADMIN_IDS",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_API_FILE_URL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "PRIVACY_CONTACT",
    "DEFAULT_LANGUAGE",
    "RETENTION_MONTHS",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "TIPS_TIMEZONE",
    "REMINDERS_TIMEZONE",
    "TIPS_BROADCAST_TIME_SCALE",
)


def load_environment(
    directory: Path | None = None, environ: MutableMapping[str, str] | None = None
) -> Path | None:
    """Fill ``environ`` from ``.env`` in ``directory`` (the working directory) without overriding anything,
    then unquote the bot's settings; the file read, or None when there is none."""
    env = os.environ if environ is None else environ
    path = (directory or Path.cwd()) / ".env"
    found = path if path.is_file() else None
    if found is not None:
        from dotenv import dotenv_values  # only with a file to read: the container gets its settings without

        for name, value in dotenv_values(found).items():
            if value is not None and name not in env:
                env[name] = value
    for name in SETTINGS:
        if name in env:
            env[name] = unquote(env[name])
    return found


def unquote(value: str) -> str:
    """The value without one pair of matching quotes around it (what Docker's --env-file leaves in)."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return value
