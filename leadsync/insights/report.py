"""The funnel report's values: stage counts, conversions, time in stage, sales cycle, SLA, volume."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from leadsync.store.analytics import Scope

__all__ = [
    "Cohort",
    "Conversion",
    "FunnelReport",
    "Review",
    "SlaBreach",
    "StageCount",
    "TimeInStage",
    "WeekEntries",
]


@dataclass(frozen=True, slots=True)
class StageCount:
    """A stage now: its people (decided stage), records per CRM holding it, people per temperature."""

    stage: str
    people: int
    by_crm: dict[str, int]
    by_temperature: dict[str, int]


@dataclass(frozen=True, slots=True)
class Conversion:
    """Of the people who entered `from_stage` in the window, how many later reached `to_stage` or beyond."""

    from_stage: str
    to_stage: str
    entered: int
    converted: int
    rate: float | None  # None when no one entered


@dataclass(frozen=True, slots=True)
class TimeInStage:
    """Median and 90th-percentile hours between entering a stage and leaving it, over the stays that ended."""

    stage: str
    median_hours: float | None
    p90_hours: float | None  # nine stays in ten ended within it
    samples: int


@dataclass(frozen=True, slots=True)
class SlaBreach:
    """An sql not followed up within the SLA: since when, how long without follow-up, whose it is."""

    email: str
    became_sql_at: datetime
    hours_without_follow_up: float
    owner: str | None


@dataclass(frozen=True, slots=True)
class Review:
    """A person the fit gate keeps out although they asked to buy: who, why, and their owner."""

    email: str
    stage: str | None
    reason: str
    owner: str | None


@dataclass(frozen=True, slots=True)
class Cohort:
    """The people whose first stage change fell in `week`, and how many reached each funnel stage
    (or beyond) by the report's time."""

    week: date
    entered: int
    reached: dict[str, int]  # funnel stage → people who reached it or a later one


@dataclass(frozen=True, slots=True)
class WeekEntries:
    """Entries into each stage (every stage change into it) during `week`."""

    week: date
    entries: dict[str, int]


@dataclass(frozen=True, slots=True)
class FunnelReport:
    """The funnel's KPIs at `generated_at` for the people in `scope`; event figures cover `since`
    (None: all time) to `until` (None: `generated_at`)."""

    generated_at: datetime
    since: datetime | None
    crms: list[str]
    stages: list[StageCount]
    temperatures: dict[str, int]
    conversions: list[Conversion]
    time_in_stage: list[TimeInStage]
    sales_cycle_median_days: float | None
    sales_cycle_samples: int
    sla_hours: int
    sla_breaches: list[SlaBreach]
    volume_by_source: dict[str, dict[str, int]]
    grades: dict[str, int]  # people per fit grade, best first ("none": not yet decided)
    profiles: dict[str, int]  # people per scoring profile
    review: list[Review]  # people flagged for review, by e-mail
    cohorts: list[Cohort]  # by week, oldest first
    trend: list[WeekEntries]  # by week, oldest first
    until: datetime | None
    scope: Scope

    def as_json(self) -> dict[str, object]:
        """Plain JSON-able values, datetimes as ISO 8601 UTC."""
        return {key: _plain(item) for key, item in dataclasses.asdict(self).items()}


def _plain(value: object) -> object:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
