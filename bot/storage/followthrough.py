"""Counts of follow-through for /stats and the export: consenting respondents' opt-ins, steps, figures, re-tests.

Only respondents who consented and have a result are counted. Nothing here reads an identity, a chat, a
reminder's text or date, or a day a step was marked: counts per key, a respondent's score change, and the
figures reported (which the caller puts into bands before anything is shown).
"""

from __future__ import annotations

from bot.storage.db import Store

# Consenting respondents with a result who are still linked: only they were offered reminders and can tick
# steps off (retention removes the link together with the follow-through rows).
_COUNTED = """
    select l.respondent_id from result_latest l
    where l.counted and exists (select 1 from identities i where i.respondent_id = l.respondent_id)
"""


class FollowThroughCounts(Store):
    """Aggregates of follow-through; never an identity, a chat id, a reminder or a date."""

    def opt_ins(self) -> tuple[int, int]:
        """(consenting, still linked respondents with a result; how many of them asked for reminders)."""
        row = self.row(
            f"""
            select count(*) as total, coalesce(sum(f.opted_in = 1), 0) as opted
            from ({_COUNTED}) c left join followups f on f.respondent_id = c.respondent_id
            """
        )
        return (int(row["total"]), int(row["opted"])) if row else (0, 0)

    def steps_done(self) -> list[tuple[str, int]]:
        """How many of those respondents marked each step done (most first)."""
        rows = self.rows(
            f"""
            select p.step_id, count(*) as n from plan_progress p
            where p.done = 1 and p.respondent_id in ({_COUNTED})
            group by p.step_id order by n desc, p.step_id
            """
        )
        return [(str(row["step_id"]), int(row["n"])) for row in rows]

    def reported_figures(self) -> list[tuple[str, float]]:
        """Every figure reported at a check-in, with its step (to be put into bands by the caller)."""
        rows = self.rows(
            f"""
            select p.step_id, cast(p.kpi_value as real) as value from plan_progress p
            where p.kpi_value is not null and p.respondent_id in ({_COUNTED})
            order by p.step_id, value
            """
        )
        return [(str(row["step_id"]), float(row["value"])) for row in rows if row["value"] is not None]

    def score_changes(self) -> list[int]:
        """Latest score minus first score of each consenting respondent who took the check again (sorted)."""
        rows = self.rows(
            """
            select (select score from results where id = x.last) - (select score from results where id = x.first)
                   as change
            from (select respondent_id, min(id) as first, max(id) as last from results
                  group by respondent_id having count(*) > 1) x
            join respondents p on p.id = x.respondent_id
            where p.consent = 1
            order by change
            """
        )
        return [int(row["change"]) for row in rows if row["change"] is not None]
