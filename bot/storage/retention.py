"""Storage limitation: what each table holds, how long, and the pass that removes what is due.

After ``RETENTION_MONTHS`` without activity a respondent's link to their channel identity is removed. A
consenting respondent's latest result stays for statistics as a new row (new result id, fresh random
respondent id, the month only, size bands and rounded figures instead of the typed ones), so that nothing
left (no id shown by /mydata, no share code, no exact time or figure) leads back to the person. Everything
else of that respondent is deleted.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Generator
from datetime import UTC, date, datetime, timedelta

from bot.storage.anonymise import anonymised_answers, rounded_score
from bot.storage.db import Connection, Store
from bot.storage.migrations import migration_set

# The channel may hand out an update again only for a short while; a week of ids is plenty.
PROCESSED_UPDATE_DAYS = 7
# A finished broadcast's delivery ledger is needed for exactly-once only while it runs; a week for questions.
DELIVERY_DAYS = 7

# Every table, what it holds and how long. ``{months}`` is the configured RETENTION_MONTHS. A table added
# without an entry here fails the tests.
TABLES: dict[str, tuple[str, str]] = {
    "respondents": (
        "a random id per person; consent decision, consent text version and month; language; share code",
        "linked: until {months} months without activity, then deleted (kept without share code under a fresh "
        "id when consent was given and a result exists); on /deletedata at once",
    ),
    "identities": (
        "the link: channel, Telegram user id, respondent id, Telegram language code, blocked mark",
        "until {months} months without activity or /deletedata",
    ),
    "sessions": (
        "where the respondent stands in the questionnaire, with the answers given so far",
        "until {months} months without activity or /deletedata; answers emptied after the result "
        "without consent",
    ),
    "results": (
        "finished checks: size class, score, answers, advice step ids",
        "without consent: deleted when the result is out or consent is withdrawn; with consent: the latest "
        "one kept anonymously after {months} months without activity (new id, month only, size bands and "
        "rounded figures, no advice steps); /deletedata while linked",
    ),
    "referrals": (
        "a share code, its random salt and how many accounts arrived through it",
        "with its owner: /deletedata, or {months} months without the owner's activity",
    ),
    "referral_arrivals": (
        "salted hash of each Telegram account that arrived through a share code, and the month",
        "erased with the share code",
    ),
    "tip_subscriptions": (
        "a chat id subscribed to tips, kind of chat, language, schedule",
        "while subscribed; after unsubscribing {months} months, or at once by /deletedata (private chat)",
    ),
    "tip_seen": (
        "which tips a chat has seen",
        "while the chat is subscribed; /deletedata (private chat)",
    ),
    "broadcasts": (
        "tip runs and admin broadcasts: text, the admin's Telegram id, status",
        "{months} months after the run finished (drafts: after creation); "
        "the admin's id removed by their /deletedata",
    ),
    "deliveries": (
        "the exactly-once ledger: one row per chat and run with its status",
        f"{DELIVERY_DAYS} days after the run finished; /deletedata (private chat)",
    ),
    "result_latest": (
        "each respondent's latest result as counted by /stats: size class and the three marketing shares",
        "kept in step with results by triggers: goes when the result goes or moves to a fresh id",
    ),
    "result_category_counts": (
        "number of consenting respondents' latest results per size class (counts only)",
        "counts without any id; kept up to date by triggers",
    ),
    "result_share_counts": (
        "number of consenting respondents' latest results per marketing share value and size class",
        "counts without any id; kept up to date by triggers",
    ),
    "session_state_counts": (
        "number of sessions per question and finished flag (the /stats funnel)",
        "counts without any id; kept up to date by triggers",
    ),
    "statistics_counters": (
        "number of respondents and of referral arrivals",
        "counts without any id; kept up to date by triggers",
    ),
    "plan_progress": (
        'steps of the plan the respondent ticked off or answered "not yet" at a check-in, with the day and a '
        "figure they reported",
        "with the respondent: /deletedata, or {months} months without activity (ticking a step off and "
        "answering a check-in count as activity)",
    ),
    "followups": (
        "whether the respondent asked for reminders, and the day they were offered and decided",
        "with the respondent: /deletedata, or {months} months without activity (deciding counts as activity)",
    ),
    "reminders": (
        "the reminders a respondent asked for: kind, step or duty, due time, status (no chat id, no text)",
        f"pending ones with the respondent; sent, cancelled or failed ones {DELIVERY_DAYS} days after they "
        "were due; all on /deletedata or /reminders",
    ),
    "processed_updates": (
        "ids of handled Telegram updates, so a redelivered update is not applied twice",
        f"{PROCESSED_UPDATE_DAYS} days",
    ),
}


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# Respondents retired per transaction at most, checked ``CHUNK`` at a time until the transaction has worked for
# ``BUDGET`` seconds: a writer waiting for the lock waits one such transaction (the daily job pauses between
# two), and 100,000 respondents are many short transactions.
BATCH = 50
CHUNK = 2
BUDGET = 0.01
_COUNTS = (
    "identities_unlinked",
    "results_kept_anonymously",
    "respondents_deleted",
    "sessions_deleted",
    "results_deleted",
    "share_codes_deleted",
    "subscriptions_deleted",
    "tip_seen_deleted",
    "broadcasts_deleted",
    "deliveries_deleted",
    "processed_updates_deleted",
    "reminders_deleted",
    "plan_progress_deleted",
    "followups_deleted",
)
_LAST_ACTIVE = """
    max(
        r.created_at,
        coalesce((select max(i.created_at) from identities i where i.respondent_id = r.id), ''),
        coalesce((select s.updated_at from sessions s where s.respondent_id = r.id), ''),
        coalesce((select max(x.created_at) from results x where x.respondent_id = r.id), ''),
        -- ticking a step off, answering a check-in or deciding on reminders is activity too
        coalesce((select max(max(p.marked_on, coalesce(p.kpi_on, '')))
                  from plan_progress p where p.respondent_id = r.id), ''),
        coalesce((select f.decided_on from followups f where f.respondent_id = r.id), '')
    )
"""
_INACTIVE = f"""
    select r.id, r.consent, r.consent_version, r.consent_month, r.language, r.referral_code
    from respondents r
    where exists (select 1 from identities i where i.respondent_id = r.id) and {_LAST_ACTIVE} < :cutoff
"""


class RetentionStore(Store):
    """The daily pass that removes what the retention rules say is due."""

    def apply_retention(
        self,
        months: int,
        *,
        dry_run: bool = False,
        now: datetime | None = None,
        batch: int = BATCH,
        budget: float = BUDGET,
    ) -> dict[str, int]:
        """Remove what is due under the retention rules in short transactions; counts per kind, never ids.
        ``dry_run`` only reads the file."""
        if dry_run:
            return self._on_a_copy(months, now or datetime.now(UTC))
        steps = self.retention_steps(months, now=now, batch=batch, budget=budget)
        while True:
            try:
                next(steps)
            except StopIteration as finished:
                return dict(finished.value)

    def retention_steps(
        self, months: int, *, now: datetime | None = None, batch: int = BATCH, budget: float = BUDGET
    ) -> Generator[None, None, dict[str, int]]:
        """The pass as steps, one short transaction each; the generator returns the counts.

        The inactive respondents are listed once and retired ``batch`` at a time, each one checked again in
        its transaction (who wrote meanwhile is kept). The bot's daily job runs each step in a worker thread
        and lets the event loop run between two steps, so the bot's own writes never wait longer than one.
        """
        moment = now or datetime.now(UTC)
        cutoff = datetime.combine(months_before(moment.date(), months), moment.timetz()).isoformat(
            timespec="seconds"
        )
        short = (moment - timedelta(days=DELIVERY_DAYS)).isoformat(timespec="seconds")
        updates_cutoff = (moment - timedelta(days=PROCESSED_UPDATE_DAYS)).isoformat(timespec="seconds")
        counts = dict.fromkeys(_COUNTS, 0)
        due = [row[0] for row in self.execute(f"select id from ({_INACTIVE})", {"cutoff": cutoff})]
        start = 0
        while start < len(due):
            # A transaction ends after ``budget`` seconds of work (or ``batch`` respondents): its length, not
            # a count, is what a writer waiting for the lock feels, and a loaded machine makes each one slower.
            first, end = start, min(len(due), start + batch)
            with self.write():
                began = time.monotonic()
                while start < end and (start == first or time.monotonic() - began < budget):
                    ids = due[start : min(end, start + CHUNK)]
                    start += len(ids)
                    for respondent in self.rows(
                        f"{_INACTIVE} and r.id in (select value from json_each(:ids))",
                        {"cutoff": cutoff, "ids": json.dumps(ids)},
                    ):
                        self._retire(respondent, counts)
            yield
        finished = "status in ('done', 'cancelled') and coalesce(finished_at, created_at) < ?"
        for name, where, params in (
            ("subscriptions_deleted", "tip_subscriptions where active = 0 and updated_at < ?", [cutoff]),
            (
                "tip_seen_deleted",
                "tip_seen where chat_id not in (select chat_id from tip_subscriptions where active = 1)",
                [],
            ),
            (
                "deliveries_deleted",
                f"deliveries where broadcast_id in (select id from broadcasts where {finished})",
                [short],
            ),
            (
                "broadcasts_deleted",
                f"broadcasts where ({finished}) or (status = 'draft' and created_at < ?)",
                [cutoff, cutoff],
            ),
            ("processed_updates_deleted", "processed_updates where processed_at < ?", [updates_cutoff]),
            (
                "reminders_deleted",
                "reminders where status not in ('pending', 'sending') and due_at < ?",
                [short],
            ),
        ):
            table, _, condition = where.partition(" where ")
            size = batch * 10
            while True:
                with self.write():
                    deleted = self.execute(
                        f"delete from {table} where rowid in "
                        f"(select rowid from {table} where {condition} limit ?)",
                        [*params, size],
                    ).rowcount
                counts[name] += deleted
                yield
                if deleted < size:
                    break
        return counts

    def _retire(self, respondent: dict[str, object], counts: dict[str, int]) -> None:
        """Unlink one inactive respondent; a consenting one's latest result stays, unrecognisable."""
        rid = respondent["id"]
        # A private chat's id is the user's id: an ended subscription there goes with the link.
        counts["subscriptions_deleted"] += self._delete(
            "delete from tip_subscriptions where active = 0 and kind = 'private' and chat_id in "
            "(select cast(channel_user_id as integer) from identities where respondent_id = ?)",
            rid,
        )
        counts["identities_unlinked"] += self._delete("delete from identities where respondent_id = ?", rid)
        counts["sessions_deleted"] += self._delete("delete from sessions where respondent_id = ?", rid)
        # Follow-through goes with the link, also from the result kept anonymously: its steps, its decision
        # on reminders and every reminder, pending or not.
        counts["plan_progress_deleted"] += self._delete(
            "delete from plan_progress where respondent_id = ?", rid
        )
        counts["followups_deleted"] += self._delete("delete from followups where respondent_id = ?", rid)
        counts["reminders_deleted"] += self._delete("delete from reminders where respondent_id = ?", rid)
        code = respondent["referral_code"]
        if code:
            self.execute("update respondents set referral_code = null where id = ?", [rid])
            self.execute("delete from referral_arrivals where code = ?", [code])
            counts["share_codes_deleted"] += self._delete("delete from referrals where code = ?", code)
        latest = self.row("select * from results where respondent_id = ? order by id desc limit 1", [rid])
        if respondent["consent"] == 1 and latest is not None:
            self._keep_anonymously(respondent, latest)
            counts["results_kept_anonymously"] += 1
        counts["results_deleted"] += self._delete("delete from results where respondent_id = ?", rid)
        counts["respondents_deleted"] += self._delete("delete from respondents where id = ?", rid)

    def _keep_anonymously(self, respondent: dict[str, object], latest: dict[str, object]) -> None:
        """The latest result as a new row under a fresh id: a new result id, the month only, bands instead of
        figures, the score rounded, no advice steps. Nothing /mydata showed of it matches the row left."""
        fresh = secrets.token_hex(16)
        month = str(latest["created_at"] or "")[:7]
        self.execute(
            "insert into respondents (id, created_at, language, consent, consent_version, consent_month) "
            "values (?, ?, ?, 1, ?, ?)",
            [
                fresh,
                month,
                respondent["language"],
                respondent["consent_version"],
                respondent["consent_month"],
            ],
        )
        try:
            answers = json.loads(str(latest["answers"] or "{}"))
        except ValueError:
            answers = {}
        self.execute(
            "insert into results (respondent_id, created_at, category, score, answers, step_ids) "
            "values (?, ?, ?, ?, ?, '[]')",
            [
                fresh,
                month,
                latest["category"],
                rounded_score(latest["score"]),
                json.dumps(anonymised_answers(answers if isinstance(answers, dict) else {}), sort_keys=True),
            ],
        )

    def _on_a_copy(self, months: int, moment: datetime) -> dict[str, int]:
        """A dry run: the pass on an in-memory copy brought to the current schema; the file is only read."""
        copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        try:
            self.connection.conn.backup(copy)
            connection = Connection.over(copy, ":memory:")
            migration_set().apply(connection.db)
            return RetentionStore(connection).apply_retention(months, now=moment)
        finally:
            copy.close()

    def _delete(self, sql: str, *params: object) -> int:
        return self.execute(sql, list(params)).rowcount
