"""What a SIGKILL loses: ours and the peer as real processes, killed right after their users' last answer.

    python -m benchmarks.kill_run               # 50 users, ours and the peer, ~1-2 minutes
    python -m benchmarks.kill_run --users 20 --bots peer

Each bot runs as its own process long-polling the Bot API fake (``tests/support/botapi_fake.py``): ours as
``python run_bot.py telegram`` (as deployed, with its rate limiter), the peer as ``benchmarks/peer_bot.py``
(ConversationHandler + PicklePersistence on PTB's defaults). Every user answers the eleven questions, each
step sent once the reply to the previous one has arrived, so every answer counted was acknowledged. Then
the process gets SIGKILL, and what it left on disk is read back: the peer's pickle file, ours' database.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import PicklePersistence

from benchmarks.common import OUR_BOT, QUESTIONS_SCRIPT, ROOT, TOKEN, BotProcess, markdown_table
from benchmarks.http_e2e import FIRST_USER_ID, load
from bot.storage import Storage
from tests.support.botapi_fake import BotApiFake

ANSWERS = len(QUESTIONS_SCRIPT) - 2  # every step but /start and the consent answers a question


def kill_run(kind: str, users: int, workdir: Path) -> tuple[int, int, float]:
    """(answers on disk after the SIGKILL, answers acknowledged, seconds the users took)."""
    pickle = workdir / "peer.pickle"
    argv = (
        OUR_BOT if kind == "ours" else (sys.executable, str(ROOT / "benchmarks" / "peer_bot.py"), str(pickle))
    )
    with BotApiFake(TOKEN, bot_username="KmuBeraterBenchBot") as fake:
        bot = BotProcess(argv, fake, workdir, kind)
        bot.start()
        try:
            # load() treats every bot but ours as one reply per step, which the peer is.
            _count, wall, _latencies = asyncio.run(load(fake, kind, users, QUESTIONS_SCRIPT))
            assert bot.process is not None
            bot.process.send_signal(signal.SIGKILL)
            bot.process.wait(timeout=10)
        finally:
            bot.stop()
    user_ids = range(FIRST_USER_ID, FIRST_USER_ID + users)
    if kind == "peer":
        kept = asyncio.run(PicklePersistence(filepath=pickle).get_user_data())
        stored = sum(len(kept.get(user, {}).get("answers", {})) for user in user_ids)
    else:
        storage = Storage(bot.env["DATABASE_PATH"])
        try:
            stored = 0
            for user in user_ids:
                respondent = storage.respondents.find_respondent("telegram", user)
                session = storage.sessions.load_session(respondent) if respondent else None
                stored += min(len(session["answers"]), ANSWERS) if session else 0
        finally:
            storage.close()
    return stored, users * ANSWERS, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--bots", default="ours,peer")
    args = parser.parse_args(argv)
    rows = []
    for kind in args.bots.split(","):
        with tempfile.TemporaryDirectory(prefix=f"kmu-kill-{kind}-") as tmp:
            started = time.perf_counter()
            stored, given, wall = kill_run(kind, args.users, Path(tmp))
        print(f"# {kind}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows.append([kind, f"{given:,}", f"{stored:,}", f"{given - stored:,}", f"{wall:.1f} s"])
    print(
        markdown_table(
            ["bot", "answers acknowledged", "on disk after SIGKILL", "lost", "time the users took"], rows
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
