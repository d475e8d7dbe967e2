"""Respondents and the channel identities linked to them: consent, share codes, reachability and erasure.

Answers live under a random respondent id. Channel identities are kept in a separate table that only links
to that id, so exports can leave identities out by construction.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import orjson

from bot.storage.db import Store, now
from bot.storage.rows import IdentityRow, StoredSession, Visitor, identity_row

# What ``visit`` reads of a channel identity: its respondent, consent, language, share code and session.
_VISITOR = (
    "i.respondent_id, i.blocked_at, r.consent, r.consent_version, r.language as respondent_language, "
    "r.referral_code, s.state, s.answers, s.language, s.reply_pending "
)


class RespondentStore(Store):
    """Respondents, their channel identities, consent and share codes."""

    def visit(self, channel: str, user_id: str | int, *, language_code: str | None = None) -> Visitor:
        """Everything an update needs to know about a user in one read, creating the respondent on first contact.

        A user who writes again has evidently unblocked the bot, so a "blocked" mark is cleared here.
        Call it inside ``write()`` so that the read and the update's writes form one transaction.
        """
        row = self.row(
            f"select {_VISITOR}from identities i join respondents r on r.id = i.respondent_id "
            "left join sessions s on s.respondent_id = i.respondent_id where i.channel = ? and i.channel_user_id = ?",
            [channel, str(user_id)],
        )
        return self._visitor(row, channel, user_id, language_code)

    def visit_update(
        self, channel: str, user_id: str | int, update_id: int, *, language_code: str | None = None
    ) -> Visitor | None:
        """``visit`` for a channel update, in the same statement as the look for its id among the handled
        ones: None (and nothing created) when the update was handled before."""
        # Joined from one constant row, so that an unknown identity still answers whether the update was
        # handled (an identity always has its respondent: a foreign key).
        row = self.row(
            f"select (select 1 from processed_updates where update_id = ?) as processed, {_VISITOR}"
            "from (select 1) left join identities i on i.channel = ? and i.channel_user_id = ? "
            "left join respondents r on r.id = i.respondent_id left join sessions s on s.respondent_id = i.respondent_id",
            [update_id, channel, str(user_id)],
        )
        assert row is not None  # the left join always gives one row
        if row.pop("processed") is not None:
            return None
        return self._visitor(
            row if row["respondent_id"] is not None else None, channel, user_id, language_code
        )

    def _visitor(
        self, row: dict[str, Any] | None, channel: str, user_id: str | int, language_code: str | None
    ) -> Visitor:
        if row is None:
            respondent_id = self._create(channel, user_id, language_code)
            return Visitor(
                respondent_id=respondent_id,
                consent=None,
                consent_version=None,
                blocked=False,
                language=None,
                referral_code=None,
                session=None,
            )
        if row["blocked_at"]:
            self.mark_blocked(channel, user_id, blocked=False)
        session = None
        if row["state"] is not None:
            session = StoredSession(
                state=row["state"],
                answers=_answers(row["answers"]),
                language=row["language"],
                reply_pending=int(row["reply_pending"] or 0),
            )
        return Visitor(
            respondent_id=str(row["respondent_id"]),
            consent=None if row["consent"] is None else bool(row["consent"]),
            consent_version=row["consent_version"],
            blocked=bool(row["blocked_at"]),
            language=row["respondent_language"],
            referral_code=row["referral_code"],
            session=session,
        )

    def _create(self, channel: str, user_id: str | int, language_code: str | None) -> str:
        respondent_id = secrets.token_hex(16)
        stamp = now()
        with self.write():
            self.execute("insert into respondents (id, created_at) values (?, ?)", [respondent_id, stamp])
            self.execute(
                "insert into identities (channel, channel_user_id, respondent_id, language_code, created_at) "
                "values (?, ?, ?, ?, ?)",
                [channel, str(user_id), respondent_id, language_code, stamp],
            )
        return respondent_id

    def respondent_for(self, channel: str, user_id: str | int, *, language_code: str | None = None) -> str:
        """The respondent id linked to a channel identity, creating both on first contact."""
        with self.write():
            return self.visit(channel, user_id, language_code=language_code)["respondent_id"]

    def find_respondent(self, channel: str, user_id: str | int) -> str | None:
        identity = self.identity(channel, user_id)
        return None if identity is None else identity["respondent_id"]

    def identity(self, channel: str, user_id: str | int) -> IdentityRow | None:
        row = self.row(
            "select * from identities where channel = ? and channel_user_id = ?", [channel, str(user_id)]
        )
        return None if row is None else identity_row(row)

    def new_respondent_for(self, channel: str, user_id: str | int) -> str:
        """Give an identity a fresh respondent (e.g. a terminal run that starts anew)."""
        with self.write():
            self.forget(channel, user_id)
            return self.respondent_for(channel, user_id)

    def consent_record(self, respondent_id: str) -> dict[str, object] | None:
        """The stored consent decision, the version of the text it answered and its month."""
        return self.row(
            "select consent, consent_version, consent_month from respondents where id = ?", [respondent_id]
        )

    def set_consent(self, respondent_id: str, consent: bool, *, version: int = 1) -> None:
        """Record a consent decision with the version of the text it answered and the month it was made."""
        self.execute(
            "update respondents set consent = ?, consent_version = ?, consent_month = ? where id = ?",
            [int(consent), version, now()[:7], respondent_id],
        )

    def create_referral_code(self, respondent_id: str) -> str:
        """Give the respondent a share code; the caller owns the transaction."""
        code = secrets.token_urlsafe(6)
        self.execute("update respondents set referral_code = ? where id = ?", [code, respondent_id])
        self.execute(
            "insert or ignore into referrals (code, arrivals, salt) values (?, 0, ?)",
            [code, secrets.token_hex(16)],
        )
        return code

    def count_referral_arrival(self, code: str, account: str | int) -> bool:
        """Count a newcomer who arrived through ``code`` once per account, without storing who they are.

        Only a hash of the account salted with the code's own salt is kept, to recognise the same account
        arriving again; it is erased with the code. True if the arrival was counted.
        """
        row = self.row("select salt from referrals where code = ?", [code])
        if row is None:
            return False
        salt = str(row["salt"] or "")
        digest = hashlib.sha256(f"{salt}:{account}".encode()).hexdigest()
        cursor = self.execute(
            "insert or ignore into referral_arrivals (code, account_hash, month) values (?, ?, ?)",
            [code, digest, now()[:7]],
        )
        if cursor.rowcount == 0:
            return False
        self.execute("update referrals set arrivals = arrivals + 1 where code = ?", [code])
        return True

    def own_referral_arrivals(self, account: str | int) -> list[dict[str, object]]:
        """The salted hashes stored for ``account`` arriving through share codes (pseudonymous data of its
        own, shown by /mydata): each code with arrivals is tried with its salt."""
        found: list[dict[str, object]] = []
        for row in self.rows("select code, salt from referrals where arrivals > 0"):
            digest = hashlib.sha256(f"{row['salt'] or ''}:{account}".encode()).hexdigest()
            arrival = self.row(
                "select account_hash, month from referral_arrivals where code = ? and account_hash = ?",
                [row["code"], digest],
            )
            if arrival is not None:
                found.append(dict(arrival))
        return found

    def forget_referral_code(self, code: str | None) -> None:
        """Erase a share code with its arrival count and the account hashes of those who used it."""
        if code:
            self.execute("delete from referral_arrivals where code = ?", [code])
            self.execute("delete from referrals where code = ?", [code])

    def referral_arrivals(self) -> int:
        return int(self.execute("select coalesce(sum(arrivals), 0) from referrals").fetchone()[0])

    def set_language(self, respondent_id: str, language: str) -> None:
        self.execute("update respondents set language = ? where id = ?", [language, respondent_id])

    def mark_blocked(self, channel: str, user_id: str | int, blocked: bool = True) -> None:
        """Remember that a user blocked the bot (or unblocked it by writing again)."""
        self.execute(
            "update identities set blocked_at = ? where channel = ? and channel_user_id = ?",
            [now() if blocked else None, channel, str(user_id)],
        )

    def erase_answers(self, respondent_id: str) -> None:
        """Drop stored answers and results but keep the identity (used when consent was refused)."""
        with self.write():
            self.execute("delete from results where respondent_id = ?", [respondent_id])
            self.execute("update sessions set answers = '{}' where respondent_id = ?", [respondent_id])

    def forget(self, channel: str, user_id: str | int) -> bool:
        """Erase an identity with everything stored under its respondent id; True if there was anything."""
        with self.write():
            respondent_id = self.find_respondent(channel, user_id)
            if respondent_id is None:
                return False
            code = self.row("select referral_code from respondents where id = ?", [respondent_id])
            self.forget_referral_code(code["referral_code"] if code else None)
            self.execute("delete from identities where respondent_id = ?", [respondent_id])
            self.execute("delete from sessions where respondent_id = ?", [respondent_id])
            self.execute("delete from results where respondent_id = ?", [respondent_id])
            self.execute("delete from respondents where id = ?", [respondent_id])
        return True


def _answers(text: str | None) -> dict[str, object]:
    """A stored session's answers (orjson: read on every update, where json took a fifth of storage's time)."""
    try:
        answers = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        return {}
    return answers if isinstance(answers, dict) else {}
