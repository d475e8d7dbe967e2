"""XLSX writers compared on the export's shape: 100,000 rows x 16 cells (ints, short keys, empty cells).

    python -m benchmarks.xlsx_writers                      # every writer installed, 100,000 rows, 3 runs each
    python -m benchmarks.xlsx_writers --rows 10000 --writers own,xlsxwriter

Each writer runs in a fresh subprocess, rows come from a generator (as the export streams them), and the
figures are the median wall and CPU time of writing and that process's peak resident memory (``VmHWM``;
the interpreter and the writer's imports included; CPU time is the steadier figure on a shared machine). ``own`` is ``bot.xlsx``, the project's streaming writer; the
others are optional packages (``pip install xlsxwriter pyexcelerate rustpy-xlsxwriter``), skipped when missing.
Every file is read back with openpyxl once (row count and one row) to check it is a workbook.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.export import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
WRITERS = {  # name -> (module that must be importable, description)
    "openpyxl": ("openpyxl", "openpyxl write-only"),
    "xlsxwriter": ("xlsxwriter", "XlsxWriter constant_memory"),
    "pyexcelerate": ("pyexcelerate", "pyexcelerate"),
    "rustpy-xlsxwriter": ("rustpy_xlsxwriter", "rustpy-xlsxwriter (Rust rust_xlsxwriter)"),
    "own": ("bot.xlsx", "own SpreadsheetML through zipfile (bot/xlsx.py)"),
}


def rows(count: int, seed: int = 3) -> Iterator[list[Any]]:
    """Rows shaped like the export's: an id, a month, a language, keys, rounded shares, some empty cells."""
    rng = random.Random(seed)
    keys = ["lt10", "10_49", "50_249", "unknown", "no", "current", "outdated", "partly", "regular", None]
    for number in range(1, count + 1):
        yield [
            number,
            f"2025-{rng.randint(1, 12):02d}",
            rng.choice(["de", "en"]),
            *(rng.choice(keys) for _ in range(8)),
            *(rng.choice([0, 5, 10, 15, 20, 35, None]) for _ in range(3)),
            rng.choice(["micro", "small", "medium"]),
            rng.randint(0, 20) * 5,
        ]


def write(writer: str, count: int, path: Path) -> None:
    header = list(COLUMNS)
    if writer == "openpyxl":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("rows")
        sheet.append(header)
        for row in rows(count):
            sheet.append(row)
        workbook.save(path)
    elif writer == "xlsxwriter":
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        worksheet = book.add_worksheet("rows")
        worksheet.write_row(0, 0, header)
        for index, row in enumerate(rows(count), start=1):
            worksheet.write_row(index, 0, row)
        book.close()
    elif writer == "pyexcelerate":
        from pyexcelerate import Workbook as FastWorkbook

        book = FastWorkbook()
        book.new_sheet("rows", data=[header, *rows(count)])  # takes a list: the whole sheet in memory
        book.save(str(path))
    elif writer == "rustpy-xlsxwriter":
        from rustpy_xlsxwriter import FastExcel

        records = (dict(zip(header, row, strict=True)) for row in rows(count))
        FastExcel(str(path)).sheet("rows", records).save()
    elif writer == "own":
        from bot.xlsx import write_xlsx

        with path.open("wb") as out:
            write_xlsx(out, [("rows", _with_header(header, count))])
    else:
        raise ValueError(writer)


def _with_header(header: list[str], count: int) -> Iterator[list[Any]]:
    yield header
    yield from rows(count)


def child(writer: str, count: int, path: Path) -> None:
    """Run in the subprocess: write once, print wall seconds, CPU seconds and peak MB.

    The peak is VmHWM, which starts afresh with the new program; ``ru_maxrss`` would carry the parent's peak
    over the fork.
    """
    started, cpu = time.perf_counter(), time.process_time()
    write(writer, count, path)
    seconds, used = time.perf_counter() - started, time.process_time() - cpu
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(seconds, used, peak / 1024)


def check(path: Path, count: int) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    sheet = workbook[workbook.sheetnames[0]]
    found = list(sheet.iter_rows(values_only=True))
    if len(found) != count + 1 or list(found[0]) != list(COLUMNS) or found[1][0] != 1:
        raise RuntimeError(f"{path.name}: {len(found)} rows, header {found[0]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writers", default=",".join(WRITERS))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.rows, Path(args.child[1]))
        return 0
    from benchmarks.common import markdown_table  # not in the writers' processes: PTB is large

    table = []
    with tempfile.TemporaryDirectory(prefix="kmu-xlsx-") as tmp:
        for writer in args.writers.split(","):
            module, label = WRITERS[writer]
            if importlib.util.find_spec(module.split(".")[0]) is None:
                print(f"# {writer}: not installed, skipped", file=sys.stderr)
                continue
            path = Path(tmp) / f"{writer}.xlsx"
            seconds, cpus, peaks = [], [], []
            for _ in range(args.runs):
                command = [sys.executable, "-m", "benchmarks.xlsx_writers", "--rows", str(args.rows)]
                run = subprocess.run(
                    [*command, "--child", writer, str(path)],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                wall, used, peak = (float(part) for part in run.stdout.split())
                seconds.append(wall)
                cpus.append(used)
                peaks.append(peak)
            check(path, args.rows)
            table.append(
                [
                    label,
                    f"{statistics.median(seconds):.2f} s",
                    f"{min(seconds):.2f}–{max(seconds):.2f} s",
                    f"{statistics.median(cpus):.2f} s",
                    f"{max(peaks):.0f} MB",
                    f"{path.stat().st_size / 1e6:.1f} MB",
                ]
            )
            print(f"# {writer}: {statistics.median(seconds):.2f} s", file=sys.stderr)
    print(
        markdown_table(
            ["writer", "seconds (median)", "range", "CPU seconds (median)", "peak RSS", "file"], table
        )
    )
    print(
        f"\n{args.rows:,} rows x {len(COLUMNS)} cells, {args.runs} runs each, python {sys.version.split()[0]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
