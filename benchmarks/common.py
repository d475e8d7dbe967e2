"""What the throughput, HTTP and memory benchmarks share: the bare echo bot they are measured against,
update payloads of one questionnaire, bots as processes, latency statistics and resident memory."""

from __future__ import annotations

import asyncio
import collections
import itertools
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

from tests.support.botapi import BotApiFake
from tests.support.telegram_fakes import FakeRequest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:benchmark-token-for-local-runs-only"
OUR_BOT = (sys.executable, str(ROOT / "run_bot.py"), "telegram")
ECHO_BOT = (sys.executable, str(ROOT / "benchmarks" / "echo_bot.py"))

# One whole questionnaire in German, as typed and tapped (the answers of the handler tests):
# /start, consent, fifteen answers; then the summary's confirmation, which renders the result and its chart.
QUESTIONS_SCRIPT: tuple[str, ...] = (
    "/start",
    "cons|1",
    "12",
    "1,5 Mio. €",
    "c|balance_sheet|unknown",
    "c|linked|none",
    "c|owns|none",
    "c|sector|craft",
    "c|customers|both",
    "c|reach|local",
    "c|website|outdated",
    "c|social_presence|occasional",
    "15 %",
    "3",
    "1",
    "c|results_check|partly",
    "Nein",
)
RESULT_STEP = "ok|summary"


def is_button(step: str) -> bool:
    """Steps with callback data ("c|staff|lt10") are button presses; everything else is typed."""
    return "|" in step and not step.startswith("/")


# --- the baseline: a bare python-telegram-bot echo bot ---------------------------------------------


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    message = update.effective_message
    assert message is not None
    await context.bot.send_message(message.chat_id, message.text or "?")


async def echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and send its data back."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await context.bot.send_message(query.message.chat.id, query.data or "?")


def build_echo_application(
    token: str = TOKEN,
    *,
    base_url: str | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limiter: bool = False,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """One MessageHandler and one CallbackQueryHandler on python-telegram-bot's defaults.

    The defaults handle one update at a time over PTB's default connection pool. Over HTTP that beats
    ``concurrent_updates(True)`` with a large pool: with 200 users at once httpx then spends 3-4x the CPU per
    round trip juggling connections, so the concurrent setup would flatter ours as a baseline.
    """
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = ApplicationBuilder().token(token)
    if base_url is not None:
        builder = builder.base_url(base_url)
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if request is not None:
        builder = builder.request(request)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_button))
    return application


def without_rate_limiter(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Take the AIORateLimiter out of an in-process run.

    It paces sends to Telegram's global 30 messages/s; left in, an in-process run would measure that pace
    instead of the bot's own cost. The HTTP benchmark keeps it, as deployed.
    """
    application.bot._rate_limiter = None  # PTB has no public setter; only before initialize
    return application


class QuietRequest(FakeRequest):
    """The tests' in-process Bot API, counting calls and keeping only the last few so long runs stay flat.

    It does not parse the texts the way Telegram does (the tests do that): the fake's HTML parser is Telegram's
    work, and it would charge the bots that send HTML (ours) for it and not the ones that send plain text.
    """

    def __init__(self, keep: int = 32) -> None:
        super().__init__()
        self.validate = False
        self.calls = collections.deque(maxlen=keep)  # type: ignore[assignment]
        self.count = 0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        self.count += 1
        return await super().do_request(url, method, request_data, *args, **kwargs)


# --- update payloads --------------------------------------------------------------------------------


class UpdatePayloads:
    """Update payloads of private chats as getUpdates delivers them.

    A button press carries the message it was pressed on, with its inline keyboard, so the bot takes the
    keyboard off as it does in real use.
    """

    def __init__(self, bot_id: int = 777000) -> None:
        self.bot_id = bot_id
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def user(self, user_id: int, language_code: str = "de") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": language_code}

    def message(self, user_id: int, text: str, language_code: str = "de") -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
            "from": self.user(user_id, language_code),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def press(self, user_id: int, data: str, language_code: str = "de") -> dict[str, Any]:
        pressed_on = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Berater"},
            "text": "…",
            "reply_markup": {"inline_keyboard": [[{"text": "…", "callback_data": data}]]},
        }
        query = {
            "id": str(next(self._update_ids)),
            "from": self.user(user_id, language_code),
            "chat_instance": str(user_id),
            "data": data,
            "message": pressed_on,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def step(self, user_id: int, step: str) -> dict[str, Any]:
        return self.press(user_id, step) if is_button(step) else self.message(user_id, step)


# --- statistics and memory --------------------------------------------------------------------------


@dataclass(frozen=True)
class Latencies:
    """Per-update wall times in seconds."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Latencies:
        return cls(tuple(sorted(samples)))

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile (q in 0..100)."""
        if not self.values:
            return float("nan")
        rank = max(1, -(-len(self.values) * q // 100))
        return self.values[int(rank) - 1]

    @property
    def mean(self) -> float:
        return sum(self.values) / len(self.values) if self.values else float("nan")

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)


def stores(storage: Any) -> tuple[Any, Any]:
    """The (respondents, sessions) stores of a ``Storage``. A tree from before storage was composed of stores
    has their methods on ``Storage`` itself: this lets the same script measure such a tree beside this one."""
    return getattr(storage, "respondents", storage), getattr(storage, "sessions", storage)


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process now (VmRSS), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def peak_rss_mb() -> float:
    """This process's highest resident memory so far (ru_maxrss is in KiB on Linux), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the event loop's stalls ------------------------------------------------------------------------


class Heartbeat:
    """A task that wakes every ``interval`` seconds and remembers how late it woke: the loop's stalls."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.longest = max(self.longest, time.perf_counter() - before - self.interval)

    def __enter__(self) -> Heartbeat:
        self.longest = 0.0
        self._task = asyncio.get_running_loop().create_task(self._beat())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


# --- bots as processes --------------------------------------------------------------------------


class BotProcess:
    """A bot (``OUR_BOT`` or ``ECHO_BOT``) as a subprocess long-polling a started ``BotApiFake``."""

    def __init__(self, argv: Sequence[str], fake: BotApiFake, workdir: Path, name: str) -> None:
        self.argv = list(argv)
        self.fake = fake
        self.log_path = workdir / f"{name}.log"
        ours = ("TELEGRAM_", "WEBHOOK_", "ADMIN_IDS", "DATABASE_PATH", "TIPS_")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        self.env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.base_url,
            TELEGRAM_API_FILE_URL=fake.base_file_url,
            DATABASE_PATH=str(workdir / f"{name}.db"),
            MPLBACKEND="Agg",
            PYTHONUNBUFFERED="1",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> float:
        """Start the bot; return the seconds from ``Popen`` to the fake's first getUpdates request."""
        with self.log_path.open("ab") as log:
            began = time.monotonic()
            self.process = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = began + timeout
        while True:
            try:
                self.fake.wait_polling(timeout=0.25)
                return time.monotonic() - began
            except TimeoutError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{self.argv} did not start polling\n{self.log_tail()}") from None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Stop as Ctrl-C would (PTB shuts down cleanly), killing it if it takes too long."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, ready to paste into benchmarks/README.md."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
