"""Send the due reminders of a database once, as a process of its own, so that a test can SIGKILL it mid-run.

    python -m tests.support.reminder_kill_run DATABASE LOG

Each send is appended to LOG (chat id per line, flushed to disk) before the reminder is recorded as sent, like a
request that reached Telegram whose answer the process never saw.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcast.pacer import ChatPacer
from bot.storage import ReminderRow, Storage
from bot.telegram.reminders import Outgoing, ReminderSender

DAYTIME = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


class LoggingBot:
    """Stands in for Telegram: every message is written to a file before it is answered."""

    def __init__(self, log: Path, delay: float) -> None:
        self.log = log
        self.delay = delay

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        with self.log.open("a") as file:
            file.write(f"{chat_id}\n")
            file.flush()
            os.fsync(file.fileno())
        await asyncio.sleep(self.delay)


def render(row: ReminderRow) -> Outgoing:
    return Outgoing(f"reminder {row['id']}")


async def main(database: Path, log: Path) -> int:
    storage = Storage(database)
    sender = ReminderSender(
        storage,
        LoggingBot(log, 0.02),  # type: ignore[arg-type]
        ChatPacer(time_scale=100),
        render,
        zone=ZoneInfo("Europe/Berlin"),
        channel="telegram",
        clock=lambda: DAYTIME,
    )
    counts = await sender.run_due()
    storage.close()
    print(counts, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]))))
