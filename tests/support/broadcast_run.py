"""Run an admin broadcast through ``run_bot.py`` against the Bot API fake, optionally killing the bot mid-way.

Shared by the end-to-end test (``tests/test_tips_e2e.py``) and the benchmark (``benchmarks/broadcast.py``).
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.storage import Storage
from tests.support.botapi_fake import BotApiFake
from tests.support.load import scaled

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-for-broadcast-runs-only"
ADMIN = 990001
FIRST_CHAT = 10_000_000
TEXT = "Rundschreiben: neue Termine der Digitalsprechstunde"


@dataclass
class BroadcastOutcome:
    chats: int
    delivered: int  # chats that received the text at least once
    duplicates: int  # extra copies beyond the first
    missing: int
    uncertain: int  # deliveries the bot recorded as cut off by the kill
    rate: float  # messages per second between the first and the last delivery (without the restart)
    allowed_rate: float
    reports: int  # final reports the admin got
    violations: int  # 429 answers of the fake
    refused: list[tuple[str, int | str | None, str | None]]  # (method, chat, description) of each 429
    seconds: float


class BotProcess:
    """``python run_bot.py telegram`` polling the fake, with its log in a file."""

    def __init__(self, fake: BotApiFake, database: Path, log_path: Path, time_scale: float) -> None:
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_FILE_URL": fake.base_file_url,
            "DATABASE_PATH": str(database),
            "ADMIN_IDS": str(ADMIN),
            "TIPS_BROADCAST_TIME_SCALE": str(time_scale),
            "PTB_TIMEDELTA": "true",
        }
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run_bot.py"), "telegram"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def subscribe_chats(fake: BotApiFake, database: Path, count: int) -> list[int]:
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    storage = Storage(database)
    with storage.db.atomic():
        for chat_id in chats:
            fake.user(chat_id, language_code="de")
            storage.tips.subscribe_tips(chat_id, kind="private", language="de")
    storage.close()
    return chats


def run_broadcast(
    workdir: Path,
    *,
    chats: int,
    time_scale: float,
    kill_after: int | None,
    timeout: float,
    second_instance_after: int | None = None,
) -> BroadcastOutcome:
    """Broadcast ``TEXT`` to ``chats`` subscribers; SIGKILL the bot after ``kill_after`` deliveries and restart.

    With ``second_instance_after``, a second bot process on the same database starts after that many deliveries
    and runs until the end.
    """
    database = workdir / "bot.db"
    with BotApiFake(TOKEN) as fake:
        fake.enforce_limits(time_scale=time_scale)
        subscribers = subscribe_chats(fake, database, chats)
        admin = fake.user(ADMIN, language_code="de")
        bot = BotProcess(fake, database, workdir / "bot.log", time_scale)
        second = BotProcess(fake, database, workdir / "bot2.log", time_scale)
        bot.start()
        try:
            pause = 1.1 / time_scale  # the admin types like a person: Telegram allows ~1 message/s per chat
            admin.send("/broadcast")
            admin.wait_reply(timeout=30)
            time.sleep(pause)
            admin.send(TEXT)
            question = admin.wait_reply(timeout=30)
            time.sleep(pause)
            confirm = next(
                button["callback_data"]
                for row in question["reply_markup"]["inline_keyboard"]
                for button in row
                if button.get("callback_data", "").startswith("bc|ok|")
            )
            started = time.monotonic()
            admin.press(confirm)
            if second_instance_after is not None:
                _wait_for_deliveries(fake, second_instance_after, timeout)
                second.start()
            kills: list[float] = []
            if kill_after is not None:
                _wait_for_deliveries(fake, kill_after, timeout)
                bot.kill()
                kills.append(time.monotonic())
                bot.start()
            _wait_until_done(database, timeout)
            time.sleep(1.0 / time_scale + 0.5)  # a report sent twice would arrive within this
        finally:
            bot.stop()
            second.stop()
        seconds = time.monotonic() - started
        counts = [sum(1 for m in fake.messages(chat) if m.get("text") == TEXT) for chat in subscribers]
        times = sorted(
            call.time for call in fake.calls("sendMessage") if call.ok and call.chat_id in set(subscribers)
        )
        rate = _rate_between_restarts(times, kills)
        with sqlite3.connect(database) as conn:
            uncertain = conn.execute("select count(*) from deliveries where status = 'uncertain'").fetchone()[
                0
            ]
        return BroadcastOutcome(
            chats=chats,
            delivered=sum(1 for c in counts if c),
            duplicates=sum(max(0, c - 1) for c in counts),
            missing=sum(1 for c in counts if c == 0),
            uncertain=int(uncertain),
            rate=rate,
            allowed_rate=30.0 * time_scale,
            reports=sum(1 for m in fake.messages(ADMIN) if "abgeschlossen" in str(m.get("text"))),
            violations=fake.limit_violations,
            refused=[(c.method, c.chat_id, c.description) for c in fake.calls() if c.status == 429],
            seconds=seconds,
        )


def _wait_for_deliveries(fake: BotApiFake, count: int, timeout: float) -> None:
    deadline = time.monotonic() + scaled(timeout)
    while _delivered_calls(fake) < count:
        if time.monotonic() > deadline:
            raise TimeoutError("the broadcast did not start")
        time.sleep(0.005)


def _delivered_calls(fake: BotApiFake) -> int:
    return sum(
        1
        for call in fake.calls("sendMessage")
        if call.ok and isinstance(call.chat_id, int) and call.chat_id >= FIRST_CHAT
    )


def _wait_until_done(database: Path, timeout: float) -> None:
    deadline = time.monotonic() + scaled(timeout)
    while time.monotonic() < deadline:
        with sqlite3.connect(database, timeout=30) as conn:
            row = conn.execute(
                "select status from broadcasts where kind = 'admin' order by id desc limit 1"
            ).fetchone()
        if row and row[0] == "done":
            return
        time.sleep(0.1)
    raise TimeoutError("the broadcast did not finish in time")


def _rate_between_restarts(times: list[float], kills: list[float]) -> float:
    """Deliveries per second, leaving out the restart after each kill: the longest pause that ends after it.

    Only the restart is left out: any other pause (a 429 honoured, a stalled loop) counts as sending time.
    """
    if len(times) < 2:
        return 0.0
    gaps = [b - a for a, b in itertools.pairwise(times)]
    left_out = set()
    for kill in kills:
        after = [i for i, t in enumerate(times[1:]) if t > kill]
        if after:
            left_out.add(max(after, key=lambda i: gaps[i]))
    kept = [gap for i, gap in enumerate(gaps) if i not in left_out]
    return len(kept) / sum(kept) if sum(kept) else 0.0
