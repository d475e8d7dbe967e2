"""Anonymous aggregates for /stats, the peer benchmark and the admin export.

Only consenting respondents' latest results are read here, and never an identity or a share code.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage.db import Connection, Store
from bot.storage.rows import SessionStateCount, ShareValueCount
from bot.storage.shares import SHARES, share_sql


class StatsStore(Store):
    """Counts and consenting respondents' latest results; never an identity or a share code."""

    def consented_results(
        self,
        *,
        bandings: Sequence[Banding],
        values: Sequence[str],
        since: str | None = None,
        quasi_values: Sequence[str] = (),
    ) -> ConsentedResults:
        """A read-only snapshot of consenting respondents' latest results (created from ``since``, "YYYY-MM").

        ``bandings`` turn number answers into band keys in SQL; ``values`` are answers read as they are stored,
        the marketing shares by the rule of ``share_sql``. The band columns, month, language and
        ``quasi_values`` (answers of ``values`` that narrow a group, such as the sector) are the quasi-identifiers.
        Use it as a context manager: counts and rows then come from one consistent snapshot.
        """
        return ConsentedResults(self.connection, bandings, values, since, quasi_values)

    # Readers of the counts that the migration m005_statistics_counts keeps up to date with triggers: /stats
    # and the peer benchmark read these, with no scan of the results.

    def counted_total(self, name: str) -> int:
        """A counter: "respondents" or "referral_arrivals"."""
        found = self.execute("select n from statistics_counters where name = ?", [name]).fetchone()
        return int(found[0]) if found else 0

    def session_state_counts(self) -> list[SessionStateCount]:
        """Sessions per question they stand at, finished or not (states with none left out)."""
        rows = self.execute("select state, finished, n from session_state_counts where n > 0").fetchall()
        return [SessionStateCount(state=str(s), finished=bool(done), n=int(n)) for s, done, n in rows]

    def counted_categories(self) -> list[tuple[str, int]]:
        """Consenting respondents' latest results per size class (most first), from the counts."""
        rows = self.execute(
            "select category, n from result_category_counts where n > 0 order by n desc, category"
        ).fetchall()
        return [(str(category), int(n)) for category, n in rows]

    def share_value_counts(
        self, names: Sequence[str] = SHARES, category: str | None = None
    ) -> list[ShareValueCount]:
        """Each distinct value of the ``names`` shares per size class with its count, ordered by value."""
        marks = ", ".join("?" for _ in names)
        query = (
            f"select share, category, value, n from result_share_counts where n > 0 and share in ({marks})"
        )
        parameters: list[object] = list(names)
        if category is not None:
            query += " and category = ?"
            parameters.append(category)
        rows = self.execute(query + " order by share, category, value", parameters).fetchall()
        return [
            ShareValueCount(share=str(share), category=str(found), value=float(value), n=int(n))
            for share, found, value, n in rows
        ]

    # Full scans of the stored data: what the counts above must always equal (the tests and the scaling
    # benchmark compare them).

    def respondent_count(self) -> int:
        return int(self.execute("select count(*) from respondents").fetchone()[0])

    def session_funnel(self) -> tuple[int, int, list[tuple[str, int]]]:
        """Sessions started, sessions finished, and unfinished sessions per current state (most first)."""
        started, finished = self.execute("select count(*), count(finished_at) from sessions").fetchone()
        states = self.execute(
            "select state, count(*) as n from sessions where finished_at is null group by state order by n desc, state"
        ).fetchall()
        return int(started), int(finished), [(str(state), int(n)) for state, n in states]

    def consented_category_counts(self) -> list[tuple[str, int]]:
        """How many consenting respondents' latest results fall into each size class."""
        rows = self.execute(
            f"select category, count(*) as n from ({_LATEST_CONSENTED}) group by category order by n desc, category",
            {"since": None},
        ).fetchall()
        return [(str(category), int(n)) for category, n in rows]

    def consented_share_medians(
        self, names: Sequence[str] = SHARES
    ) -> dict[str, dict[str, tuple[float, int]]]:
        """Median online, social-media and controlling shares per size class: {category: {share: (median, n)}}.

        Shares are read by the rule of ``share_sql``; one not answered counts as 0. Medians are computed in SQL
        with window functions, so memory stays flat.
        """
        online = f"cast({share_sql('online_share')} as real)"
        medians: dict[str, dict[str, tuple[float, int]]] = {}
        for name in names:
            expression = f"coalesce(cast({share_sql(name)} as real), 0.0)"
            query = f"""
                with picked as (
                    select category, {expression} as x from ({_LATEST_CONSENTED}) where {online} is not null
                ),
                ranked as (
                    select category, x, row_number() over (partition by category order by x) as i,
                           count(*) over (partition by category) as n
                    from picked
                )
                select category, avg(x), max(n) from ranked where i in ((n + 1) / 2, (n + 2) / 2) group by category
            """
            for category, median, n in self.execute(query, {"since": None}).fetchall():
                medians.setdefault(str(category), {})[name] = (float(median), int(n))
        return medians


# Each consenting respondent's latest result; ``:since`` ("YYYY-MM" or null) filters on its creation date.
_LATEST_CONSENTED = """
    select r.created_at, r.category, r.score, r.answers, p.language
    from results r join respondents p on p.id = r.respondent_id
    where p.consent = 1
      and r.id = (select max(x.id) from results x where x.respondent_id = r.respondent_id)
      and (:since is null or r.created_at >= :since)
"""

# The same rows read through the latest-result table the counts' triggers keep (``counted``: consent given),
# without looking up each respondent's latest result among all results.
_COUNTED_LATEST = """
    select r.created_at, r.category, r.score, r.answers, p.language
    from result_latest l join results r on r.id = l.result_id join respondents p on p.id = l.respondent_id
    where l.counted and (:since is null or r.created_at >= :since)
"""

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Banding:
    """How SQL puts a number answer into a band: bands in order, each with its exclusive upper bound.

    A stored band key is kept when it is one of ``bands`` or ``other_keys`` (e.g. "unknown"); a typed number
    falls into the first band whose bound it stays below (``None``: no bound).
    """

    question_id: str
    bands: tuple[tuple[str, float | None], ...]
    other_keys: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        return f"{self.question_id}_band"


class ConsentedResults:
    """A read-only snapshot for an export: group counts of the quasi-identifiers first, then rows in chunks.

    File databases are read over a connection of its own inside one transaction, so both passes see the same
    data while the bot keeps writing, and the export may run in another thread.
    """

    def __init__(
        self,
        storage: Connection,
        bandings: Sequence[Banding],
        values: Sequence[str],
        since: str | None,
        quasi_values: Sequence[str] = (),
    ):
        if not set(quasi_values) <= set(values):
            raise ValueError("a quasi-identifier must be one of the values read")
        for name in [b.question_id for b in bandings] + list(values):
            if not _NAME.match(name):
                raise ValueError(f"not a question id: {name!r}")
        self.storage = storage
        self.since = since
        self.params: dict[str, Any] = {"since": since}
        columns = ["substr(created_at, 1, 7) as month", "coalesce(language, '') as language"]
        for banding in bandings:
            columns.append(f"{self._band_sql(banding)} as {banding.column}")
        for name in values:
            if name in SHARES:
                columns.append(f"{share_sql(name)} as {name}")
                continue
            self.params[f"path_{name}"] = f"$.{name}.value"
            columns.append(f"json_extract(answers, :path_{name}) as {name}")
        columns += ["category", "score"]
        self.quasi_identifiers: tuple[str, ...] = (
            "month",
            "language",
            *(b.column for b in bandings),
            *quasi_values,
        )
        self._from = f"(select {', '.join(columns)} from ({_COUNTED_LATEST}))"
        self._conn: sqlite3.Connection | None = None
        self._own = False

    def _band_sql(self, banding: Banding) -> str:
        prefix = banding.question_id
        self.params[f"{prefix}_bandpath"] = f"$.{prefix}.band"
        self.params[f"{prefix}_valuepath"] = f"$.{prefix}.value"
        band, value = (
            f"json_extract(answers, :{prefix}_bandpath)",
            f"json_extract(answers, :{prefix}_valuepath)",
        )
        known = [key for key, _ in banding.bands] + list(banding.other_keys)
        for index, key in enumerate(known):
            self.params[f"{prefix}_key{index}"] = key
        listed = ", ".join(f":{prefix}_key{i}" for i in range(len(known)))
        parts = [f"case when {band} in ({listed}) then {band}", f"when {value} is null then null"]
        for index, (_key, upper) in enumerate(banding.bands):
            if upper is None:
                parts.append(f"else :{prefix}_key{index}")
                break
            self.params[f"{prefix}_upper{index}"] = upper
            parts.append(f"when cast({value} as real) < :{prefix}_upper{index} then :{prefix}_key{index}")
        parts.append("end")
        return " ".join(parts)

    def __enter__(self) -> ConsentedResults:
        path = self.storage.path
        if path == ":memory:":
            self._conn = self.storage.conn
        else:
            uri = Path(path).expanduser().resolve().as_uri() + "?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.execute("begin")
            self._own = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None and self._own:
            self._conn.execute("rollback")
            self._conn.close()
        self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("use ConsentedResults as a context manager")
        return self._conn

    def group_counts(self) -> Iterator[tuple[tuple[Any, ...], int]]:
        """How many respondents share each combination of the quasi-identifiers."""
        keys = ", ".join(self.quasi_identifiers)
        cursor = self.conn.execute(f"select {keys}, count(*) from {self._from} group by {keys}", self.params)
        for row in cursor:
            yield tuple(row[:-1]), int(row[-1])

    def rows(self, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
        """All rows in a fresh random order (so a row's position tells nothing), fetched ``chunk_size`` at a time."""
        cursor = self.conn.execute(f"select * from {self._from} order by random()", self.params)
        names = [d[0] for d in cursor.description]
        while chunk := cursor.fetchmany(chunk_size):
            for row in chunk:
                yield dict(zip(names, row, strict=True))
