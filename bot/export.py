"""Anonymous exports of consenting respondents' latest results as CSV, JSON or XLSX, streamed from SQLite.

Anonymous by construction: one row per consenting respondent under a row number of a fresh random shuffle,
year-month only, size figures as the SME-ceiling bands, shares and score rounded to 5 points, choices as
their keys, and no identity, name, free text or referral code. Combinations of the quasi-identifiers
(month, language, size bands, sector) held by fewer than ``k`` respondents are left out and counted.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from bot.anonymity import DEFAULT_K, round_to_5
from bot.storage import SHARES, Banding, ConsentedResults, Storage
from bot.xlsx import write_xlsx
from dialogs.classification import SizeClass
from dialogs.declaration import ENTERPRISE_TYPES
from dialogs.engine import LANGUAGES
from dialogs.questions import QUESTION_BY_ID, Question

FORMATS = ("csv", "json", "xlsx")
CHUNK_SIZE = 2000

SIZE_QUESTIONS = ("staff", "turnover", "balance_sheet")
CHOICE_QUESTIONS = (
    "linked",
    "owns",
    "sector",
    "customers",
    "reach",
    "website",
    "social_presence",
    "results_check",
    "referral",
)
# Choices that, beside month, language and the size bands, narrow a group enough to single out a firm
# ("the one hotel with 50-249 staff"): a row is exported only when k respondents share all of them.
QUASI_CHOICES = ("sector",)
# Results stored before the ownership question had bands answered "is another company holding 25 % or more?".
OLD_LINKED = {"no": "none", "yes": "25plus"}
SHARE_QUESTIONS = SHARES
COLUMNS: tuple[str, ...] = (
    "export_id",
    "month",
    "language",
    *(f"{q}_band" for q in SIZE_QUESTIONS),
    *CHOICE_QUESTIONS,
    "enterprise_type",
    *SHARE_QUESTIONS,
    "category",
    "score",
)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: rows kept, rows left out by k-suppression, and the k used."""

    format: str
    rows: int
    suppressed: int
    k: int


def parse_month(text: str) -> str:
    """A ``--since`` month, "YYYY-MM"; raises ValueError otherwise."""
    if not _MONTH.match(text.strip()):
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    return text.strip()


def export_filename(fmt: str, when: datetime | None = None) -> str:
    month = (when or datetime.now(UTC)).strftime("%Y-%m")
    return f"kmu-berater-export-{month}.{fmt}"


def size_banding(question: Question) -> Banding:
    """The SME-ceiling bands of a number question, each bounded by the next band's lower end."""
    ranged = [c for c in question.choices if c.low is not None]
    bounds = [float(c.low) for c in ranged[1:] if c.low is not None] + [None]
    others = tuple(c.key for c in question.choices if c.low is None)
    return Banding(question.id, tuple(zip((c.key for c in ranged), bounds, strict=True)), others)


# Answers repeat a few values over and over, so an export rounds and checks each distinct value once.
_rounded = functools.lru_cache(maxsize=4096, typed=True)(round_to_5)


_KEYS = {q.id: frozenset(c.key for c in q.choices) for q in QUESTION_BY_ID.values()}
_CATEGORIES = frozenset(c.value for c in SizeClass)


def _known_key(question_id: str, value: Any) -> str | None:
    return str(value) if value is not None and str(value) in _KEYS[question_id] else None


def anonymous_row(export_id: int, raw: dict[str, Any]) -> dict[str, Any]:
    """One export row from a snapshot row: only whitelisted keys, bands and rounded numbers survive."""
    row: dict[str, Any] = {
        "export_id": export_id,
        "month": raw["month"] if raw.get("month") and _MONTH.match(str(raw["month"])) else None,
        "language": raw["language"] if raw.get("language") in LANGUAGES else None,
    }
    for question_id in SIZE_QUESTIONS:
        row[f"{question_id}_band"] = _known_key(question_id, raw.get(f"{question_id}_band"))
    for question_id in CHOICE_QUESTIONS:
        row[question_id] = _known_key(question_id, raw.get(question_id))
    # the type of enterprise (autonomous, partner, linked, not an SME): never a related enterprise itself
    row["enterprise_type"] = (
        raw["enterprise_type"] if raw.get("enterprise_type") in ENTERPRISE_TYPES else None
    )
    if raw.get("linked") in OLD_LINKED:
        row["linked"] = OLD_LINKED[raw["linked"]]
    for question_id in SHARE_QUESTIONS:  # read by storage's rule for a company without online budget
        rounded = _rounded(raw.get(question_id))
        row[question_id] = rounded if rounded is None or 0 <= rounded <= 100 else None
    row["category"] = raw["category"] if raw.get("category") in _CATEGORIES else None
    score = _rounded(raw.get("score"))
    row["score"] = score if score is None or 0 <= score <= 100 else None
    return row


def snapshot(storage: Storage, since: str | None = None) -> ConsentedResults:
    """The storage snapshot an export reads: size bands in SQL, choices as stored, shares by storage's rule."""
    return storage.stats.consented_results(
        bandings=[size_banding(QUESTION_BY_ID[q]) for q in SIZE_QUESTIONS],
        values=[*CHOICE_QUESTIONS, "enterprise_type", *SHARE_QUESTIONS],
        since=since,
        quasi_values=QUASI_CHOICES,
    )


def anonymous_rows(
    results: ConsentedResults, k: int, progress: Progress | None = None
) -> tuple[int, int, Iterator[dict[str, Any]]]:
    """Rows kept, rows suppressed, and a generator of the kept rows (group counts come first, from SQL)."""
    kept_groups: set[tuple[Any, ...]] = set()
    kept = suppressed = 0
    for group, n in results.group_counts():
        if n >= k:
            kept_groups.add(group)
            kept += n
        else:
            suppressed += n

    def generate() -> Iterator[dict[str, Any]]:
        number = 0
        for raw in results.rows(CHUNK_SIZE):
            if tuple(raw[c] for c in results.quasi_identifiers) not in kept_groups:
                continue
            number += 1
            yield anonymous_row(number, raw)
            if progress is not None and (number % CHUNK_SIZE == 0 or number == kept):
                progress(number, kept)

    return kept, suppressed, generate()


def write_export(
    storage: Storage,
    out: IO[bytes],
    *,
    fmt: str = "csv",
    k: int = DEFAULT_K,
    since: str | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """Stream the anonymous export in ``fmt`` to the binary file ``out``; memory does not grow with the data."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if k < 2:
        raise ValueError("k must be at least 2: with k = 1 nothing would be suppressed")
    with snapshot(storage, since) as results:
        kept, suppressed, rows = anonymous_rows(results, k, progress)
        writer = {"csv": _write_csv, "json": _write_json, "xlsx": _write_xlsx}[fmt]
        written = writer(out, rows, kept=kept, suppressed=suppressed, k=k)
    return ExportSummary(fmt, written, suppressed, k)


def _write_csv(out: IO[bytes], rows: Iterator[dict[str, Any]], *, kept: int, suppressed: int, k: int) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
    # The trailing comment line is the export's metadata; csv readers can skip lines starting with "#".
    text.write(f"# rows={written} suppressed={suppressed} k={k}\n")
    text.flush()
    text.detach()
    return written


def _write_json(out: IO[bytes], rows: Iterator[dict[str, Any]], *, kept: int, suppressed: int, k: int) -> int:
    out.write(b'{"rows": [')
    written = 0
    for row in rows:
        out.write((b",\n" if written else b"\n") + json.dumps(row, ensure_ascii=False).encode())
        written += 1
    out.write(f'\n], "suppressed": {suppressed}, "k": {k}}}\n'.encode())
    return written


def _write_xlsx(out: IO[bytes], rows: Iterator[dict[str, Any]], *, kept: int, suppressed: int, k: int) -> int:
    written = 0

    def body() -> Iterator[list[Any]]:
        nonlocal written
        yield list(COLUMNS)
        for row in rows:
            yield [row[c] for c in COLUMNS]
            written += 1

    def about() -> Iterator[list[Any]]:
        yield ["rows", written]
        yield ["suppressed", suppressed]
        yield ["k", k]
        yield [
            "note",
            f"combinations of month, language and size bands held by fewer than {k} "
            "respondents are left out; shares and score rounded to 5 points",
        ]

    write_xlsx(out, [("rows", body()), ("about", about())])
    return written


# --- the shell command ---------------------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal or the export is small."""

    def __init__(self, stream: TextIO, minimum: int = 10_000, width: int = 30) -> None:
        self.stream = stream
        self.minimum = minimum
        self.width = width
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total < self.minimum or not self.stream.isatty():
            return
        percent = done * 100 // max(total, 1)
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\rExporting [{bar}] {percent:3d} % ({done:,}/{total:,}){end}")
        self.stream.flush()


def export_to_file(
    storage: Storage,
    output: str,
    *,
    fmt: str,
    k: int = DEFAULT_K,
    since: str | None = None,
    stderr: TextIO = sys.stderr,
) -> int:
    """Write the export to ``output`` (atomically: a half-written file never takes its name); exit status."""
    target = Path(output).expanduser()
    directory = target.resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".export-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            summary = write_export(storage, out, fmt=fmt, k=k, since=since, progress=ProgressBar(stderr))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stderr.write(
        f"Exported {summary.rows:,} respondents to {target} ({fmt}); {summary.suppressed:,} left out because "
        f"their combination of month, language and size bands is held by fewer than k={k}.\n"
    )
    return 0
