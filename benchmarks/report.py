"""Benchmark of the PDF report: build time and file size per language, next to the chat's chart as baseline.

    python benchmarks/report.py              # 20 builds per profile and language
    python benchmarks/report.py --runs 50

The baseline is what every result already costs in the chat: drawing the marketing-split chart once (uncached).
Both are timed in the same process after one warm-up build, so imports (matplotlib ~0.5 s) are not counted;
the first report of a fresh process pays them once (measured separately). Exits 1 if the median CPU time of
a build reaches 0.5 s or a report 300 KB. CPU time, because on a shared machine the wall-clock time mostly
measures how long the build waited for a core; both are printed, with the chat chart's as the yardstick.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.chart import draw_split_chart  # noqa: E402
from bot.report import build_report  # noqa: E402
from dialogs.advice import build_advice  # noqa: E402
from dialogs.classification import classify_sme  # noqa: E402
from dialogs.group import Group  # noqa: E402
from dialogs.profile import CompanyProfile  # noqa: E402
from dialogs.screens import Result  # noqa: E402

TARGET_SECONDS = 0.5
TARGET_BYTES = 300 * 1024
D = Decimal


def result_of(profile: CompanyProfile) -> Result:
    classification = classify_sme(
        profile.staff,
        profile.turnover,
        profile.balance_sheet,
        banded=profile.banded,
        group=profile.group,
        no_balance_sheet=profile.no_balance_sheet,
    )
    return Result(profile, classification, build_advice(profile, classification))


# A small firm far behind (seven steps, five comparisons) and a micro firm doing well (seven steps, four
# comparisons), both selling to businesses, so both reports carry the marketing chart.
PROFILES = {
    "small firm, B2B": CompanyProfile(
        staff=D(30),
        turnover=D(4_000_000),
        balance_sheet=None,
        group=Group(),
        customers="business",
        website="outdated",
        social_presence="none",
        online_share=D(5),
        social_share=D(0),
        controlling_share=D(0),
        results_check="no",
        referral="occasional",
    ),
    "micro doing well, B2B": CompanyProfile(
        staff=D(4),
        turnover=D(350_000),
        balance_sheet=D(200_000),
        group=Group(),
        customers="business",
        website="current",
        social_presence="strategy",
        online_share=D(60),
        social_share=D(20),
        controlling_share=D(8),
        results_check="yes",
        referral="active",
    ),
}


def timings(work: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run; on a busy machine the CPU time is the steadier figure."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


FIRST_REPORT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from benchmarks.report import PROFILES, result_of
from datetime import date
result = result_of(PROFILES["small firm, B2B"])
start = time.perf_counter()
from bot.report import build_report
build_report(result, "de", date(2026, 12, 1))
print(time.perf_counter() - start)
"""


def first_report_seconds() -> float:
    """Wall time of the first report in a new process: matplotlib and fpdf2 imports, fonts, one build."""
    run = subprocess.run(
        [sys.executable, "-c", FIRST_REPORT, str(ROOT)], capture_output=True, text=True, check=True
    )
    return float(run.stdout.strip())


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    today = date(2026, 12, 1)
    ok = True
    print(
        "| profile | language | chat chart ms (CPU) | report ms (CPU) | report max ms | report / chart"
        " | pages | KB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, profile in PROFILES.items():
        result = result_of(profile)
        shares = (profile.online_share, profile.social_share, profile.controlling_share)
        for language in ("de", "en"):
            pdf = build_report(result, language, today)  # warm-up: imports, fonts from disk
            chart, chart_cpu = timings(lambda: draw_split_chart(shares, language), args.runs)  # noqa: B023
            report, report_cpu = timings(lambda: build_report(result, language, today), args.runs)  # noqa: B023
            median = statistics.median(report_cpu)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(
                f"| {name} | {language} | {_ms(chart)} ({_ms(chart_cpu)}) | {_ms(report)} ({_ms(report_cpu)})"
                f" | {max(report) * 1000:.0f} | {statistics.median(report) / statistics.median(chart):.1f}"
                f" | {pages} | {len(pdf) / 1024:.0f} |"
            )
            ok = ok and median < TARGET_SECONDS and len(pdf) < TARGET_BYTES
    print(f"first report of a fresh process (imports, fonts cut down once): {first_report_seconds():.2f} s")
    print(
        f"targets: median CPU per build < {TARGET_SECONDS * 1000:.0f} ms and size < {TARGET_BYTES // 1024} KB:"
        f" {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
