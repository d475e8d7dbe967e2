"""Counts of follow-through for /stats and the export: consenting respondents' opt-ins, steps, figures, re-tests.

Only respondents who consented and have a result are counted. Nothing here reads an identity, a chat, a
reminder's text or date, or a day a step was marked: counts per key, a respondent's score change, and the
figures reported (which the caller puts into bands before anything is shown).
"""

from __future__ import annotations

from bot.storage.db import Store

# Every query starts from the follow-through tables, which hold rows only for respondents who used the
# follow-through (retention deletes them with the link), and reaches the results through their keys: the cost
# follows the number of those respondents, not of all results.
_CONSENTING = "join result_latest l on l.respondent_id = {table}.respondent_id and l.counted"


class FollowThroughCounts(Store):
    """Aggregates of follow-through; never an identity, a chat id, a reminder or a date."""

    def opt_ins(self) -> tuple[int, int]:
        """(consenting respondents with a result who answered the offer of reminders; how many said yes and
        have not stopped them all)."""
        row = self.row(
            f"""
            select count(*) as answered, coalesce(sum(f.opted_in = 1), 0) as opted
            from followups f {_CONSENTING.format(table="f")}
            where f.decided_on is not null
            """
        )
        return (int(row["answered"]), int(row["opted"])) if row else (0, 0)

    def steps_done(self) -> list[tuple[str, int]]:
        """How many consenting respondents with a result marked each step done (most first)."""
        rows = self.rows(
            f"""
            select p.step_id, count(*) as n from plan_progress p {_CONSENTING.format(table="p")}
            where p.done = 1
            group by p.step_id order by n desc, p.step_id
            """
        )
        return [(str(row["step_id"]), int(row["n"])) for row in rows]

    def reported_figures(self) -> list[tuple[str, float]]:
        """Every figure reported at a check-in, with its step (to be put into bands by the caller)."""
        rows = self.rows(
            f"""
            select p.step_id, cast(p.kpi_value as real) as value from plan_progress p
            {_CONSENTING.format(table="p")}
            where p.kpi_value is not null
            order by p.step_id, value
            """
        )
        return [(str(row["step_id"]), float(row["value"])) for row in rows if row["value"] is not None]

    def score_changes(self) -> list[int]:
        """Latest score minus first score of each consenting respondent who used the follow-through (answered
        the offer of reminders, ticked a step off) and took the check again (sorted)."""
        rows = self.rows(
            f"""
            select
                (select score from results where respondent_id = u.respondent_id order by id desc limit 1)
                - (select score from results where respondent_id = u.respondent_id order by id limit 1) as change
            from (select respondent_id from followups union select respondent_id from plan_progress) u
            {_CONSENTING.format(table="u")}
            where (select count(*) from results where respondent_id = u.respondent_id) > 1
            order by change
            """
        )
        return [int(row["change"]) for row in rows if row["change"] is not None]
