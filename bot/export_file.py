"""``python run_bot.py export``: the export written to a file, with its codebook beside a CSV or JSON."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TextIO

from bot.anonymity import DEFAULT_K
from bot.codebook import codebook_path, write_codebook
from bot.export import write_export
from bot.storage import Storage


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
    language: str | None = None,
    dialect: str = "excel",
    stderr: TextIO = sys.stderr,
) -> int:
    """Write the export to ``output``, and for CSV or JSON its codebook beside it, each atomically (a
    half-written file never takes its name) and readable by the owner only; exit status."""
    target = Path(output).expanduser()
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    with _atomic(target) as out:
        summary = write_export(
            storage,
            out,
            fmt=fmt,
            k=k,
            since=since,
            progress=ProgressBar(stderr),
            language=language,
            dialect=dialect,
        )
    written = [str(target)]
    if fmt in ("csv", "json"):
        side = codebook_path(target, fmt)
        with _atomic(side) as out:
            write_codebook(out, summary, dialect=dialect)
        written.append(str(side))
    stderr.write(
        f"Exported {summary.rows:,} respondents to {' and the codebook '.join(written)} ({fmt}); "
        f"{summary.suppressed:,} left out because their combination of month, language, size bands and sector"
        f" is held by fewer than k={k}.\n"
    )
    return 0


@contextlib.contextmanager
def _atomic(target: Path) -> Iterator[IO[bytes]]:
    """A temporary file (mode 600) beside ``target`` that takes its name only when complete."""
    handle, temporary = tempfile.mkstemp(prefix=".export-", dir=target.resolve().parent)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
