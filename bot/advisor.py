"""The advisor service: the use cases both channels share, each update handled in one transaction.

A channel turns its input into an event, calls ``Advisor.handle`` and renders the ``Outcome`` it gets back;
it never touches storage for the dialogue. Finishing a check (storing the result, what changed since the last
one, erasing answers whose owner refused consent), consent, share codes and erasure live here, once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.analytics.peers import PeerBenchmark
from bot.i18n import Translator
from bot.outcome import (
    AdvisorEvent,
    Begin,
    ChangeConsent,
    GiveConsent,
    Outcome,
    Pressed,
    ReportSubject,
    Respondent,
    Typed,
)
from bot.reading import event_for_text
from bot.receipts import Receipts
from bot.storage import Storage, Visitor
from dialogs.engine import evaluate, handle, is_complete, restore
from dialogs.events import Event, Show
from dialogs.questions import QUESTION_BY_ID
from dialogs.screens import (
    QuestionScreen,
    Result,
    ResultScreen,
    SummaryScreen,
    offered_screen,
    summary_screen,
)
from dialogs.sections import Changes
from dialogs.session import RESULT, SUMMARY, Session
from dialogs.text import Text, language_for, msg

if TYPE_CHECKING:
    from bot.storage.followup import PreviousResult, ResultContext

WELCOME_BACK = msg("Welcome back! We continue where you left off.")
REPLY_LOST = msg("My last reply may not have reached you. Your answers are saved; here is where you are now.")
CONSENT_GIVEN = msg(
    "Thank you! Your answers are also used for statistics; exports show only rounded bands, never your account."
)
CONSENT_REFUSED = msg("Understood: your answers are deleted once you have your result.")
CONSENT_WITHDRAWN = msg(
    "Your consent is withdrawn: your answers no longer count in the statistics, and your stored results are "
    "deleted."
)
# The version of the consent question and its privacy notice. Raise it whenever their wording changes in
# substance: everyone who answered an earlier version is asked again at their next contact.
CONSENT_VERSION = 2


class Advisor:
    """The questionnaire as a service for one channel; ``handle`` commits each update exactly once.

    ``asks_consent``: the channel asks before answers are kept for statistics, and refused answers are erased
    once the result is out. ``confirms_replies``: the channel calls ``replied`` once a reply is delivered, so
    a reply lost in a crash is noticed. ``shares``: results carry the respondent's share code.

    Delivery receipts (``bot.receipts``) never cost a commit of their own: they ride on this process's next
    transaction, and ``flush_receipts`` writes them when it is idle and at a clean stop. A crash loses only
    receipts, so the next message after it is treated as if the reply had been lost (the user sees the
    current question again) and never as an answer to a question the user has not seen.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        asks_consent: bool = False,
        confirms_replies: bool = False,
        shares: bool = False,
        peers: PeerBenchmark | None = None,
        default_language: str = "en",
    ) -> None:
        self.storage = storage
        self.default_language = default_language  # for users whose language is neither German nor English
        self.asks_consent = asks_consent
        self.confirms_replies = confirms_replies
        self.shares = shares
        self.peers = peers or PeerBenchmark(storage)
        self.receipts = Receipts(storage)
        self._token = 0  # the reply token of the update being handled

    def handle(self, respondent: Respondent, event: AdvisorEvent, *, update_id: int | None = None) -> Outcome:
        """Apply one event; the session, a finished result, an erasure and ``update_id`` commit together."""
        with self.storage.write():
            respondents = self.storage.respondents
            found = (
                respondents.visit(
                    respondent.channel, respondent.user_id, language_code=respondent.language_code
                )
                if update_id is None
                else respondents.visit_update(
                    respondent.channel, respondent.user_id, update_id, language_code=respondent.language_code
                )
            )
            if found is None:  # the update was handled before
                return Outcome(
                    "", language_for(respondent.language_code, self.default_language), "", duplicate=True
                )
            visitor = found
            self._token = Receipts.new_token(update_id)
            outcome = self._handle(respondent, visitor, event, update_id)
            if outcome.reply_token != self._token:  # the answers' outcome carries it already
                outcome = replace(outcome, reply_token=self._token)
            self.receipts.write_held()  # other respondents' receipts ride on this commit
        result = outcome.result
        if result is not None:  # a cached aggregate, read outside the transaction
            outcome = replace(outcome, peer=self.peers.line(result.classification.category.value))
        return outcome

    def _handle(
        self, respondent: Respondent, visitor: Visitor, event: AdvisorEvent, update_id: int | None
    ) -> Outcome:
        stored = visitor["session"]
        respondent_id = visitor["respondent_id"]
        pending = int(stored["reply_pending"]) if stored is not None else 0
        reply_lost = not self.receipts.confirms(respondent_id, pending)
        session, restore_notices = restore(
            stored, language_for(respondent.language_code, self.default_language)
        )
        # A decision on an earlier version of the consent text is asked again.
        consent = visitor["consent"] if visitor["consent_version"] == CONSENT_VERSION else None
        note: Text | None = None
        warning = stale = False
        engine_event: Event = Show()
        if isinstance(event, Begin):
            if stored is None and event.referral_code:
                self.storage.respondents.count_referral_arrival(event.referral_code[:60], respondent.user_id)
            if self.asks_consent and consent is None:
                self._store(respondent_id, visitor, session, finished=False, pending=False)
                return Outcome(respondent_id, session.language, session.state, needs_consent=True)
            if session.answers and session.state not in (SUMMARY, RESULT):
                note = WELCOME_BACK
        elif isinstance(event, GiveConsent):
            if consent is None:
                self.storage.respondents.set_consent(respondent_id, event.consent, version=CONSENT_VERSION)
                consent = event.consent
                note = CONSENT_GIVEN if event.consent else CONSENT_REFUSED
        elif isinstance(event, ChangeConsent):
            return self._change_consent(respondent_id, session, event.consent, update_id)
        elif self.asks_consent and consent is None:
            return Outcome(respondent_id, session.language, session.state, needs_consent=True)
        elif isinstance(event, Typed):
            if reply_lost and session.state != RESULT:
                # The user never saw our last reply, so this text answers an earlier question (typed again):
                # show where they are instead of storing it as the answer to a question they have not seen.
                note, warning = REPLY_LOST, True
            else:
                engine_event = event_for_text(event.text, shown_screen(session), Translator(session.language))
        elif isinstance(event, Pressed):
            stale = event.offered_in is not None and event.offered_in != session.state
            engine_event = Show() if stale else event.event
        else:
            engine_event = event

        session, reply = handle(session, engine_event)
        changes = None
        result = reply.screen.result if isinstance(reply.screen, ResultScreen) else None
        erase = reply.completed and result is not None and self.asks_consent and consent is False
        context: ResultContext | None = None
        if result is not None and not erase:  # shown with what it was before, in parts
            context = self.storage.followup.before_result(respondent_id)
            if reply.completed:
                changes = self._record(respondent_id, session, result, context)
        if update_id is not None:  # committed with the answer: a repeated update is then skipped
            self.storage.sessions.claim_update(update_id)
        self._store(respondent_id, visitor, session, finished=reply.completed, erase=erase)
        share_code = None
        if self.shares and result is not None:
            share_code = visitor["referral_code"] or self.storage.respondents.create_referral_code(
                respondent_id
            )
        return Outcome(
            respondent_id,
            session.language,
            session.state,
            reply.screen,
            notices=restore_notices + reply.notices,
            warnings=reply.warnings,
            rejected=reply.rejected,
            completed=reply.completed,
            erased=erase,
            note=note,
            warning=warning,
            stale=stale,
            changes=changes,
            share_code=share_code,
            reply_token=self._token,
            done=context["done"] if context is not None else frozenset(),
            followup=context["followup"] if context is not None else None,
        )

    def _change_consent(
        self, respondent_id: str, session: Session, consent: bool, update_id: int | None
    ) -> Outcome:
        """Record a later decision; a withdrawal takes the answers out of the statistics in this commit."""
        self.storage.respondents.set_consent(respondent_id, consent, version=CONSENT_VERSION)
        if not consent:
            if session.state == RESULT:  # a finished check's answers go, as after a refusal
                self.storage.respondents.erase_answers(respondent_id)
            else:  # the answers of a check under way stay until its result, then they go too
                self.storage.sessions.delete_results(respondent_id)
            self.peers.forget_cache()
        if update_id is not None:
            self.storage.sessions.claim_update(update_id)
        note = CONSENT_GIVEN if consent else CONSENT_WITHDRAWN
        return Outcome(respondent_id, session.language, session.state, note=note)

    def _store(
        self,
        respondent_id: str,
        visitor: Visitor,
        session: Session,
        *,
        finished: bool,
        pending: bool | None = None,
        erase: bool = False,
    ) -> None:
        data = session.to_dict()
        if erase:  # consent was refused: the result is out, the answers go
            data = {**data, "answers": {}}
            self.storage.sessions.delete_results(respondent_id)
        self.storage.sessions.store_session(
            respondent_id,
            data,
            finished=finished,
            reply_pending=self._token if (self.confirms_replies if pending is None else pending) else 0,
        )
        if visitor["language"] != session.language:
            self.storage.respondents.set_language(respondent_id, session.language)

    def _record(
        self, respondent_id: str, session: Session, result: Result, context: ResultContext
    ) -> Changes | None:
        """Store a fresh result and tell what changed since the previous one (read in ``context``)."""
        from dialogs.declaration import statistics_answers  # with the first result, not at the start

        step_ids = [step.id for step in result.advice.steps]
        self.storage.sessions.save_result(
            respondent_id,
            category=result.classification.category.value,
            score=result.advice.score,
            answers=statistics_answers(session.answers, result.profile.group),
            step_ids=step_ids,
        )
        previous = context["previous"]
        return changes_since(previous, result, context["done"]) if previous is not None else None

    def replied(self, outcome: Outcome) -> None:
        """The reply to ``outcome`` is delivered (only channels that confirm replies call it)."""
        if self.confirms_replies and outcome.respondent_id and not outcome.needs_consent:
            self.receipts.add(outcome.respondent_id, outcome.reply_token)

    def flush_receipts(self) -> int:
        """Write the delivery receipts held in memory, in one transaction; returns how many."""
        return self.receipts.flush()

    def consent_of(self, respondent: Respondent) -> bool | None:
        """The respondent's consent to the current consent text (None: not asked, or asked on an older text)."""
        identity = self.storage.respondents.identity(respondent.channel, respondent.user_id)
        if identity is None:
            return None
        record = self.storage.respondents.consent_record(identity["respondent_id"])
        if record is None or record["consent_version"] != CONSENT_VERSION:
            return None
        return None if record["consent"] is None else bool(record["consent"])

    def language_of(self, respondent: Respondent) -> str:
        """The language the respondent uses with the bot (read only; nothing is created)."""
        identity = self.storage.respondents.identity(respondent.channel, respondent.user_id)
        session = self.storage.sessions.load_session(identity["respondent_id"]) if identity else None
        return (
            session["language"] if session else language_for(respondent.language_code, self.default_language)
        )

    def report_subject(self, respondent: Respondent) -> ReportSubject | None:
        """The result the respondent is looking at, for a report; None before a result (read only)."""
        identity = self.storage.respondents.identity(respondent.channel, respondent.user_id)
        stored = self.storage.sessions.load_session(identity["respondent_id"]) if identity else None
        if identity is None or stored is None:
            return None
        session, _ = restore(stored, language_for(respondent.language_code, self.default_language))
        if session.state != RESULT or not is_complete(session.answers):  # refused answers are erased
            return None
        latest = self.storage.sessions.latest_results(identity["respondent_id"], limit=1)
        stored_at = datetime.fromisoformat(latest[0]["created_at"]) if latest else None
        return ReportSubject(evaluate(session.answers), session.language, stored_at)

    def forget(self, respondent: Respondent, *, chat_id: int | None = None) -> bool:
        """Erase everything stored about the respondent (and the tip records of their private chat)."""
        return self.storage.forget_everything(respondent.channel, respondent.user_id, chat_id)

    def start_afresh(self, respondent: Respondent) -> None:
        """Forget the respondent's earlier answers and results (a new terminal run)."""
        self.storage.respondents.new_respondent_for(respondent.channel, respondent.user_id)


def shown_screen(session: Session) -> QuestionScreen | SummaryScreen | None:
    """The question or summary the user sees, to read typed text against (no engine pass, no result)."""
    if session.state in QUESTION_BY_ID:
        return offered_screen(QUESTION_BY_ID[session.state], session.answers)
    if session.state == SUMMARY:
        return summary_screen(session.answers)
    return None


def changes_since(
    before: PreviousResult, result: Result, marked_done: frozenset[str] = frozenset()
) -> Changes:
    category = result.classification.category.value
    return Changes(
        category=result.classification.name if before["category"] != category else None,
        score_delta=result.advice.score - before["score"],
        steps_done=len([sid for sid in before["step_ids"] if sid not in {s.id for s in result.advice.steps}]),
        steps_marked_done=len([sid for sid in before["step_ids"] if sid in marked_done]),
    )
