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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from bot import codebook
from bot.anonymity import DEFAULT_K, round_to_5
from bot.storage import SHARES, Banding, ConsentedResults, Storage
from bot.xlsx import Sheet, write_xlsx
from dialogs.ceilings import SizeClass
from dialogs.declaration import ENTERPRISE_TYPES
from dialogs.questions import QUESTION_BY_ID, Question
from dialogs.text import LANGUAGES

FORMATS = ("csv", "json", "xlsx")
# "excel": RFC 4180 with commas, as pandas and most tools read it; "excel-de": what a German Excel opens with
# a double click (semicolons, a UTF-8 byte order mark, decimal commas).
DIALECTS = ("excel", "excel-de")
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
    language: str | None = None  # the labels' language; None: the cells hold the codes


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
    language: str | None = None,
    dialect: str = "excel",
) -> ExportSummary:
    """Stream the anonymous export in ``fmt`` to the binary file ``out``; memory does not grow with the data.

    With ``language`` the answer cells hold labels in that language instead of codes. The codebook (and the
    export's figures) is a sheet of the XLSX; for CSV and JSON ``write_codebook`` writes it beside.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if k < 2:
        raise ValueError("k must be at least 2: with k = 1 nothing would be suppressed")
    if dialect not in DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    with snapshot(storage, since) as results:
        _kept, suppressed, rows = anonymous_rows(results, k, progress)
        if language is not None:
            rows = _labelled(rows, codebook.code_labels(language))
        if fmt == "csv":
            written = _write_csv(out, rows, dialect)
        elif fmt == "json":
            written = _write_json(out, rows, suppressed=suppressed, k=k)
        else:
            written = _write_xlsx(out, rows, suppressed=suppressed, k=k, language=language)
    return ExportSummary(fmt, written, suppressed, k, language)


def _labelled(rows: Iterator[dict[str, Any]], labels: dict[str, dict[str, str]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        for column, names in labels.items():
            value = row[column]
            if value is not None:
                row[column] = names.get(value, value)
        yield row


def _write_csv(out: IO[bytes], rows: Iterator[dict[str, Any]], dialect: str) -> int:
    german = dialect == "excel-de"
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if german else "utf-8", newline="", write_through=False)
    writer = csv.DictWriter(
        text, fieldnames=COLUMNS, lineterminator="\r\n" if german else "\n", delimiter=";" if german else ","
    )
    writer.writeheader()
    written = 0
    for row in rows:
        if german:  # decimal commas; the export's numbers are whole today, so this guards future columns
            row = {c: (str(v).replace(".", ",") if isinstance(v, float) else v) for c, v in row.items()}
        writer.writerow(row)
        written += 1
    text.flush()
    text.detach()
    return written


def _write_json(out: IO[bytes], rows: Iterator[dict[str, Any]], *, suppressed: int, k: int) -> int:
    out.write(b'{"rows": [')
    written = 0
    for row in rows:
        out.write((b",\n" if written else b"\n") + json.dumps(row, ensure_ascii=False).encode())
        written += 1
    out.write(f'\n], "suppressed": {suppressed}, "k": {k}}}\n'.encode())
    return written


def _widths(language: str | None) -> list[float]:
    """Column widths that fit the header and the longest label (or code), within reason."""
    labels = codebook.code_labels(language or "en")
    widths = []
    for column in COLUMNS:
        values = labels.get(column, {})
        longest = max((len(v if language else k) for k, v in values.items()), default=8)
        widths.append(float(min(max(len(column), longest) + 2, 45)))
    return widths


def _write_xlsx(
    out: IO[bytes], rows: Iterator[dict[str, Any]], *, suppressed: int, k: int, language: str | None
) -> int:
    written = 0

    def body() -> Iterator[list[Any]]:
        nonlocal written
        yield list(COLUMNS)
        for row in rows:
            yield [row[c] for c in COLUMNS]
            written += 1

    def about() -> Iterator[list[Any]]:  # after the rows: only then is their number known
        book = language or "en"
        yield from (
            list(pair)
            for pair in codebook.about(
                book, rows=written, suppressed=suppressed, k=k, labelled=language is not None
            )
        )

    def codes() -> Iterator[list[Any]]:
        t = language or "en"
        yield codebook.header(t)
        for entry in codebook.entries(t):
            yield [entry.column, entry.code or None, entry.label]

    write_xlsx(
        out,
        [
            Sheet("rows", body(), header=True, widths=_widths(language)),
            Sheet("about", about(), widths=(28, 100)),
            Sheet("codebook", codes(), header=True, widths=(20, 16, 90)),
        ],
    )
    return written
