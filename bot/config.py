"""Configuration from the environment, validated once at start with one clear message per mistake."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from bot.storage import DEFAULT_DATABASE_PATH

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_API_FILE_URL = "https://api.telegram.org/file/bot"
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only: "²" and other Unicode digits pass str.isdigit()
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
MIN_TIME_SCALE = 0.01  # benchmarks speed the broadcasts up against a fake with limits scaled alike
MAX_TIME_SCALE = 1000.0


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Config:
    token: str | None
    api_base_url: str = TELEGRAM_API_BASE_URL
    api_file_url: str = TELEGRAM_API_FILE_URL
    database_path: str = DEFAULT_DATABASE_PATH
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    timezone: str = "Europe/Berlin"
    reminders_timezone: str = "Europe/Berlin"  # whose day reminders keep to (no reminders at night)
    privacy_contact: str | None = None  # who is responsible for the data, shown by /privacy
    log_level: str = "INFO"  # DEBUG, INFO, WARNING or ERROR
    log_format: str = "text"  # text, or json for log collectors
    # The language of users whose Telegram language is neither German nor English.
    default_language: str = "en"
    retention_months: int = 12  # months without activity after which the link to a Telegram account goes
    # Only for benchmarks against a Bot API fake whose limits are scaled by the same factor.
    broadcast_time_scale: float = 1.0

    @property
    def uses_webhook(self) -> bool:
        return self.webhook_url is not None

    @property
    def webhook_path(self) -> str:
        return urlparse(self.webhook_url or "").path.lstrip("/")

    def __repr__(self) -> str:  # never print the token
        return f"Config(webhook={self.uses_webhook}, database_path={self.database_path!r})"


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name} must be an http(s) URL such as {default}, got {value!r}")
    return value


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read and check every setting; raises ConfigError with one line on the first mistake."""
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected the form 123456789:AAE… that BotFather gives"
        )
    admin_ids = _admin_ids(env)
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    webhook_secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_url is not None:
        if urlparse(webhook_url).scheme != "https" or not urlparse(webhook_url).netloc:
            raise ConfigError(f"WEBHOOK_URL must be a public https URL, got {webhook_url!r}")
        if webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET is required when WEBHOOK_URL is set (1-256 characters A-Z a-z 0-9 _ -)"
            )
        if not _SECRET.match(webhook_secret):
            raise ConfigError("WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)")
    timezone = _zone(env, "TIPS_TIMEZONE", "Europe/Berlin")
    check_catalogs()
    return Config(
        token=token,
        api_base_url=_url(env, "TELEGRAM_API_BASE_URL", TELEGRAM_API_BASE_URL),
        api_file_url=_url(env, "TELEGRAM_API_FILE_URL", TELEGRAM_API_FILE_URL),
        database_path=env.get("DATABASE_PATH", "").strip() or DEFAULT_DATABASE_PATH,
        admin_ids=frozenset(admin_ids),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=_webhook_listen(env),
        webhook_port=_webhook_port(env),
        timezone=timezone,
        # Reminders keep to the users' day; their zone defaults to the tips' zone, the bot's one time zone.
        reminders_timezone=_zone(env, "REMINDERS_TIMEZONE", timezone),
        privacy_contact=env.get("PRIVACY_CONTACT", "").strip() or None,
        retention_months=_retention_months(env),
        log_level=_log_level(env),
        log_format=_choice(env, "LOG_FORMAT", ("text", "json"), "text"),
        default_language=_choice(env, "DEFAULT_LANGUAGE", ("de", "en"), "en"),
        broadcast_time_scale=_time_scale(env),
    )


def _zone(env: Mapping[str, str], name: str, default: str) -> str:

    zone = env.get(name, "").strip() or default
    try:
        ZoneInfo(zone)
    except (KeyError, ValueError, OSError) as error:  # OSError: a folder of zones such as "Europe"
        raise ConfigError(f"{name} is not a known time zone: {zone!r}") from error
    return zone


def _time_scale(env: Mapping[str, str]) -> float:
    text = env.get("TIPS_BROADCAST_TIME_SCALE", "").strip() or "1"
    try:
        scale = float(text)
    except ValueError:
        scale = 0.0
    if not MIN_TIME_SCALE <= scale <= MAX_TIME_SCALE:  # also refuses inf and nan
        raise ConfigError(
            f"TIPS_BROADCAST_TIME_SCALE must be a number from {MIN_TIME_SCALE} to {MAX_TIME_SCALE:g}, got {text!r}"
        )
    return scale


def _retention_months(env: Mapping[str, str]) -> int:
    text = env.get("RETENTION_MONTHS", "").strip() or "12"
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= 120:
        raise ConfigError(f"RETENTION_MONTHS must be a whole number of months from 1 to 120, got {text!r}")
    return int(text)


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    return level


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ConfigError(f"{name} must be {' or '.join(choices)}, got {value!r}")
    return value


# Validation of single settings, each with one line that names it.


def _admin_ids(env: Mapping[str, str]) -> set[int]:
    admin_ids: set[int] = set()
    for part in re.split(r"[,\s]+", env.get("ADMIN_IDS", "").strip()):
        if not part:
            continue
        if not re.fullmatch(r"[0-9]{1,19}", part) or int(part) == 0:  # user ids are positive
            raise ConfigError(
                f"ADMIN_IDS must be positive numeric Telegram user ids separated by commas, got {part!r}"
            )
        admin_ids.add(int(part))
    return admin_ids


def _webhook_port(env: Mapping[str, str]) -> int:
    text = env.get("WEBHOOK_PORT", "").strip() or "8443"
    if not _DIGITS.fullmatch(text) or not 0 < int(text) < 65536:
        raise ConfigError(f"WEBHOOK_PORT must be a port number between 1 and 65535, got {text!r}")
    return int(text)


def _webhook_listen(env: Mapping[str, str]) -> str:
    text = env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1"
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not _HOSTNAME.match(text):
            raise ConfigError(
                f"WEBHOOK_LISTEN must be an IP address or host name such as 0.0.0.0, got {text!r}"
            ) from None
    return text


def check_catalogs() -> None:
    """Both languages' catalogs load, and German is really translated (babel would fall back silently)."""
    from bot.i18n import LANGUAGES, LOCALES_DIR, translations

    for language in LANGUAGES:
        try:
            catalog = translations(language)
        except (OSError, ValueError) as error:
            reason = type(error).__name__
            raise ConfigError(
                f"The {language} message catalog under {LOCALES_DIR} cannot be read ({reason}): "
                "reinstall the application"
            ) from None
        if language == "de" and catalog.gettext("Yes") == "Yes":
            raise ConfigError(f"The de message catalog under {LOCALES_DIR} holds no translations")
