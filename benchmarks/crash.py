"""Durability at scale: many concurrent dialogues against ``run_bot.py``, SIGKILLed again and again.

Scripted users (``tests/support/e2e_support.py``) answer the questionnaire against the Bot API fake, a fixed number
at a time (a finished one is replaced by a new user). The bot is killed with SIGKILL at random moments and
restarted; every few kills an admin broadcast to the subscribed chats is started, so kills also land in the
middle of broadcasts. With the bot dead after each kill, every answer the bot had acknowledged must be in
the database. At the end it reports:

- acknowledged answers lost (target 0), checked at every kill and on every finished dialogue;
- updates applied twice (target 0): a finished dialogue whose stored answers differ from what the user gave,
  or a question acknowledged twice for one answer;
- broadcast duplicates (target 0), and sends left "uncertain" by a kill (never repeated, by design);
- replies lost to a kill, and how each was recovered: Telegram handing out the unconfirmed update again,
  or the user asking again (/help or /start, answered with the question they are at).

    python -m benchmarks.crash --kills 1000
    python -m benchmarks.crash --kills 200 --users 12 --minutes 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage import PlannedDelivery, Storage
from tests.support.e2e_support import (
    QIDS,
    BotProcess,
    DialogueRecord,
    E2EFake,
    ScriptedUser,
    expected_session,
    random_script,
    redelivered_updates,
    running_fake,
    screen_of,
    shown_messages,
    stored_sessions,
)

FIRST_CHAT = 50_000_000
FIRST_USER = 100_000
LANGUAGES = ("de", "de-AT", "en", "en-GB")


class PacedBot(BotProcess):
    """The bot with its broadcast pacer sped up (the fake enforces no limits here)."""

    time_scale = 3.0

    def env(self) -> dict[str, str]:
        return {**super().env(), "TIPS_BROADCAST_TIME_SCALE": str(self.time_scale)}


@dataclass
class Book:
    kills: int = 0
    acked_checked: int = 0
    lost: list[str] = field(default_factory=list)
    applied_twice: list[str] = field(default_factory=list)
    broadcasts: list[str] = field(default_factory=list)
    kills_during_broadcast: int = 0
    records: list[DialogueRecord] = field(default_factory=list)


def acknowledged(fake: E2EFake, chat_id: int) -> list[str]:
    """The questions whose answers the bot acknowledged to the user ("✓ …" above the next question).

    An acknowledgement is for the question screen shown before it: which questions a company is asked depends on
    its earlier answers, so a screen's place in the full list of questions says nothing."""
    acked = []
    answered: str | None = None
    for message in shown_messages(fake, chat_id):
        screen = screen_of(message)
        if screen is not None and (message.get("text") or "").startswith("✓") and answered is not None:
            acked.append(answered)
        if screen in QIDS:
            answered = screen
    return acked


def check_acknowledged(fake: E2EFake, db: Path, users: list[ScriptedUser], book: Book) -> None:
    """With the bot dead: every acknowledged answer is stored with the value the user gave."""
    sessions = stored_sessions(db, [u.id for u in users])
    for user in users:
        stored = (sessions[user.id] or {}).get("answers", {})
        if (sessions[user.id] or {}).get("state") == "result":
            continue  # finished: checked in full at the end
        expected = expected_session(user.script).answers
        for qid in acknowledged(fake, user.id):
            book.acked_checked += 1
            if stored.get(qid) != expected.get(qid):
                book.lost.append(f"kill {book.kills}, user {user.id}, {qid}: stored {stored.get(qid)!r}")


def check_finished(fake: E2EFake, db: Path, users: list[ScriptedUser], book: Book) -> None:
    sessions = stored_sessions(db, [u.id for u in users])
    for user in users:
        if not user.record.completed:
            continue
        stored = sessions[user.id]
        expected = expected_session(user.script).answers
        if stored is None or stored.get("answers") != expected:
            book.applied_twice.append(f"user {user.id}: stored answers differ from the script")
        twice = [qid for qid, n in Counter(user.record.acked).items() if n > 1]
        if twice:
            book.applied_twice.append(f"user {user.id}: acknowledged twice {twice}")


def start_broadcast(db: Path, chats: list[int], number: int) -> str:
    """An admin broadcast to every subscribed chat, written while the bot is dead; the restart resumes it."""
    text = f"Rundschreiben {number}: neue Termine der Digitalsprechstunde"
    storage = Storage(db)
    try:
        storage.broadcasts.create_broadcast(
            "admin", [PlannedDelivery(chat_id=c, language="de") for c in chats], text=text, status="running"
        )
    finally:
        storage.close()
    return text


def broadcast_running(db: Path) -> bool:
    storage = Storage(db)
    try:
        return bool(storage.broadcasts.unfinished_broadcasts())
    finally:
        storage.close()


def run(args: argparse.Namespace, workdir: Path) -> int:
    rng = Random(args.seed)
    db = workdir / "bot.db"
    book = Book()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + args.chats))
    started = time.monotonic()
    deadline = started + args.minutes * 60
    with running_fake() as fake:
        storage = Storage(db)
        with storage.db.atomic():
            for chat_id in chats:
                fake.user(chat_id, language_code="de")
                storage.tips.subscribe_tips(chat_id, kind="private", language="de")
        storage.close()
        bot = PacedBot(fake, db, workdir / "bot.log")
        bot.start()
        next_id = FIRST_USER
        active: dict[Future[DialogueRecord], ScriptedUser] = {}
        done_users: list[ScriptedUser] = []
        with ThreadPoolExecutor(max_workers=args.users) as pool:

            def fill() -> None:
                nonlocal next_id
                while len(active) < args.users:
                    script = random_script(rng, rng.choice(LANGUAGES))
                    user = ScriptedUser(
                        fake,
                        next_id,
                        script,
                        patience=3,
                        time_limit=args.minutes * 60 + 300,
                        max_nudges=10_000,
                    )
                    next_id += 1
                    active[pool.submit(user.run)] = user

            def harvest() -> None:
                for future in [f for f in active if f.done()]:
                    user = active.pop(future)
                    book.records.append(future.result())
                    done_users.append(user)

            fill()
            try:
                while book.kills < args.kills and time.monotonic() < deadline:
                    time.sleep(rng.uniform(args.min_uptime, args.max_uptime))
                    busy = broadcast_running(db)
                    bot.kill()
                    book.kills += 1
                    book.kills_during_broadcast += busy
                    check_acknowledged(fake, db, list(active.values()), book)
                    if book.kills % args.broadcast_every == 0 and not busy:
                        book.broadcasts.append(start_broadcast(db, chats, len(book.broadcasts) + 1))
                    harvest()
                    fill()
                    bot.start()
                    if book.kills % 50 == 0:
                        print(
                            f"{book.kills} kills, {len(book.records)} dialogues finished, "
                            f"{time.monotonic() - started:.0f} s",
                            flush=True,
                        )
            finally:
                for future in list(active):  # no more kills: the running dialogues finish
                    book.records.append(future.result(timeout=args.dialogue_limit + 60))
                    done_users.append(active.pop(future))
        end = time.monotonic() + 300
        while broadcast_running(db) and time.monotonic() < end:
            time.sleep(0.5)
        unfinished_broadcasts = broadcast_running(db)
        bot.stop()
        check_finished(fake, db, done_users, book)
        counts = {
            text: [sum(1 for m in fake.messages(chat) if m.get("text") == text) for chat in chats]
            for text in book.broadcasts
        }
        redelivered = redelivered_updates(fake)
        startup = sorted(bot.startup_seconds)
    storage = Storage(db)
    uncertain = storage.rows("select count(*) as n from deliveries where status = 'uncertain'")[0]["n"]
    storage.close()
    records = book.records
    duplicates = sum(max(0, n - 1) for per_chat in counts.values() for n in per_chat)
    missing = sum(1 for per_chat in counts.values() for n in per_chat if n == 0)
    lost_actions = sum(len(r.lost_actions) for r in records)
    lost_nudges = sum(r.lost_nudges for r in records)
    figures = {
        "kills": book.kills,
        "kills during a broadcast": book.kills_during_broadcast,
        "minutes": f"{(time.monotonic() - started) / 60:.1f}",
        "dialogues": len(records),
        "completed": sum(r.completed for r in records),
        "failed dialogues": sum(1 for r in records if r.error),
        "acknowledged answers checked at kills": book.acked_checked,
        "acknowledged answers lost": len(book.lost),
        "updates handed out again after a kill": redelivered,
        "updates applied twice": len(book.applied_twice),
        "replies to no input": sum(len(r.unmatched) for r in records),
        "broadcasts": len(book.broadcasts),
        "broadcast messages": sum(len(per_chat) for per_chat in counts.values()),
        "broadcast duplicates": duplicates,
        "broadcast sends uncertain (not repeated)": uncertain,
        "broadcast messages missing": missing,
        "broadcasts unfinished": int(unfinished_broadcasts),
        "replies lost to a kill (answers, confirmations)": lost_actions,
        "replies lost to a kill (the user's nudges)": lost_nudges,
        "nudges (user asked again after 3 s without reply)": sum(r.nudges for r in records),
        "'something went wrong' replies": sum(r.sorry for r in records),
        "restart to first poll, median s": f"{startup[len(startup) // 2]:.2f}" if startup else "-",
    }
    for name, value in figures.items():
        print(f"{name:<52} {value}")
    for line in (book.lost + book.applied_twice)[:20]:
        print("  " + line)
    for record in [r for r in records if r.error][:3]:
        print(f"  user {record.user_id}: {record.error[:3000]}")
    bad = book.lost or book.applied_twice or duplicates or any(r.error for r in records)
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--users", type=int, default=16, help="dialogues at the same time")
    parser.add_argument("--chats", type=int, default=120, help="subscribed chats each broadcast goes to")
    parser.add_argument("--broadcast-every", type=int, default=10, help="start a broadcast every N kills")
    parser.add_argument("--minutes", type=float, default=120, help="stop killing after this long")
    parser.add_argument(
        "--dialogue-limit", type=float, default=600, help="a dialogue not finished after this long fails"
    )
    parser.add_argument("--min-uptime", type=float, default=0.05)
    parser.add_argument("--max-uptime", type=float, default=1.5)
    parser.add_argument("--seed", type=int, default=20_261_201)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the database and log here")
    args = parser.parse_args()
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return run(args, args.workdir)
    with tempfile.TemporaryDirectory() as workdir:
        return run(args, Path(workdir))


if __name__ == "__main__":
    sys.exit(main())
