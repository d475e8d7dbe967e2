"""The SQL of the statistics counts: tables kept up to date by triggers, so that /stats and the peer benchmark
read counts instead of scanning every result. Applied once by the ``m005_statistics_counts`` migration; kept
apart from the migration list because it is a schema of its own (tables, a view and fourteen triggers).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from bot.storage.shares import share_sql

if TYPE_CHECKING:
    from bot.storage.library import Database


def execute_script(db: Database, script: str) -> None:
    """Run SQL statements one by one inside the migration's transaction (``executescript`` would commit it)."""
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \n;"):
                db.execute(statement)
            statement = ""
    if statement.strip(" \n;"):
        raise ValueError(f"incomplete SQL statement: {statement!r}")


# What each latest result adds to the statistics, its shares read by the one rule of ``share_sql``; a share
# not answered counts as 0, and a result without an online share counts for its size class but for no median.
_RESULT_FIGURES = f"""
    select respondent_id, id as result_id, coalesce(category, '') as category,
           cast({share_sql("online_share")} as real) as online,
           coalesce(cast({share_sql("social_share")} as real), 0.0) as social,
           coalesce(cast({share_sql("controlling_share")} as real), 0.0) as controlling,
           coalesce((select consent from respondents p where p.id = respondent_id), 0) = 1 as counted
    from results
"""


def _count_latest(row: str, step: str) -> str:
    """Statements adding (``step`` 1) or removing (-1) the latest result ``row`` ("new"/"old") to the counts."""
    shares = [
        f"insert into result_share_counts (share, category, value, n)"
        f" select '{share}', {row}.category, {row}.{column}, {step}"
        f" where {row}.counted and {row}.online is not null"
        f" on conflict (share, category, value) do update set n = n + ({step});"
        for share, column in (
            ("online_share", "online"),
            ("social_share", "social"),
            ("controlling_share", "controlling"),
        )
    ]
    return (
        f"insert into result_category_counts (category, n) select {row}.category, {step} where {row}.counted"
        f" on conflict (category) do update set n = n + ({step});" + "".join(shares)
    )


def _count_session(row: str, step: str) -> str:
    return (
        "insert into session_state_counts (state, finished, n)"
        f" values (coalesce({row}.state, ''), {row}.finished_at is not null, {step})"
        f" on conflict (state, finished) do update set n = n + ({step});"
    )


STATISTICS_COUNTS = f"""
        create table result_latest (
            respondent_id text primary key, result_id integer not null, category text not null,
            online real, social real, controlling real, counted integer not null
        );
        create table result_category_counts (category text primary key, n integer not null);
        create table result_share_counts (
            share text not null, category text not null, value real not null, n integer not null,
            primary key (share, category, value)
        );
        create table session_state_counts (
            state text not null, finished integer not null, n integer not null, primary key (state, finished)
        );
        create table statistics_counters (name text primary key, n integer not null);
        create view result_figures as {_RESULT_FIGURES};

        create trigger result_latest_added after insert on result_latest begin
            {_count_latest("new", "1")}
        end;
        create trigger result_latest_removed after delete on result_latest begin
            {_count_latest("old", "-1")}
        end;
        create trigger result_latest_changed after update on result_latest begin
            {_count_latest("old", "-1")}
            {_count_latest("new", "1")}
        end;
        insert into result_latest
            select * from result_figures where result_id in (select max(id) from results group by respondent_id);

        create trigger results_added after insert on results begin
            insert into result_latest select * from result_figures where result_id = new.id
            on conflict (respondent_id) do update set
                result_id = excluded.result_id, category = excluded.category, online = excluded.online,
                social = excluded.social, controlling = excluded.controlling, counted = excluded.counted
            where excluded.result_id > result_latest.result_id;
        end;
        create trigger results_removed after delete on results begin
            delete from result_latest where respondent_id = old.respondent_id and result_id = old.id;
            insert or ignore into result_latest select * from result_figures
            where result_id = (select max(id) from results where respondent_id = old.respondent_id);
        end;
        create trigger respondents_consent_changed after update of consent on respondents begin
            update result_latest set counted = (coalesce(new.consent, 0) = 1)
            where respondent_id = new.id and counted != (coalesce(new.consent, 0) = 1);
        end;

        insert into session_state_counts
            select coalesce(state, ''), finished_at is not null, count(*) from sessions group by 1, 2;
        create trigger sessions_added after insert on sessions begin
            {_count_session("new", "1")}
        end;
        create trigger sessions_removed after delete on sessions begin
            {_count_session("old", "-1")}
        end;
        create trigger sessions_moved after update of state, finished_at on sessions
        when old.state is not new.state or (old.finished_at is null) != (new.finished_at is null) begin
            {_count_session("old", "-1")}
            {_count_session("new", "1")}
        end;

        insert into statistics_counters values
            ('respondents', (select count(*) from respondents)),
            ('referral_arrivals', (select coalesce(sum(arrivals), 0) from referrals));
        create trigger respondents_added after insert on respondents begin
            update statistics_counters set n = n + 1 where name = 'respondents';
        end;
        create trigger respondents_removed after delete on respondents begin
            update statistics_counters set n = n - 1 where name = 'respondents';
        end;
        create trigger referrals_added after insert on referrals begin
            update statistics_counters set n = n + coalesce(new.arrivals, 0) where name = 'referral_arrivals';
        end;
        create trigger referrals_counted after update of arrivals on referrals begin
            update statistics_counters set n = n + coalesce(new.arrivals, 0) - coalesce(old.arrivals, 0)
            where name = 'referral_arrivals';
        end;
        create trigger referrals_removed after delete on referrals begin
            update statistics_counters set n = n - coalesce(old.arrivals, 0) where name = 'referral_arrivals';
        end;
"""
