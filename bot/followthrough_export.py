"""The follow-through figures as an export of their own (CSV, JSON or XLSX), beside the export of results.

Aggregates only, after the same suppression as /stats (``bot.analytics.followthrough``): one row per figure
with its step id and band where it has one, and how many respondents it counts. No reminder text, date, chat
id or respondent id is read, so none can be written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from bot.analytics.followthrough import FollowThrough, read_follow_through
from bot.anonymity import DEFAULT_K
from bot.storage import Storage
from bot.xlsx import write_xlsx

FORMATS = ("csv", "json", "xlsx")
COLUMNS = ("figure", "step_id", "band", "respondents", "value")
# A step id is a key of the plan's rules or duties; anything else (never expected) is not written.
_STEP_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def follow_through_filename(fmt: str, when: datetime | None = None) -> str:
    month = (when or datetime.now(UTC)).strftime("%Y-%m")
    return f"kmu-berater-follow-through-{month}.{fmt}"


def suppressed_cells(figures: FollowThrough) -> int:
    """How many figures were left out: step ids, figure bands, and the opt-in share and median when hidden."""
    return (
        figures.steps_suppressed
        + figures.figures_suppressed
        + (figures.opted_in is None)
        + (figures.median_score_change is None and figures.retests > 0)
    )


def follow_through_rows(figures: FollowThrough) -> list[dict[str, Any]]:
    """The export's rows: ``figure`` names what is counted, ``respondents`` how many, ``value`` a share or median."""

    def row(
        figure: str,
        respondents: int,
        value: int | None = None,
        step: str | None = None,
        band: str | None = None,
    ) -> dict[str, Any]:
        return {"figure": figure, "step_id": step, "band": band, "respondents": respondents, "value": value}

    rows = [row("answered_reminder_offer", figures.respondents)]
    share = figures.opt_in_share
    if share is not None and figures.opted_in is not None:
        rows.append(row("asked_for_reminders", figures.opted_in, int(share.quantize(1))))
    rows += [row("step_done", n, step=step) for step, n in figures.steps_done if _STEP_ID.match(step)]
    if figures.median_score_change is not None:
        rows.append(row("median_score_change", figures.retests, figures.median_score_change))
    rows += [
        row("reported_figure", n, step=step, band=band)
        for step, band, n in figures.figure_bands
        if _STEP_ID.match(step)
    ]
    return rows


def write_follow_through(storage: Storage, out: IO[bytes], *, fmt: str = "csv", k: int = DEFAULT_K) -> int:
    """Write the follow-through figures in ``fmt`` to the binary file ``out``; the number of rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if k < 2:
        raise ValueError("k must be at least 2: with k = 1 nothing would be suppressed")
    figures = read_follow_through(storage, k)  # its own read-only connection: safe in a worker thread
    rows = follow_through_rows(figures)
    suppressed = suppressed_cells(figures)
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text.write(f"# figures={len(rows)} suppressed={suppressed} k={k}\n")
        text.flush()
        text.detach()
    elif fmt == "json":
        document = {"figures": rows, "suppressed": suppressed, "k": k}
        out.write(json.dumps(document, ensure_ascii=False, indent=1).encode())
    else:
        about: list[list[str | int | float | None]] = [
            ["figures", len(rows)],
            ["suppressed", suppressed],
            ["k", k],
            [
                "note",
                f"counts of 1 to {k - 1} respondents are left out; figures in bands; medians rounded to 5",
            ],
        ]
        body: list[list[str | int | float | None]] = [list(COLUMNS), *([r[c] for c in COLUMNS] for r in rows)]
        write_xlsx(out, [("follow_through", iter(body)), ("about", iter(about))])
    return len(rows)


def follow_through_to_file(
    storage: Storage, output: str, *, fmt: str, k: int = DEFAULT_K, stderr: TextIO = sys.stderr
) -> int:
    """Write the follow-through figures to ``output`` (atomically, like the export of results); exit status."""
    target = Path(output).expanduser()
    directory = target.resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".export-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            rows = write_follow_through(storage, out, fmt=fmt, k=k)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stderr.write(
        f"Exported {rows} follow-through figures to {target} ({fmt}); counts below k={k} left out.\n"
    )
    return 0
