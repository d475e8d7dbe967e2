"""Memory and cold start: resident memory with 100,000 stored and 10,000 active sessions, beside a bare echo bot.

    python -m benchmarks.memory                          # 100,000 stored, 10,000 active, 5 cold starts each
    python -m benchmarks.memory --stored 20000 --active 2000 --starts 3

Each bot is measured in a fresh worker process (``--worker ours`` / ``--worker echo``), so the figures are
that process's own: interpreter, imports, the application and the data. Ours first stores ``--stored``
respondents with a session each, through ``Storage`` in one transaction, spread over every state of the
questionnaire; then ``--active`` distinct users each send one update through the real ``Application``
(in-process ``FakeRequest``, SQLite file in a temporary directory); finally one user confirms the summary,
which draws the first chart (Pillow), then 199 more at once. The echo worker gets the same number of users,
one update each.
Resident memory is ``VmRSS`` from ``/proc/self/status``, the peak ``ru_maxrss``.

Cold start is the time from ``Popen`` of ``python run_bot.py telegram`` (or ``benchmarks/echo_bot.py``) to
the fake Bot API's first getUpdates request, the median of ``--starts`` alternating starts, with the CPU time
the process used until then beside it (on a shared machine the wall time mostly measures the wait for a CPU).
The code is compiled to bytecode before the workers and the starts, as the Dockerfile does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update

from benchmarks.common import (
    ECHO_BOT,
    OUR_BOT,
    QUESTIONS_SCRIPT,
    RESULT_STEP,
    ROOT,
    TOKEN,
    BotProcess,
    QuietRequest,
    UpdatePayloads,
    build_echo_application,
    markdown_table,
    median,
    peak_rss_mb,
    rss_mb,
    stores,
    without_rate_limiter,
)
from tests.support.botapi import BotApiFake

TARGET_MB = 150.0
RESULTS_AT_ONCE = 199  # after the first result: 200 in all
PEAK_RATIO_TARGET = 1.5
COLD_START_RATIO_TARGET = 1.3
CHANNEL = "telegram"  # as the Telegram channel stores its identities


# --- the workers ------------------------------------------------------------------------------------


async def snapshots(workdir: Path) -> list[dict[str, Any]]:
    """The stored session after consent and after each answer: one user's questionnaire, read back."""
    from bot.config import load_config
    from bot.storage import Storage
    from bot.telegram.app import build_application

    database = workdir / "snapshots.db"
    storage = Storage(database)
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(database)})
    app = without_rate_limiter(
        build_application(config, storage, request=QuietRequest(), updates_request=QuietRequest())
    )
    payloads = UpdatePayloads()
    taken: list[dict[str, Any]] = []
    async with app:
        for number, step in enumerate(QUESTIONS_SCRIPT):
            await app.process_update(Update.de_json(payloads.step(1, step), app.bot))
            if number >= 1:  # from consent on
                respondent = stores(storage)[0].find_respondent(CHANNEL, 1)
                assert respondent is not None
                session = stores(storage)[1].load_session(respondent)
                assert session is not None
                taken.append(session)
    storage.close()
    assert taken[-1]["state"] == "summary", taken[-1]
    return taken


def store_sessions(storage: Any, count: int, sessions: list[dict[str, Any]]) -> None:
    """``count`` consenting respondents, user ids 1…count, each with one of the ``sessions``, in one transaction."""
    from bot.advisor import CONSENT_VERSION  # the version the bot asks for; an older one is asked again

    respondents, sessions_store = stores(storage)
    with storage.db.atomic():
        for user_id in range(1, count + 1):
            respondent = respondents.respondent_for(CHANNEL, user_id, language_code="de")
            respondents.set_consent(respondent, True, version=CONSENT_VERSION)
            sessions_store.store_session(
                respondent, sessions[user_id % len(sessions)], finished=False, reply_pending=False
            )


def active_updates(
    payloads: UpdatePayloads, users: int, sessions: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    """One update per user: the answer to the question their stored session is at (never the summary)."""
    user_id = 0
    sent = 0
    while sent < users:
        user_id += 1
        position = user_id % sessions  # this user's session is the snapshot taken after step position + 1
        if position == sessions - 1:
            continue  # at the summary: confirming would draw a chart for each of them
        yield user_id, payloads.step(user_id, QUESTIONS_SCRIPT[position + 2])
        sent += 1


async def worker_ours(stored: int, active: int) -> dict[str, Any]:
    from bot.config import load_config
    from bot.storage import Storage
    from bot.telegram.app import build_application

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kmu-memory-") as tmp:
        workdir = Path(tmp)
        sessions = await snapshots(workdir)
        database = workdir / "bot.db"
        storage = Storage(database)
        config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(database)})
        request = QuietRequest()
        app = without_rate_limiter(
            build_application(config, storage, request=request, updates_request=QuietRequest())
        )
        payloads = UpdatePayloads()
        async with app:
            figures["rss_started"] = rss_mb()
            began = time.perf_counter()
            store_sessions(storage, stored, sessions)
            figures["store_seconds"] = time.perf_counter() - began
            figures["rss_stored"] = rss_mb()
            figures["database_mb"] = database.stat().st_size / 2**20
            began = time.perf_counter()
            for _, payload in active_updates(payloads, active, len(sessions)):
                await app.process_update(Update.de_json(payload, app.bot))
            figures["active_seconds"] = time.perf_counter() - began
            figures["rss_active"] = rss_mb()
            figures["requests"] = request.count
            # Users whose stored session waits at the summary (none of them was active) confirm it.
            at_summary = [user for user in range(1, stored + 1) if user % len(sessions) == len(sessions) - 1]
            await app.process_update(Update.de_json(payloads.step(at_summary[0], RESULT_STEP), app.bot))
            assert any(api == "sendPhoto" for api, _ in request.calls), "no chart was sent"
            figures["rss_result"] = rss_mb()
            confirming = at_summary[1 : 1 + RESULTS_AT_ONCE]
            updates = [Update.de_json(payloads.step(user, RESULT_STEP), app.bot) for user in confirming]
            await asyncio.gather(*(app.process_update(update) for update in updates))
            figures["results_at_once"] = len(confirming)
            figures["rss_results"] = rss_mb()
        storage.close()
    figures["rss_peak"] = peak_rss_mb()
    return figures


async def worker_echo(active: int) -> dict[str, Any]:
    request = QuietRequest()
    app = build_echo_application(request=request, updates_request=QuietRequest())
    payloads = UpdatePayloads()
    figures: dict[str, Any] = {}
    async with app:
        figures["rss_started"] = rss_mb()
        began = time.perf_counter()
        for user_id in range(1, active + 1):
            await app.process_update(Update.de_json(payloads.message(user_id, "12"), app.bot))
        figures["active_seconds"] = time.perf_counter() - began
        figures["rss_active"] = rss_mb()
        figures["requests"] = request.count
    figures["rss_peak"] = peak_rss_mb()
    return figures


def run_worker(kind: str, stored: int, active: int) -> dict[str, Any]:
    """A worker in a fresh process, so that its memory is its own."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.memory",
        "--worker",
        kind,
        "--stored",
        str(stored),
        "--active",
        str(active),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {kind} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- cold start -------------------------------------------------------------------------------------


def compile_bytecode() -> None:
    """Compile the code to bytecode first, as the Dockerfile does: with PYTHONDONTWRITEBYTECODE set (as in the
    container) every process would otherwise compile it from source, which costs time and memory. The echo
    bot imports the benchmarks' helpers and with them the Bot API fake (tests/support): compiled alike."""
    compiled = [sys.executable, "-m", "compileall", "-q", "bot", "dialogs", "benchmarks", "tests/support"]
    subprocess.run(compiled, cwd=ROOT, check=True)


def cold_starts(starts: int, workdir: Path) -> dict[str, dict[str, list[float]]]:
    """Alternate starts of ours and the echo bot; each against a fresh fake, ours on one database."""
    found: dict[str, dict[str, list[float]]] = {
        "ours": {"seconds": [], "cpu": [], "rss": []},
        "echo": {"seconds": [], "cpu": [], "rss": []},
    }
    for number in range(starts):
        for kind in ("ours", "echo") if number % 2 == 0 else ("echo", "ours"):
            with BotApiFake(TOKEN, bot_username="KmuBeraterBenchBot") as fake:
                bot = BotProcess(OUR_BOT if kind == "ours" else ECHO_BOT, fake, workdir, kind)
                try:
                    found[kind]["seconds"].append(bot.start())
                    found[kind]["cpu"].append(bot.cpu_seconds())
                    found[kind]["rss"].append(rss_mb(bot.pid))
                finally:
                    bot.stop()
    return found


# --- the report -------------------------------------------------------------------------------------


def report(
    ours: dict[str, Any],
    echo: dict[str, Any],
    starts: dict[str, dict[str, list[float]]],
    stored: int,
    active: int,
) -> str:
    rows: list[list[object]] = []

    def row(
        metric: str,
        mine: float,
        theirs: float | None = None,
        unit: str = "MB",
        target: bool = False,
        ratio_target: float | None = None,
    ) -> None:
        def show(value: float) -> str:
            return f"{value:.0f} MB" if unit == "MB" else f"{value:.2f} s"

        ratio = None if theirs is None else mine / theirs
        goal, met = "", ""
        if target:
            goal, met = f"< {TARGET_MB:.0f} MB", "yes" if mine < TARGET_MB else "no"
        elif ratio_target is not None and ratio is not None:
            goal, met = f"<= {ratio_target}x echo", "yes" if ratio <= ratio_target else "no"
        rows.append(
            [
                metric,
                show(mine),
                "" if theirs is None else show(theirs),
                "" if ratio is None else f"{ratio:.2f}x",
                goal,
                met,
            ]
        )

    row("RSS after start (imports, application)", ours["rss_started"], echo["rss_started"])
    row(f"RSS with {stored:,} stored sessions", ours["rss_stored"])
    row(
        f"RSS with {stored:,} stored and {active:,} active sessions (echo: {active:,} users)",
        ours["rss_active"],
        echo["rss_active"],
        target=True,
    )
    row("RSS after a result with its chart (Pillow loaded)", ours["rss_result"], target=True)
    row(f"RSS after {ours['results_at_once']} more results at once", ours["rss_results"], target=True)
    row(
        f"peak RSS of the worker (ru_maxrss), after {ours['results_at_once'] + 1} results",
        ours["rss_peak"],
        echo["rss_peak"],
        ratio_target=PEAK_RATIO_TARGET,
    )
    row(
        f"cold start: Popen to first getUpdates (median of {len(starts['ours']['seconds'])})",
        median(starts["ours"]["seconds"]),
        median(starts["echo"]["seconds"]),
        unit="s",
        ratio_target=COLD_START_RATIO_TARGET,
    )
    row(
        "cold start: CPU of the process up to its first getUpdates (median; steadier on a loaded machine)",
        median(starts["ours"]["cpu"]),
        median(starts["echo"]["cpu"]),
        unit="s",
        ratio_target=COLD_START_RATIO_TARGET,
    )
    row(
        "RSS of the polling process right after its first getUpdates",
        median(starts["ours"]["rss"]),
        median(starts["echo"]["rss"]),
    )
    table = markdown_table(["metric", "ours", "echo baseline", "ratio", "target", "met?"], rows)
    notes = (
        f"storing {stored:,} sessions: {ours['store_seconds']:.1f} s in one transaction, database "
        f"{ours['database_mb']:.0f} MB; {active:,} active updates: ours {ours['active_seconds']:.1f} s "
        f"({ours['requests']:,} Bot API calls), echo {echo['active_seconds']:.1f} s"
    )
    return f"{table}\n\n{notes}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stored", type=int, default=100_000, help="stored sessions (default: 100,000)")
    parser.add_argument(
        "--active", type=int, default=10_000, help="users sending one update (default: 10,000)"
    )
    parser.add_argument("--starts", type=int, default=5, help="cold starts per bot (default: 5)")
    parser.add_argument("--worker", choices=("ours", "echo"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.active > args.stored:
        parser.error("--active cannot exceed --stored: the active users are stored ones")
    if args.worker == "ours":
        print(json.dumps(asyncio.run(worker_ours(args.stored, args.active))))
        return 0
    if args.worker == "echo":
        print(json.dumps(asyncio.run(worker_echo(args.active))))
        return 0
    started = time.perf_counter()
    compile_bytecode()
    ours = run_worker("ours", args.stored, args.active)
    echo = run_worker("echo", args.stored, args.active)
    with tempfile.TemporaryDirectory(prefix="kmu-coldstart-") as tmp:
        starts = cold_starts(args.starts, Path(tmp))
    print(report(ours, echo, starts, args.stored, args.active))
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
