"""Benchmark of the anonymous export: time and peak memory for CSV, JSON and XLSX at 10,000 and 100,000 respondents.

    python benchmarks/export.py                 # 10,000 and 100,000 respondents, every format
    python benchmarks/export.py --sizes 100000 --formats csv
    python benchmarks/export.py --sizes 100000 --formats csv xlsx --lang de   # labels in the cells
    python benchmarks/export.py --sizes 100000 --formats csv xlsx --repeat 3   # XLSX beside CSV, three rounds

Each export runs in a fresh subprocess (``python run_bot.py export ...``, as an admin would run it); its peak
resident memory is that subprocess's ``VmHWM``, so interpreter and imports are included (``ru_maxrss`` would
also count this process's memory at the fork). The same figure
at 10 x the data shows whether memory grows with the data (it should not: the export streams).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage import Storage  # noqa: E402
from dialogs.questions import QUESTION_BY_ID  # noqa: E402

TARGET_SECONDS = 10.0
TARGET_MB_CSV = 150.0
TARGET_SECONDS_XLSX = 6.0
TARGET_MB_XLSX = 100.0
TARGET_XLSX_OVER_CSV = 1.3  # the XLSX export's time over the CSV export's, same database, same round


def _answers(rng: random.Random) -> dict[str, dict[str, str | None]]:
    def band(question_id: str) -> dict[str, str | None]:
        choice = rng.choice([c for c in QUESTION_BY_ID[question_id].choices])
        return {"value": None if choice.value is None else str(choice.value), "band": choice.key}

    def key(question_id: str) -> dict[str, str | None]:
        return {"value": rng.choice(QUESTION_BY_ID[question_id].choices).key, "band": None}

    online = rng.choice(["0", "5", "10", "12.5", "20", "35", "60"])
    return {
        "staff": {"value": str(rng.randint(1, 300)), "band": None} if rng.random() < 0.5 else band("staff"),
        "turnover": {"value": str(rng.randint(100_000, 60_000_000)), "band": None}
        if rng.random() < 0.5
        else band("turnover"),
        "balance_sheet": band("balance_sheet"),
        "linked": key("linked"),
        "website": key("website"),
        "social_presence": key("social_presence"),
        "online_share": {"value": online, "band": None},
        "social_share": {"value": str(min(float(online), rng.choice([0, 1, 3, 5]))), "band": None},
        "controlling_share": {"value": "1", "band": None},
        "results_check": key("results_check"),
        "referral": key("referral"),
    }


def fill(path: Path, respondents: int, seed: int = 5) -> None:
    """A database with ``respondents`` consenting respondents, one result each, over twelve months."""
    storage = Storage(path)
    rng = random.Random(seed)
    categories = ["micro", "small", "medium", "small_midcap", "large"]
    with storage.db.atomic():
        batch_r: list[dict[str, object]] = []
        batch_res: list[dict[str, object]] = []
        for index in range(respondents):
            rid = f"{rng.getrandbits(128):032x}"
            month = f"2025-{index % 12 + 1:02d}"
            batch_r.append(
                {
                    "id": rid,
                    "created_at": f"{month}-01T00:00:00+00:00",
                    "language": "de" if rng.random() < 0.8 else "en",
                    "consent": 1 if rng.random() < 0.9 else 0,
                    "referral_code": None,
                }
            )
            batch_res.append(
                {
                    "respondent_id": rid,
                    "created_at": f"{month}-15T12:00:00+00:00",
                    "category": rng.choice(categories),
                    "score": rng.randint(0, 100),
                    "answers": json.dumps(_answers(rng)),
                    "step_ids": "[]",
                }
            )
            if len(batch_r) == 5000:
                storage.db["respondents"].insert_all(batch_r)
                storage.db["results"].insert_all(batch_res)
                batch_r, batch_res = [], []
        if batch_r:
            storage.db["respondents"].insert_all(batch_r)
            storage.db["results"].insert_all(batch_res)
    storage.close()


def measure(
    database: Path, fmt: str, output: Path, language: str | None = None
) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (the whole process), peak RSS in MB and the summary line of one export."""
    code = (
        "import runpy, sys, time\n"
        "start = time.perf_counter()\n"
        "sys.argv = ['run_bot.py', 'export', '--format', sys.argv[1], '--output', sys.argv[2], *sys.argv[3:]]\n"
        "try:\n"
        "    runpy.run_path('run_bot.py', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "print(time.perf_counter() - start, time.process_time(), peak, file=sys.stderr)\n"
    )
    env = {**os.environ, "DATABASE_PATH": str(database)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    run = subprocess.run(
        [sys.executable, "-c", code, fmt, str(output), *(["--lang", language] if language else [])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = run.stderr.strip().splitlines()
    seconds, cpu, peak_kb = lines[-1].split()
    return float(seconds), float(cpu), int(peak_kb) / 1024, lines[-2]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "json", "xlsx"])
    parser.add_argument("--lang", choices=("de", "en"), default=None, help="labels instead of codes")
    parser.add_argument(
        "--repeat", type=int, default=1, help="export each size N times, the formats alternating (default: 1)"
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(
        f"{'respondents':>11}  {'format':6}  {'seconds':>7}  {'CPU s':>7}  {'peak MB':>7}  {'file MB':>7}  "
        "rows / suppressed"
    )
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            database = Path(tmp) / f"bench-{size}.db"
            started = time.perf_counter()
            fill(database, size)
            print(f"# filled {size:,} respondents in {time.perf_counter() - started:.1f} s")
            runs = [fmt for _ in range(args.repeat) for fmt in args.formats]
            timings: list[dict[str, tuple[float, float]]] = [{} for _ in range(args.repeat)]
            for number, fmt in enumerate(runs):
                output = Path(tmp) / f"export-{size}.{fmt}"
                seconds, cpu, peak, summary = measure(database, fmt, output, args.lang)
                timings[number // len(args.formats)][fmt] = (seconds, cpu)
                print(
                    f"{size:>11,}  {fmt:6}  {seconds:7.2f}  {cpu:7.2f}  {peak:7.1f}  {output.stat().st_size / 1e6:7.1f}  "
                    f"{summary.split(' to ')[0].removeprefix('Exported ')} / "
                    f"{summary.split('; ')[1].split(' left out')[0]}"
                )
                if size >= 100_000 and fmt == "csv" and (seconds > TARGET_SECONDS or peak > TARGET_MB_CSV):
                    failed = True
                    print(f"CSV target missed: under {TARGET_SECONDS:.0f} s and {TARGET_MB_CSV:.0f} MB")
                if (
                    size >= 100_000
                    and fmt == "xlsx"
                    and (seconds > TARGET_SECONDS_XLSX or peak > TARGET_MB_XLSX)
                ):
                    failed = True
                    print(
                        f"XLSX target missed: under {TARGET_SECONDS_XLSX:.0f} s and {TARGET_MB_XLSX:.0f} MB"
                    )
            for number, run in enumerate(timings, start=1):  # XLSX beside the CSV of the same round
                if "csv" in run and "xlsx" in run:
                    (csv_s, csv_cpu), (xlsx_s, xlsx_cpu) = run["csv"], run["xlsx"]
                    print(
                        f"# {size:,}, round {number}: XLSX / CSV {xlsx_s / csv_s:.2f}x wall, "
                        f"{xlsx_cpu / csv_cpu:.2f}x CPU (target <= {TARGET_XLSX_OVER_CSV}x)"
                    )
                    for measured, ratio in (("time", xlsx_s / csv_s), ("CPU time", xlsx_cpu / csv_cpu)):
                        if size >= 100_000 and ratio > TARGET_XLSX_OVER_CSV:
                            failed = True
                            print(f"XLSX target missed: at most {TARGET_XLSX_OVER_CSV}x the CSV's {measured}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
