"""All persistence of the bot, in one SQLite file through sqlite-utils; nothing else in the project writes SQL.

Answers live under a random respondent id. Channel identities (a Telegram user id, the terminal) are kept in
a separate table that only links to that id, so exports can leave identities out by construction.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

DEFAULT_DATABASE_PATH = "kmu_berater.db"

migrations = Migrations("kmu_berater")


@migrations()
def m001_initial(db: Database) -> None:
    db["respondents"].create(
        {"id": str, "created_at": str, "language": str, "consent": int, "referral_code": str},
        pk="id",
        not_null={"created_at"},
    )
    db["respondents"].create_index(["referral_code"], unique=True)
    db["identities"].create(
        {
            "channel": str,
            "channel_user_id": str,
            "respondent_id": str,
            "language_code": str,
            "blocked_at": str,
            "created_at": str,
        },
        pk=("channel", "channel_user_id"),
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db["identities"].create_index(["respondent_id"])
    db["sessions"].create(
        {
            "respondent_id": str,
            "state": str,
            "answers": str,
            "language": str,
            "started_at": str,
            "updated_at": str,
            "finished_at": str,
        },
        pk="respondent_id",
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db["results"].create(
        {
            "id": int,
            "respondent_id": str,
            "created_at": str,
            "category": str,
            "score": int,
            "answers": str,
            "step_ids": str,
        },
        pk="id",
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db["results"].create_index(["respondent_id", "created_at"])
    db["referrals"].create({"code": str, "arrivals": int}, pk="code")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Storage:
    """The bot's database: respondents, their sessions and results, and the link to channel identities."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path or os.environ.get("DATABASE_PATH") or DEFAULT_DATABASE_PATH)
        if self.path != ":memory:":
            Path(self.path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db = Database(conn)
        if self.path != ":memory:":
            self.db.enable_wal()
        # WAL + NORMAL: a committed transaction survives a killed process; only a power loss may lose the last one.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=30000")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    # --- identities -------------------------------------------------------------------------------

    def respondent_for(self, channel: str, user_id: str | int, *, language_code: str | None = None) -> str:
        """The respondent id linked to a channel identity, creating both on first contact."""
        row = self._identity(channel, user_id)
        if row is not None:
            return str(row["respondent_id"])
        respondent_id = secrets.token_hex(16)
        with self.db.atomic():
            self.db["respondents"].insert({"id": respondent_id, "created_at": now()})
            self.db["identities"].insert(
                {
                    "channel": channel,
                    "channel_user_id": str(user_id),
                    "respondent_id": respondent_id,
                    "language_code": language_code,
                    "created_at": now(),
                }
            )
        return respondent_id

    def find_respondent(self, channel: str, user_id: str | int) -> str | None:
        row = self._identity(channel, user_id)
        return None if row is None else str(row["respondent_id"])

    def _identity(self, channel: str, user_id: str | int) -> dict[str, Any] | None:
        rows = list(
            self.db.query(
                "select * from identities where channel = ? and channel_user_id = ?", [channel, str(user_id)]
            )
        )
        return rows[0] if rows else None

    def new_respondent_for(self, channel: str, user_id: str | int) -> str:
        """Give an identity a fresh respondent (e.g. a terminal run that starts anew)."""
        self.forget(channel, user_id)
        return self.respondent_for(channel, user_id)

    # --- sessions ---------------------------------------------------------------------------------

    def load_session(self, respondent_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from sessions where respondent_id = ?", [respondent_id]))
        if not rows:
            return None
        row = rows[0]
        try:
            answers = json.loads(row["answers"] or "{}")
        except ValueError:
            answers = {}
        return {"state": row["state"], "answers": answers, "language": row["language"]}

    def save_session(self, respondent_id: str, session: Mapping[str, Any], *, finished: bool = False) -> None:
        """Commit the session before the channel replies, so nothing acknowledged is ever lost."""
        stamp = now()
        with self.db.atomic():
            self.db.execute(
                """
                insert into sessions (respondent_id, state, answers, language, started_at, updated_at, finished_at)
                values (:rid, :state, :answers, :language, :now, :now, :finished)
                on conflict (respondent_id) do update set
                    state = excluded.state, answers = excluded.answers, language = excluded.language,
                    updated_at = excluded.updated_at,
                    finished_at = coalesce(excluded.finished_at, sessions.finished_at)
                """,
                {
                    "rid": respondent_id,
                    "state": session["state"],
                    "answers": json.dumps(session["answers"], sort_keys=True),
                    "language": session["language"],
                    "now": stamp,
                    "finished": stamp if finished else None,
                },
            )
            self.db.execute(
                "update respondents set language = ? where id = ?", [session["language"], respondent_id]
            )

    # --- results ----------------------------------------------------------------------------------

    def save_result(
        self, respondent_id: str, *, category: str, score: int, answers: Mapping[str, Any], step_ids: list[str]
    ) -> None:
        self.db["results"].insert(
            {
                "respondent_id": respondent_id,
                "created_at": now(),
                "category": category,
                "score": score,
                "answers": json.dumps(answers, sort_keys=True),
                "step_ids": json.dumps(step_ids),
            }
        )

    def latest_results(self, respondent_id: str, limit: int = 2) -> list[dict[str, Any]]:
        rows = self.db.query(
            "select * from results where respondent_id = ? order by id desc limit ?", [respondent_id, limit]
        )
        return [
            {**row, "answers": json.loads(row["answers"]), "step_ids": json.loads(row["step_ids"])} for row in rows
        ]

    # --- consent, referrals, reachability ------------------------------------------------------------

    def consent(self, respondent_id: str) -> bool | None:
        """Whether the respondent agreed to keep anonymous answers for statistics (None: not asked yet)."""
        rows = list(self.db.query("select consent from respondents where id = ?", [respondent_id]))
        if not rows or rows[0]["consent"] is None:
            return None
        return bool(rows[0]["consent"])

    def set_consent(self, respondent_id: str, consent: bool) -> None:
        self.db.execute("update respondents set consent = ? where id = ?", [int(consent), respondent_id])

    def referral_code(self, respondent_id: str) -> str:
        """The respondent's own share code, made on first use; it is never exported."""
        rows = list(self.db.query("select referral_code from respondents where id = ?", [respondent_id]))
        if rows and rows[0]["referral_code"]:
            return str(rows[0]["referral_code"])
        code = secrets.token_urlsafe(6)
        with self.db.atomic():
            self.db.execute("update respondents set referral_code = ? where id = ?", [code, respondent_id])
            self.db.execute("insert or ignore into referrals (code, arrivals) values (?, 0)", [code])
        return code

    def count_referral_arrival(self, code: str) -> bool:
        """Count one newcomer who arrived through ``code``, without linking the two people."""
        cursor = self.db.execute("update referrals set arrivals = arrivals + 1 where code = ?", [code])
        return cursor.rowcount > 0

    def referral_arrivals(self) -> int:
        return int(next(iter(self.db.query("select coalesce(sum(arrivals), 0) as n from referrals")))["n"])

    def mark_blocked(self, channel: str, user_id: str | int, blocked: bool = True) -> None:
        """Remember that a user blocked the bot (or unblocked it by writing again)."""
        self.db.execute(
            "update identities set blocked_at = ? where channel = ? and channel_user_id = ?",
            [now() if blocked else None, channel, str(user_id)],
        )

    def is_blocked(self, channel: str, user_id: str | int) -> bool:
        row = self._identity(channel, user_id)
        return bool(row and row["blocked_at"])

    def erase_answers(self, respondent_id: str) -> None:
        """Drop stored answers and results but keep the identity (used when consent was refused)."""
        with self.db.atomic():
            self.db.execute("delete from results where respondent_id = ?", [respondent_id])
            self.db.execute(
                "update sessions set answers = '{}' where respondent_id = ?", [respondent_id]
            )

    def personal_data(self, channel: str, user_id: str | int) -> dict[str, Any]:
        """Everything stored about one channel identity, for the user's access request (GDPR Art. 15)."""
        identity = self._identity(channel, user_id)
        if identity is None:
            return {"identity": None}
        rid = identity["respondent_id"]
        respondent = next(iter(self.db.query("select * from respondents where id = ?", [rid])), None)
        return {
            "identity": {k: identity[k] for k in ("channel", "channel_user_id", "language_code", "created_at",
                                                  "blocked_at")},
            "respondent": respondent,
            "session": self.load_session(rid),
            "results": self.latest_results(rid, limit=1000),
        }

    # --- erasure ----------------------------------------------------------------------------------

    def forget(self, channel: str, user_id: str | int) -> bool:
        """Erase an identity with everything stored under its respondent id; True if there was anything."""
        respondent_id = self.find_respondent(channel, user_id)
        if respondent_id is None:
            return False
        with self.db.atomic():
            self.db.execute("delete from identities where respondent_id = ?", [respondent_id])
            self.db.execute("delete from sessions where respondent_id = ?", [respondent_id])
            self.db.execute("delete from results where respondent_id = ?", [respondent_id])
            self.db.execute("delete from respondents where id = ?", [respondent_id])
        return True

    def table_counts(self) -> Iterator[tuple[str, int]]:
        for name in ("respondents", "identities", "sessions", "results"):
            yield name, self.db[name].count
