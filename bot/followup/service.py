"""Follow-through as a service: the result's views with the steps done, ticking steps off, the opt-in to
reminders, check-in answers with a figure, and the re-test. Each use case is one transaction; channels render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.advisor import Advisor, changes_since
from bot.followup import schedule
from bot.outcome import Respondent
from bot.storage import FollowupRow, ReminderRow, Storage
from dialogs.deadlines import Deadline, deadlines_for
from dialogs.engine import evaluate, is_complete, restore
from dialogs.parsing import parse_amount, parse_percent
from dialogs.plan import Step
from dialogs.screens import Result
from dialogs.sections import Changes
from dialogs.session import SUMMARY
from dialogs.text import InvalidAnswer, Number, Percent, Text, language_for, msg

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ResultView:
    """What a channel needs to show a stored result in parts."""

    respondent_id: str
    language: str
    result: Result
    done: frozenset[str]
    changes: Changes | None
    peer: Text | None
    followup: FollowupRow | None
    result_id: int | None
    share_code: str | None = None


@dataclass(frozen=True)
class ReminderContent:
    """One due reminder as plain data: who, in which language, about what."""

    row: ReminderRow
    language: str
    kind: str
    step: Step | None = None  # a check-in's step
    deadline: Deadline | None = None
    lead_days: int = 0
    months: int = 0


@dataclass(frozen=True)
class FigureReply:
    """The answer to a typed figure: stored (``value`` set) or refused with a reason (ask again)."""

    language: str
    value: Text | None = None
    reason: Text | None = None
    metric: Text | None = None


class FollowupService:
    def __init__(
        self, storage: Storage, advisor: Advisor, zone: ZoneInfo, clock: Clock | None = None
    ) -> None:
        self.storage = storage
        self.advisor = advisor
        self.zone = zone
        self.clock = clock or (lambda: datetime.now(UTC))

    def today(self) -> datetime:
        return self.clock()

    def _respondent_id(self, respondent: Respondent) -> str | None:
        return self.storage.respondents.find_respondent(respondent.channel, respondent.user_id)

    # --- the result's views and the plan --------------------------------------------------------

    def view(self, respondent: Respondent) -> ResultView | None:
        """The result the respondent looks at, with steps done and what changed; None before a result."""
        subject = self.advisor.report_subject(respondent)
        rid = self._respondent_id(respondent)
        if subject is None or rid is None:
            return None
        latest = self.storage.sessions.latest_results(rid, limit=2)
        done = self.storage.followup.done_steps(rid)
        changes = changes_since(latest[1], subject.result, done) if len(latest) > 1 else None
        category = subject.result.classification.category.value
        return ResultView(
            rid,
            subject.language,
            subject.result,
            done,
            changes,
            self.advisor.peers.line(category),
            self.storage.followup.followup(rid),
            latest[0]["id"] if latest else None,
            self.storage.followup.share_code_of(rid),
        )

    def toggle_step(self, respondent: Respondent, step_id: str) -> ResultView | None:
        """Mark a step of the current plan done, or open again; None when it is not in the plan."""
        current = self.view(respondent)
        if current is None or step_id not in {step.id for step in current.result.advice.steps}:
            return current
        with self.storage.write():
            self.storage.followup.mark_step(
                current.respondent_id, step_id, step_id not in current.done, self.today().date()
            )
        return self.view(respondent)

    def report_once(self, respondent: Respondent) -> bool:
        """Whether the report of the current result is still to be sent (noted as sent in the same commit)."""
        current = self.view(respondent)
        if current is None or current.result_id is None:
            return True  # nothing stored to remember it by: the report handler says what is missing
        with self.storage.write():
            return self.storage.followup.note_report_sent(current.respondent_id, current.result_id)

    # --- opt-in and the schedule -----------------------------------------------------------------

    def deadlines(self, result: Result) -> tuple[Deadline, ...]:
        return deadlines_for(result, self.clock().astimezone(self.zone).date())

    def opt_in(self, respondent: Respondent) -> list[ReminderRow]:
        """Plan the reminders of the current result (once; pressing again plans nothing new)."""
        current = self.view(respondent)
        if current is None:
            return []
        now = self.clock()
        with self.storage.write():
            self.storage.followup.decide_followup(current.respondent_id, True, now.date())
            planned = schedule.plan(now, self.zone, self.deadlines(current.result))
            self.storage.followup.plan_reminders(current.respondent_id, planned)
        return self.storage.followup.reminders_of(current.respondent_id, pending_only=True)

    def decline(self, respondent: Respondent) -> None:
        rid = self._respondent_id(respondent)
        if rid is not None:
            with self.storage.write():
                self.storage.followup.decide_followup(rid, False, self.clock().date())

    def reminders(self, respondent: Respondent) -> list[ReminderRow]:
        rid = self._respondent_id(respondent)
        return [] if rid is None else self.storage.followup.reminders_of(rid, pending_only=True)

    def stop(self, respondent: Respondent, reminder_id: int | None = None) -> int:
        """Cancel one reminder or all; stopping all also withdraws the opt-in."""
        rid = self._respondent_id(respondent)
        if rid is None:
            return 0
        with self.storage.write():
            stopped = self.storage.followup.cancel_reminders(rid, reminder_id, reason="stopped")
            if reminder_id is None:
                self.storage.followup.decide_followup(rid, False, self.clock().date())
                self.storage.followup.await_kpi(rid, None)
        return stopped

    def blocked(self, respondent_id: str) -> int:
        """The user blocked the bot: every reminder of theirs is cancelled."""
        with self.storage.write():
            self.storage.followup.decide_followup(respondent_id, False, self.clock().date())
            return self.storage.followup.cancel_reminders(respondent_id, reason="blocked")

    # --- check-ins and figures -------------------------------------------------------------------

    def checkin_done(self, respondent: Respondent, step_id: str) -> FigureReply | None:
        """The step is done: marked so, and the next typed text is its figure (the metric is asked for)."""
        current = self.view(respondent)
        step = _step(current.result, step_id) if current else None
        if current is None or step is None:
            return None
        with self.storage.write():
            self.storage.followup.mark_step(current.respondent_id, step_id, True, self.today().date())
            self.storage.followup.await_kpi(current.respondent_id, step_id)
        return FigureReply(current.language, metric=step.metric)

    def checkin_not_yet(self, respondent: Respondent, step_id: str) -> None:
        """The step is not done yet: the answer is stored with the step (and counts as activity)."""
        current = self.view(respondent)
        if current is None or _step(current.result, step_id) is None:
            return
        with self.storage.write():
            self.storage.followup.note_not_yet(current.respondent_id, step_id, self.today().date())

    def figure(self, respondent: Respondent, text: str) -> FigureReply | None:
        """Store a typed figure for the step asked about; None when no figure is awaited."""
        rid = self._respondent_id(respondent)
        row = self.storage.followup.followup(rid) if rid else None
        if rid is None or row is None or row["awaiting_kpi_step"] is None:
            return None
        language = self.storage.followup.language_of_respondent(rid)
        step_id = row["awaiting_kpi_step"]
        try:
            value = _read_figure(text, language)
        except InvalidAnswer as error:
            return FigureReply(language, reason=error.reason)
        with self.storage.write():
            self.storage.followup.record_kpi(rid, step_id, str(value[0]), self.today().date())
            self.storage.followup.await_kpi(rid, None)
        return FigureReply(language, value=value[1])

    def skip_figure(self, respondent: Respondent) -> None:
        rid = self._respondent_id(respondent)
        if rid is not None:
            with self.storage.write():
                self.storage.followup.await_kpi(rid, None)

    # --- the re-test -----------------------------------------------------------------------------

    def prepare_retest(self, respondent: Respondent) -> bool:
        """Put the last check's answers on the summary, to change what changed and see the difference."""
        rid = self._respondent_id(respondent)
        if rid is None:
            return False
        with self.storage.write():
            latest = self.storage.sessions.latest_results(rid, limit=1)
            stored = self.storage.sessions.load_session(rid)
            answers = latest[0]["answers"] if latest else (stored["answers"] if stored else {})
            if not is_complete(answers):
                return False
            session, _ = restore(stored, language_for(respondent.language_code))
            data = {**session.to_dict(), "state": SUMMARY, "answers": answers}
            self.storage.sessions.store_session(rid, data, finished=False, reply_pending=False)
        return True

    # --- what a due reminder says ----------------------------------------------------------------

    def content(self, row: ReminderRow) -> ReminderContent | None:
        """The due reminder's subject; None when there is nothing left to say (no result any more)."""
        rid = row["respondent_id"]
        language = self.storage.followup.language_of_respondent(rid)
        latest = self.storage.sessions.latest_results(rid, limit=1)
        if not latest or not is_complete(latest[0]["answers"]):
            return None
        result = evaluate(latest[0]["answers"])
        if row["kind"] == schedule.DEADLINE:
            duty, lead = schedule.deadline_of(row["ref"])
            deadline = next((d for d in self.deadlines(result) if d.id == duty), None)
            if deadline is None:
                return None
            return ReminderContent(row, language, row["kind"], deadline=deadline, lead_days=lead)
        if row["kind"] == schedule.CHECKIN:
            done = self.storage.followup.done_steps(rid)
            step = next((s for s in result.advice.steps if s.id not in done), None)
            if step is None:
                return None  # everything is done: no need to ask
            return ReminderContent(row, language, row["kind"], step=step)
        return ReminderContent(
            row, language, row["kind"], months=int(row["ref"]) if row["ref"].isdigit() else 0
        )


def _step(result: Result, step_id: str) -> Step | None:
    return next((step for step in result.advice.steps if step.id == step_id), None)


def _read_figure(text: str, language: str) -> tuple[object, Text]:
    """A figure as the other numbers are read: an amount ("1.500", "2,5 Tsd."), or a share ("12 %")."""
    if "%" in text:
        share = parse_percent(text, language)
        return share, msg("{value}", value=Percent(share))
    amount = parse_amount(text, language)
    if amount < 0:
        raise InvalidAnswer(msg("Negative values are not possible here. Please enter 0 or more."))
    return amount, msg("{value}", value=Number(amount))
