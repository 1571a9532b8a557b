"""Weekly figures of the funnel: cohorts (people entering it per week and how far they got) and
the trend (entries into each stage per week), both aggregated in SQL and bucketed here by week.

A week starts on Monday (UTC) and is named by that day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Final

from leadsync.definitions import FUNNEL
from leadsync.insights.report import Cohort, WeekEntries
from leadsync.model import Stage
from leadsync.store import Store
from leadsync.store.analytics import Scope

__all__ = ["funnel_cohorts", "stage_trend", "week_of"]

_WEEK: Final = timedelta(weeks=1)
_RANKS: Final = {stage.value: rank for rank, stage in enumerate(FUNNEL)}


def week_of(day: date) -> date:
    """The Monday starting `day`'s week."""
    return day - timedelta(days=day.weekday())


def funnel_cohorts(store: Store, *, since: datetime | None, until: datetime, scope: Scope) -> list[Cohort]:
    """One cohort per week from the first entry (or `since`) to `until`, empty weeks included."""
    entered: Counter[date] = Counter()
    furthest: Counter[tuple[date, int]] = Counter()
    for first, rank in store.analytics.funnel_entries(_RANKS, until=until, scope=scope):
        if since is not None and first < since:
            continue
        week = week_of(first.date())
        entered[week] += 1
        if rank is not None:
            furthest[week, rank] += 1
    return [
        Cohort(
            week,
            entered[week],
            {
                stage.value: sum(furthest[week, later] for later in range(rank, len(FUNNEL)))
                for rank, stage in enumerate(FUNNEL)
            },
        )
        for week in _weeks(entered, since, until)
    ]


def stage_trend(
    store: Store, stages: Iterable[Stage], *, since: datetime | None, until: datetime, scope: Scope
) -> list[WeekEntries]:
    """Entries per stage (in `stages`' order) per week from the first entry (or `since`) to `until`."""
    names = [stage.value for stage in stages]
    counts: Counter[tuple[date, str]] = Counter()
    seen: Counter[date] = Counter()
    for stage, day, entries in store.analytics.entries_by_day(since=since, until=until, scope=scope):
        counts[week_of(day), stage] += entries
        seen[week_of(day)] += entries
    return [
        WeekEntries(week, {name: counts[week, name] for name in names}) for week in _weeks(seen, since, until)
    ]


def _weeks(seen: Counter[date], since: datetime | None, until: datetime) -> list[date]:
    """Every week from `since`'s (or the first seen) to `until`'s; none when nothing was seen."""
    if not seen:
        return []
    week = week_of(since.date()) if since is not None else min(seen)
    last = week_of(until.date())
    found = []
    while week <= last:
        found.append(week)
        week += _WEEK
    return found
