"""Cohorts, the weekly trend and the report's filters on the hand-made store (see funnel_fixture).

Day 0 (2026-11-01) is a Sunday: weeks start on Mondays, so day 0 falls in the week of 26 October,
days 1-7 in that of 2 November, days 8-14 of 9 November, 15-21 of 16 November, 22-28 of
23 November and days 29-30 of 30 November.
"""

from __future__ import annotations

from datetime import date, datetime

from leadsync.definitions import load_definitions
from leadsync.insights import Cohort, Conversion, FunnelReport, WeekEntries, funnel_report
from leadsync.insights.views import ReportView, view_table
from leadsync.store import Store
from leadsync.store.analytics import Scope
from tests.insights.funnel_fixture import NOW, day

STAGES = ("lead", "mql", "sql", "opportunity", "customer", "nurture", "disqualified")
OCT26, NOV2, NOV9, NOV16, NOV23, NOV30 = (
    date(2026, m, d) for m, d in ((10, 26), (11, 2), (11, 9), (11, 16), (11, 23), (11, 30))
)


EVERYONE = Scope()


def report(
    store: Store, *, since: datetime | None = None, until: datetime | None = None, scope: Scope = EVERYONE
) -> FunnelReport:
    return funnel_report(store, load_definitions(), now=NOW, since=since, until=until, scope=scope)


def reached(
    lead: int = 0, mql: int = 0, sql: int = 0, opportunity: int = 0, customer: int = 0
) -> dict[str, int]:
    return {"lead": lead, "mql": mql, "sql": sql, "opportunity": opportunity, "customer": customer}


def entries(**counts: int) -> dict[str, int]:
    return {stage: counts.get(stage, 0) for stage in STAGES}


ONE_SQL = reached(1, 1, 1)


def test_cohorts_group_people_by_their_first_week_and_count_how_far_they_got(filled: Store) -> None:
    found = report(filled)

    # first changes: P9 day 0; P1 P2 P6 P7 days 1-6; P3 day 10; P4 day 20; P5 day 25; P8 day 29.
    # furthest by NOW: P9 P1 P6 customer (P6 entered as one), P2 mql (its sql is after NOW),
    # P7 lead (then disqualified), P3 P4 P5 P8 sql. "Reached" counts that stage or a later one.
    assert found.cohorts == [
        Cohort(OCT26, 1, reached(1, 1, 1, 1, 1)),
        Cohort(NOV2, 4, reached(4, 3, 2, 2, 2)),
        Cohort(NOV9, 1, ONE_SQL),
        Cohort(NOV16, 1, ONE_SQL),
        Cohort(NOV23, 1, ONE_SQL),
        Cohort(NOV30, 1, ONE_SQL),
    ]


def test_trend_counts_entries_into_each_stage_per_week(filled: Store) -> None:
    found = report(filled)

    # every change up to NOW (P2's sql on day 31 is not), by the week it happened in.
    assert found.trend == [
        WeekEntries(OCT26, entries(lead=1)),
        WeekEntries(NOV2, entries(lead=3, mql=3, sql=2, opportunity=2, customer=2)),
        WeekEntries(NOV9, entries(lead=1, sql=1, customer=1, disqualified=1)),
        WeekEntries(NOV16, entries(lead=1, mql=1)),
        WeekEntries(NOV23, entries(lead=1, mql=1, sql=2)),
        WeekEntries(NOV30, entries(sql=1)),
    ]


def test_a_date_range_bounds_cohorts_trend_and_conversions(filled: Store) -> None:
    found = report(filled, since=day(20), until=day(28))

    # from day 20 (in the week of 16 November) to day 28: P4 and P5 enter; P8 (day 29) is out.
    assert found.cohorts == [Cohort(NOV16, 1, ONE_SQL), Cohort(NOV23, 1, ONE_SQL)]
    assert found.trend == [
        WeekEntries(NOV16, entries(lead=1, mql=1)),
        WeekEntries(NOV23, entries(lead=1, mql=1, sql=2)),
    ]
    assert found.conversions[:2] == [
        Conversion("lead", "mql", 2, 2, 1.0),
        Conversion("mql", "sql", 2, 2, 1.0),
    ]


def test_a_crm_filter_keeps_its_people_and_only_its_column(filled: Store) -> None:
    found = report(filled, scope=Scope(crm="hubspot"))

    # people with a hubspot record: P1 P3 P5 P7 P9; their salesforce records are left out.
    assert found.crms == ["hubspot"]
    assert {s.stage: (s.people, s.by_crm) for s in found.stages if s.people} == {
        "sql": (2, {"hubspot": 2}),
        "customer": (2, {"hubspot": 2}),
        "disqualified": (1, {"hubspot": 1}),
    }
    assert found.conversions[0] == Conversion("lead", "mql", 5, 4, 4 / 5)
    assert [c.entered for c in found.cohorts] == [1, 2, 1, 0, 1, 0]  # P9; P1 P7; P3; -; P5; - (to NOW)


def test_owner_and_profile_filters(filled: Store) -> None:
    owned = report(filled, scope=Scope(owner="sam@example.com"))
    unprofiled = report(filled, scope=Scope(profile="enterprise"))

    assert [(s.stage, s.people) for s in owned.stages if s.people] == [("sql", 1)]  # P5
    assert [b.email for b in owned.sla_breaches] == ["eve@example.com"]
    assert owned.cohorts == [Cohort(NOV23, 1, ONE_SQL), Cohort(NOV30, 0, reached())]
    assert unprofiled.cohorts == []  # no one in the fixture is scored by a profile
    assert all(s.people == 0 for s in unprofiled.stages)


def test_views_lay_out_cohorts_and_trend_and_name_the_filters(filled: Store) -> None:
    found = report(filled, since=day(20), scope=Scope(owner="sam@example.com"))

    cohorts = view_table(found, ReportView.COHORTS)
    trend = view_table(found, ReportView.TREND)

    assert [c.key for c in cohorts.columns] == [
        "week",
        "entered",
        "reached_lead",
        "reached_mql",
        "reached_sql",
        "reached_opportunity",
        "reached_customer",
    ]
    assert cohorts.records()[1] == {  # the week of 16 November is empty
        "week": "2026-11-23",
        "entered": 1,
        "reached_lead": 1,
        "reached_mql": 1,
        "reached_sql": 1,
        "reached_opportunity": 0,
        "reached_customer": 0,
    }
    assert trend.shown()[1] == ["2026-11-23", "1", "1", "1", "0", "0", "0", "0"]
    assert trend.title == "entries per stage per week, since 2026-11-21 00:00 UTC, owner sam@example.com"
