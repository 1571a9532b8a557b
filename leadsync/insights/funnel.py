"""The funnel report: one streamed pass over people and one over stage histories, plus the SLA."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from leadsync.consent import opted_out
from leadsync.definitions import Definitions
from leadsync.insights.cohorts import funnel_cohorts, stage_trend
from leadsync.insights.journeys import Journeys
from leadsync.insights.people import Standing
from leadsync.insights.report import FunnelReport, SlaBreach
from leadsync.model import Stage, Temperature
from leadsync.store import Store
from leadsync.store.analytics import Scope, StageFollowUp

__all__ = ["HeldCount", "funnel_report", "records_held"]

_HOUR: Final = timedelta(hours=1)
_STAGES: Final = tuple(stage.value for stage in Stage)  # the funnel's order, side states last
_TEMPERATURES: Final = tuple(t.value for t in Temperature)  # cold, warm, hot
_EVERYONE: Final = Scope()


@dataclass(frozen=True, slots=True)
class HeldCount:
    """Records of one CRM holding one stage and temperature."""

    stage: str
    temperature: str
    records: int


def funnel_report(
    store: Store,
    definitions: Definitions,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    scope: Scope = _EVERYONE,
) -> FunnelReport:
    """The funnel's KPIs of the people in `scope` from the state store at `now`.

    Stage and temperature counts are the state at `now`. Conversions, time in stage, the sales
    cycle, cohorts, the weekly trend, SLA breaches (by when the person became sql) and new people
    per source count what happened from `since` (None: all time) to `until` (None: `now`).
    """
    for name, moment in (("now", now), ("since", since), ("until", until)):
        if moment is not None and moment.utcoffset() is None:
            raise ValueError(f"funnel_report takes timezone-aware datetimes, {name} is naive: {moment!r}")
    end = min(now, until or now)
    stages = list(definitions.funnel.stages)
    crms, by_crm = _records_by_stage(store, stages, scope)
    standing = Standing(since=since, until=end)
    for person in store.analytics.people(scope):
        standing.add(person)
    journeys = Journeys(since)
    for history in store.analytics.stage_histories(until=end, scope=scope):
        journeys.add(history)
    cycle_days, cycle_samples = journeys.sales_cycle()
    sla = definitions.sla
    follow_ups = store.analytics.follow_ups(Stage.SQL, sla.follow_up, until=end, scope=scope)
    return FunnelReport(
        generated_at=now,
        since=since,
        crms=crms,
        stages=standing.stages(stages, by_crm),
        temperatures=standing.temperatures(),
        conversions=journeys.conversions(),
        time_in_stage=journeys.time_in_stage(stages),
        sales_cycle_median_days=cycle_days,
        sales_cycle_samples=cycle_samples,
        sla_hours=sla.sql_follow_up_hours,
        sla_breaches=_with_consent(
            store, _sla_breaches(follow_ups, hours=sla.sql_follow_up_hours, now=end, since=since)
        ),
        volume_by_source=standing.volume_by_source(),
        grades=standing.grades(_grade_order(definitions)),
        profiles=standing.profiles(),
        review=standing.review(),
        cohorts=funnel_cohorts(store, since=since, until=end, scope=scope),
        trend=stage_trend(store, stages, since=since, until=end, scope=scope),
        until=until,
        scope=scope,
    )


def _grade_order(definitions: Definitions) -> list[str]:
    """Every grade of every profile, best first, each once."""
    return list(dict.fromkeys(grade for p in definitions.profiles for grade in p.grade.grades()))


def _sla_breaches(
    people: Iterable[StageFollowUp], *, hours: int, now: datetime, since: datetime | None
) -> list[SlaBreach]:
    """The sqls whose first follow-up came after `hours` or not yet, longest wait first.

    The wait runs from becoming sql to the first follow-up, or to `now` when none came.
    """
    limit = timedelta(hours=hours)
    breaches = [
        SlaBreach(
            email=p.email,
            became_sql_at=p.entered_at,
            hours_without_follow_up=((p.first_follow_up_at or now) - p.entered_at) / _HOUR,
            owner=p.owner,
        )
        for p in people
        if (since is None or p.entered_at >= since) and (p.first_follow_up_at or now) - p.entered_at > limit
    ]
    return sorted(breaches, key=lambda b: (-b.hours_without_follow_up, b.email))


def _with_consent(store: Store, breaches: list[SlaBreach]) -> list[SlaBreach]:
    """The breaches of people who did not opt out of e-mail: no one chases those who did."""
    ids = {person for b in breaches if (person := store.links.person_by_email(b.email)) is not None}
    files = store.persons.files(sorted(ids))
    withdrawn = {file.state.email for file in files if opted_out(file.records.values())}
    return [b for b in breaches if b.email not in withdrawn]


def records_held(store: Store, scope: Scope = _EVERYONE) -> dict[str, list[HeldCount]]:
    """Records of the people in `scope` per CRM, stage and temperature, as each CRM holds them
    (as last read or written).

    CRMs by name, stages in funnel order (side states, then other values, last), temperatures
    cold → warm → hot, then any other value.
    """
    by_crm: dict[str, list[HeldCount]] = {}
    for (crm, stage, temperature), records in sorted(
        store.analytics.records_held(scope).items(), key=_held_order
    ):
        by_crm.setdefault(crm, []).append(HeldCount(stage, temperature, records))
    return by_crm


def _held_order(item: tuple[tuple[str, str, str], int]) -> tuple[str, int, str, int, str]:
    (crm, stage, temperature), _ = item
    return crm, _rank(_STAGES, stage), stage, _rank(_TEMPERATURES, temperature), temperature


def _rank(order: tuple[str, ...], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _records_by_stage(
    store: Store, stages: list[Stage], scope: Scope
) -> tuple[list[str], dict[Stage, dict[str, int]]]:
    """The CRMs (the scope's only, when it names one), and records per stage and CRM of the people
    in `scope` as last read from or written to each CRM."""
    held = records_held(store, scope)
    crms = [scope.crm] if scope.crm is not None else sorted(set(store.analytics.crms()) | set(held))
    counts = {stage: dict.fromkeys(crms, 0) for stage in stages}
    for crm, rows in held.items():
        for row in rows:
            if row.stage in counts:
                counts[Stage(row.stage)][crm] += row.records
    return crms, counts
