"""Write docs/tables.md: every table of the schema, its columns, what it holds and how long it is kept.

Run after changing the schema or a retention rule:  python -m bot.storage.schema_doc
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.storage.db import Connection
from bot.storage.retention import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "tables.md"
INTERNAL = ("sqlite_", "_")  # SQLite's own tables and the migrations' bookkeeping


def schema_tables(connection: Connection) -> dict[str, list[str]]:
    """The bot's tables in the order they were created, each with its column names."""
    names = [
        row["name"]
        for row in connection.rows("select name from sqlite_master where type = 'table' order by rowid")
        if not str(row["name"]).startswith(INTERNAL)
    ]
    return {name: [str(c["name"]) for c in connection.rows(f"pragma table_info([{name}])")] for name in names}


def render() -> str:
    connection = Connection(":memory:")
    try:
        tables = schema_tables(connection)
    finally:
        connection.close()
    lines = [
        "# Tables: what each holds and how long it is kept",
        "",
        "Generated from the schema by `python -m bot.storage.schema_doc`; do not edit by hand. The rules are in",
        "`bot/storage/retention.py` and applied daily (and by `python run_bot.py retention`). *N* is the",
        "setting `RETENTION_MONTHS` (default 12).",
        "",
        "| Table | Columns | Holds | Kept |",
        "|---|---|---|---|",
    ]
    for name, columns in tables.items():
        holds, kept = TABLES.get(name, ("**no retention rule**", "**no retention rule**"))
        kept = kept.replace("{months}", "*N*")
        lines.append(f"| `{name}` | {', '.join(columns)} | {holds} | {kept} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
