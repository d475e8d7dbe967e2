"""Follow-through after a result: steps ticked off, the opt-in to reminders, and the reminders' ledger.

A reminder is sent exactly once, the way a broadcast's deliveries are: it is claimed (pending becomes
"sending" only if it still was pending, so two processes never both send it) before the request, and recorded
as sent, blocked or failed after it. A claim a crash cut off is settled as "uncertain" and never repeated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypedDict, cast

import orjson

from bot.storage.db import Store

SENDING_STALE_SECONDS = 120.0  # a claim older than this is from a process that died mid-send


class ReminderRow(TypedDict):
    id: int
    respondent_id: str
    kind: str
    ref: str
    due_at: str
    status: str


class PlanProgressRow(TypedDict):
    step_id: str
    done: int
    marked_on: str
    kpi_value: str | None
    kpi_on: str | None


class FollowupRow(TypedDict):
    respondent_id: str
    offered_on: str | None
    opted_in: int | None
    decided_on: str | None
    awaiting_kpi_step: str | None
    report_result_id: int | None


class PreviousResult(TypedDict):
    category: str
    score: int
    step_ids: list[str]


class ResultContext(TypedDict):
    """What a fresh result is compared with and shown beside, read before it is stored."""

    previous: PreviousResult | None  # the respondent's latest stored result
    done: frozenset[str]  # steps of the plan marked done
    followup: FollowupRow | None


class FollowupStore(Store):
    def before_result(self, respondent_id: str) -> ResultContext:
        """The latest result, the steps marked done and the reminders' opt-in, in one statement (a result
        update reads all three; call it before the new result is stored)."""
        row = self.row(
            "select (select json_array(category, score, json(step_ids)) from results where respondent_id = :rid "
            "order by id desc limit 1) as previous_result, "
            "(select json_group_array(step_id) from plan_progress where respondent_id = :rid and done = 1) "
            "as done_steps, f.* "
            "from (select 1) left join followups f on f.respondent_id = :rid",
            {"rid": respondent_id},
        )
        assert row is not None  # the left join always gives one row
        previous = row.pop("previous_result")
        done = frozenset(str(step) for step in orjson.loads(row.pop("done_steps")))
        followup = cast(FollowupRow, row) if row["respondent_id"] is not None else None
        if previous is None:
            return ResultContext(previous=None, done=done, followup=followup)
        category, score, step_ids = orjson.loads(previous)
        return ResultContext(
            previous=PreviousResult(category=str(category), score=int(score), step_ids=list(step_ids)),
            done=done,
            followup=followup,
        )

    # --- the plan's steps ---------------------------------------------------------------------------

    def mark_step(self, respondent_id: str, step_id: str, done: bool, today: date) -> None:
        self.execute(
            "insert into plan_progress (respondent_id, step_id, done, marked_on) values (?, ?, ?, ?) "
            "on conflict (respondent_id, step_id) do update set done = excluded.done, "
            "marked_on = excluded.marked_on",
            [respondent_id, step_id, int(done), today.isoformat()],
        )

    def note_not_yet(self, respondent_id: str, step_id: str, today: date) -> None:
        """A check-in was answered "not yet": the step stays open, dated with the answer (a step done stays done)."""
        self.execute(
            "insert into plan_progress (respondent_id, step_id, done, marked_on) values (?, ?, 0, ?) "
            "on conflict (respondent_id, step_id) do update set marked_on = excluded.marked_on "
            "where plan_progress.done = 0",
            [respondent_id, step_id, today.isoformat()],
        )

    def record_kpi(self, respondent_id: str, step_id: str, value: str, today: date) -> None:
        """Store the figure the user reported for a step (the step counts as worked on, not as done)."""
        self.execute(
            "insert into plan_progress (respondent_id, step_id, done, marked_on, kpi_value, kpi_on) "
            "values (?, ?, 0, ?, ?, ?) on conflict (respondent_id, step_id) do update set "
            "kpi_value = excluded.kpi_value, kpi_on = excluded.kpi_on",
            [respondent_id, step_id, today.isoformat(), value, today.isoformat()],
        )

    def done_steps(self, respondent_id: str) -> frozenset[str]:
        rows = self.rows(
            "select step_id from plan_progress where respondent_id = ? and done = 1", [respondent_id]
        )
        return frozenset(str(row["step_id"]) for row in rows)

    def plan_progress(self, respondent_id: str) -> list[PlanProgressRow]:
        rows = self.rows(
            "select step_id, done, marked_on, kpi_value, kpi_on from plan_progress where respondent_id = ? "
            "order by step_id",
            [respondent_id],
        )
        return cast(list[PlanProgressRow], rows)

    # --- the opt-in ---------------------------------------------------------------------------------

    def followup(self, respondent_id: str) -> FollowupRow | None:
        row = self.row("select * from followups where respondent_id = ?", [respondent_id])
        return cast(FollowupRow | None, row)

    def _ensure_followup(self, respondent_id: str) -> None:
        self.execute(
            "insert into followups (respondent_id) values (?) on conflict do nothing", [respondent_id]
        )

    def offer_followup(self, respondent_id: str, today: date) -> bool:
        """Note that reminders were offered; False when they were offered before (they are offered once)."""
        self._ensure_followup(respondent_id)
        cursor = self.execute(
            "update followups set offered_on = ? where respondent_id = ? and offered_on is null",
            [today.isoformat(), respondent_id],
        )
        return cursor.rowcount > 0

    def decide_followup(self, respondent_id: str, opted_in: bool, today: date) -> None:
        self.offer_followup(respondent_id, today)
        self.execute(
            "update followups set opted_in = ?, decided_on = ? where respondent_id = ?",
            [int(opted_in), today.isoformat(), respondent_id],
        )

    def note_report_sent(self, respondent_id: str, result_id: int) -> bool:
        """Note that the report of ``result_id`` was sent; False when it was sent before."""
        self._ensure_followup(respondent_id)
        cursor = self.execute(
            "update followups set report_result_id = ? where respondent_id = ? and report_result_id is not ?",
            [result_id, respondent_id, result_id],
        )
        return cursor.rowcount > 0

    def await_kpi(self, respondent_id: str, step_id: str | None) -> None:
        """The next typed text of the respondent is the figure of ``step_id`` (None: no longer)."""
        self.execute(
            "update followups set awaiting_kpi_step = ? where respondent_id = ?", [step_id, respondent_id]
        )

    def respondents_awaiting_kpi(self, channel: str) -> list[str]:
        """Channel user ids whose next text is a figure (rebuilt into memory at start)."""
        rows = self.rows(
            "select i.channel_user_id from followups f join identities i on i.respondent_id = f.respondent_id "
            "where f.awaiting_kpi_step is not null and i.channel = ?",
            [channel],
        )
        return [str(row["channel_user_id"]) for row in rows]

    # --- the schedule -------------------------------------------------------------------------------

    def plan_reminders(self, respondent_id: str, planned: Iterable[tuple[str, str, datetime]]) -> int:
        """Add reminders (kind, ref, due moment in UTC); one planned twice is kept once."""
        added = 0
        for kind, ref, due in planned:
            cursor = self.execute(
                "insert into reminders (respondent_id, kind, ref, due_at) values (?, ?, ?, ?) "
                "on conflict do nothing",
                [respondent_id, kind, ref, due.isoformat(timespec="seconds")],
            )
            added += cursor.rowcount
        return added

    def reminders_of(self, respondent_id: str, *, pending_only: bool = False) -> list[ReminderRow]:
        where = " and status = 'pending'" if pending_only else ""
        rows = self.rows(
            "select id, respondent_id, kind, ref, due_at, status from reminders where respondent_id = ?"
            f"{where} order by due_at, id",
            [respondent_id],
        )
        return cast(list[ReminderRow], rows)

    def cancel_reminders(self, respondent_id: str, reminder_id: int | None = None, *, reason: str) -> int:
        """Cancel one pending reminder, or (``reminder_id`` None) all of them; how many were cancelled."""
        sql = "update reminders set status = 'cancelled', error = ? where respondent_id = ? and status = 'pending'"
        params: list[object] = [reason, respondent_id]
        if reminder_id is not None:
            sql += " and id = ?"
            params.append(reminder_id)
        return self.execute(sql, params).rowcount

    def due_reminders(self, now: datetime, limit: int = 500) -> list[ReminderRow]:
        rows = self.rows(
            "select id, respondent_id, kind, ref, due_at, status from reminders "
            "where status = 'pending' and due_at <= ? order by due_at, id limit ?",
            [now.isoformat(timespec="seconds"), limit],
        )
        return cast(list[ReminderRow], rows)

    def next_reminder_due(self) -> str | None:
        row = self.row("select min(due_at) as due from reminders where status = 'pending'")
        return None if row is None else cast(str | None, row["due"])

    def claim_reminder(self, reminder_id: int, owner: str) -> bool:
        """Take a pending reminder for sending; False when another process (or an earlier try) has it."""
        with self.write():
            cursor = self.execute(
                "update reminders set status = 'sending', owner = ?, claimed_at = ? "
                "where id = ? and status = 'pending'",
                [owner, time.time(), reminder_id],
            )
        return cursor.rowcount == 1

    def finish_reminder(self, reminder_id: int, status: str, *, error: str | None = None) -> None:
        with self.write():
            self.execute(
                "update reminders set status = ?, error = ?, sent_at = ? where id = ?",
                [status, error, datetime.now().astimezone().isoformat(timespec="seconds"), reminder_id],
            )

    def postpone_reminder(self, reminder_id: int, due: datetime, *, error: str | None = None) -> None:
        """Back to pending at a later moment (a night, a 429): it was not sent."""
        with self.write():
            self.execute(
                "update reminders set status = 'pending', due_at = ?, owner = null, claimed_at = null, "
                "error = ? where id = ?",
                [due.isoformat(timespec="seconds"), error, reminder_id],
            )

    def settle_interrupted_reminders(self, owner: str, holder_is_gone: Callable[[str | None], bool]) -> int:
        """Mark sends a crash cut off as "uncertain" (never repeated); a live process's own claims stay."""
        stale = time.time() - SENDING_STALE_SECONDS
        settled = 0
        with self.write():
            for row in self.rows("select id, owner, claimed_at from reminders where status = 'sending'"):
                if row["owner"] == owner:
                    continue
                if holder_is_gone(row["owner"]) or float(row["claimed_at"] or 0) < stale:
                    settled += self.execute(
                        "update reminders set status = 'uncertain', error = 'interrupted' "
                        "where id = ? and status = 'sending'",
                        [row["id"]],
                    ).rowcount
        return settled

    def chat_of(self, respondent_id: str, channel: str) -> int | None:
        """The private chat a reminder goes to (a private chat's id is the user's id); None when unlinked."""
        row = self.row(
            "select channel_user_id from identities where respondent_id = ? and channel = ? "
            "and blocked_at is null",
            [respondent_id, channel],
        )
        if row is None or not str(row["channel_user_id"]).lstrip("-").isdigit():
            return None
        return int(row["channel_user_id"])

    def share_code_of(self, respondent_id: str) -> str | None:
        row = self.row("select referral_code from respondents where id = ?", [respondent_id])
        return None if row is None else cast(str | None, row["referral_code"])

    def language_of_respondent(self, respondent_id: str) -> str:
        row = self.row(
            "select coalesce(s.language, r.language, 'de') as language from respondents r "
            "left join sessions s on s.respondent_id = r.id where r.id = ?",
            [respondent_id],
        )
        return str(row["language"]) if row else "de"
