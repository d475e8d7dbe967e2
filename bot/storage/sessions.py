"""Sessions (where a respondent stands in the questionnaire), finished results and processed update ids."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from bot.storage.db import Store, now
from bot.storage.respondents import _answers
from bot.storage.rows import ResultRow, StoredSession


class SessionStore(Store):
    """Sessions, finished results, and the ids of updates already handled."""

    def load_session(self, respondent_id: str) -> StoredSession | None:
        row = self.row(
            "select state, answers, language, reply_pending from sessions where respondent_id = ?",
            [respondent_id],
        )
        if row is None:
            return None
        return StoredSession(
            state=row["state"],
            answers=_answers(row["answers"]),
            language=row["language"],
            reply_pending=int(row["reply_pending"] or 0),
        )

    def store_session(
        self, respondent_id: str, session: Mapping[str, Any], *, finished: bool, reply_pending: int
    ) -> None:
        """Write the session (one statement); the caller owns the transaction."""
        stamp = now()
        self.execute(
            """
            insert into sessions (respondent_id, state, answers, language, started_at, updated_at, finished_at,
                                  reply_pending)
            values (:rid, :state, :answers, :language, :now, :now, :finished, :pending)
            on conflict (respondent_id) do update set
                state = excluded.state, answers = excluded.answers, language = excluded.language,
                updated_at = excluded.updated_at, reply_pending = excluded.reply_pending,
                finished_at = coalesce(excluded.finished_at, sessions.finished_at)
            """,
            {
                "rid": respondent_id,
                "state": session["state"],
                "answers": orjson.dumps(session["answers"], option=orjson.OPT_SORT_KEYS).decode(),
                "language": session["language"],
                "now": stamp,
                "finished": stamp if finished else None,
                "pending": int(reply_pending),
            },
        )

    def mark_replied(self, receipts: Iterable[tuple[str, int]]) -> None:
        """The replies named by (respondent id, token) are delivered; a newer pending reply stays pending."""
        self.connection.conn.executemany(
            "update sessions set reply_pending = 0 where respondent_id = ? and reply_pending = ?",
            list(receipts),
        )

    def claim_update(self, update_id: int) -> bool:
        """Record a channel update as handled; False when it was handled before (it was handed out again)."""
        cursor = self.execute(
            "insert or ignore into processed_updates (update_id, processed_at) values (?, ?)",
            [update_id, now()],
        )
        return cursor.rowcount == 1

    def is_processed(self, update_id: int) -> bool:
        """Whether the changes of this update are already committed."""
        return self.row("select 1 as x from processed_updates where update_id = ?", [update_id]) is not None

    def forget_processed_updates(self, older_than_days: int = 7) -> None:
        """A channel redelivers only unconfirmed updates of the last moments; a week of ids is plenty."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        self.execute("delete from processed_updates where processed_at < ?", [cutoff])

    def save_result(
        self,
        respondent_id: str,
        *,
        category: str,
        score: int,
        answers: Mapping[str, Any],
        step_ids: list[str],
    ) -> None:
        self.execute(
            "insert into results (respondent_id, created_at, category, score, answers, step_ids) "
            "values (?, ?, ?, ?, ?, ?)",
            [
                respondent_id,
                now(),
                category,
                score,
                orjson.dumps(answers, option=orjson.OPT_SORT_KEYS).decode(),
                orjson.dumps(step_ids).decode(),
            ],
        )

    def delete_results(self, respondent_id: str) -> None:
        self.execute("delete from results where respondent_id = ?", [respondent_id])

    def latest_results(self, respondent_id: str, limit: int = 2) -> list[ResultRow]:
        rows = self.rows(
            "select * from results where respondent_id = ? order by id desc limit ?", [respondent_id, limit]
        )
        return [
            ResultRow(
                id=int(row["id"]),
                respondent_id=str(row["respondent_id"]),
                created_at=str(row["created_at"]),
                category=str(row["category"]),
                score=int(row["score"]),
                answers=json.loads(row["answers"]),
                step_ids=json.loads(row["step_ids"]),
            )
            for row in rows
        ]
