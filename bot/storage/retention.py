"""Storage limitation: what each table holds, how long, and the pass that removes what is due.

After ``RETENTION_MONTHS`` without activity a respondent's link to their channel identity is removed. A
consenting respondent's latest result stays for statistics, moved to a fresh random id with its date cut to
the month, so that nothing left (no id shown by /mydata, no share code, no exact time) leads back to the
person. Everything else of that respondent is deleted.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from bot.storage.db import Store

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
        "one kept anonymously (month only) after {months} months without activity; /deletedata while linked",
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
        "steps of the plan the respondent ticked off, with the day and a figure they reported",
        "with the respondent: /deletedata, or {months} months without activity",
    ),
    "followups": (
        "whether the respondent asked for reminders, and the day they were offered and decided",
        "with the respondent: /deletedata, or {months} months without activity",
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


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that everything it did is rolled back."""


class RetentionStore(Store):
    """The daily pass that removes what the retention rules say is due."""

    def apply_retention(
        self, months: int, *, dry_run: bool = False, now: datetime | None = None
    ) -> dict[str, int]:
        """Remove what is due under the retention rules in one transaction; counts per kind, never ids."""
        moment = now or datetime.now(UTC)
        cutoff = datetime.combine(months_before(moment.date(), months), moment.timetz()).isoformat(
            timespec="seconds"
        )
        short = (moment - timedelta(days=DELIVERY_DAYS)).isoformat(timespec="seconds")
        updates_cutoff = (moment - timedelta(days=PROCESSED_UPDATE_DAYS)).isoformat(timespec="seconds")
        counts: dict[str, int] = {}
        try:
            with self.write():
                counts = self._retention(cutoff, short, updates_cutoff)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return counts

    def _retention(self, cutoff: str, short: str, updates_cutoff: str) -> dict[str, int]:
        counts = dict.fromkeys(
            (
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
            ),
            0,
        )
        inactive = self.rows(
            """
            select r.id, r.consent, r.consent_version, r.consent_month, r.language, r.referral_code
            from respondents r
            where exists (select 1 from identities i where i.respondent_id = r.id)
              and max(
                    r.created_at,
                    coalesce((select max(i.created_at) from identities i where i.respondent_id = r.id), ''),
                    coalesce((select s.updated_at from sessions s where s.respondent_id = r.id), ''),
                    coalesce((select max(x.created_at) from results x where x.respondent_id = r.id), '')
                  ) < :cutoff
            """,
            {"cutoff": cutoff},
        )
        for respondent in inactive:
            rid = respondent["id"]
            # A private chat's id is the user's id: an ended subscription there goes with the link.
            for identity in self.rows(
                "select channel_user_id from identities where respondent_id = ?", [rid]
            ):
                counts["subscriptions_deleted"] += self._delete(
                    "delete from tip_subscriptions where chat_id = ? and active = 0 and kind = 'private'",
                    identity["channel_user_id"],
                )
            counts["identities_unlinked"] += self._delete(
                "delete from identities where respondent_id = ?", rid
            )
            counts["sessions_deleted"] += self._delete("delete from sessions where respondent_id = ?", rid)
            if respondent["referral_code"]:
                self.execute("update respondents set referral_code = null where id = ?", [rid])
                self.execute("delete from referral_arrivals where code = ?", [respondent["referral_code"]])
                counts["share_codes_deleted"] += self._delete(
                    "delete from referrals where code = ?", respondent["referral_code"]
                )
            latest = self.row("select max(id) as id from results where respondent_id = ?", [rid])
            if respondent["consent"] == 1 and latest is not None and latest["id"] is not None:
                fresh = secrets.token_hex(16)
                kept = self.row(
                    "select substr(created_at, 1, 7) as month from results where id = ?", [latest["id"]]
                )
                month = kept["month"] if kept else cutoff[:7]
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
                self.execute(
                    "update results set respondent_id = ?, created_at = ? where id = ?",
                    [fresh, month, latest["id"]],
                )
                counts["results_kept_anonymously"] += 1
            counts["results_deleted"] += self._delete("delete from results where respondent_id = ?", rid)
            counts["respondents_deleted"] += self._delete("delete from respondents where id = ?", rid)
        counts["subscriptions_deleted"] += self._delete(
            "delete from tip_subscriptions where active = 0 and updated_at < ?", cutoff
        )
        counts["tip_seen_deleted"] += self._delete(
            "delete from tip_seen where chat_id not in (select chat_id from tip_subscriptions where active = 1)"
        )
        finished = "status in ('done', 'cancelled') and coalesce(finished_at, created_at) < ?"
        counts["deliveries_deleted"] += self._delete(
            f"delete from deliveries where broadcast_id in (select id from broadcasts where {finished})",
            short,
        )
        counts["broadcasts_deleted"] += self._delete(
            f"delete from broadcasts where ({finished}) or (status = 'draft' and created_at < ?)",
            cutoff,
            cutoff,
        )
        counts["processed_updates_deleted"] += self._delete(
            "delete from processed_updates where processed_at < ?", updates_cutoff
        )
        counts["reminders_deleted"] += self._delete(
            "delete from reminders where status not in ('pending', 'sending') and due_at < ?", short
        )
        return counts

    def _delete(self, sql: str, *params: object) -> int:
        return self.execute(sql, list(params)).rowcount
