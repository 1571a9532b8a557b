"""The JSON API's response bodies: typed, so FastAPI lists them in its OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

__all__ = [
    "ApiCallsOut",
    "ConversionOut",
    "ErrorsOut",
    "FunnelOut",
    "HealthOut",
    "PersonActivity",
    "PersonDecision",
    "PersonOut",
    "PersonReason",
    "PersonRecord",
    "PersonStageMove",
    "QuarantineGroup",
    "QuarantinedRecord",
    "RunOut",
    "RunsOut",
    "SlaBreachOut",
    "StageCountOut",
    "TimeInStageOut",
    "WriteFailureGroup",
    "WriteFailureRecord",
]

_FROM_OBJECTS = ConfigDict(from_attributes=True)


class ApiCallsOut(BaseModel):
    """API calls one CRM took in a run, and the fewest that work could have taken."""

    model_config = _FROM_OBJECTS

    calls: int
    minimum: int
    used: int | None = None
    limit: int | None = None


class RunOut(BaseModel):
    """One run: how it ended, how long it took, its records and API calls per CRM."""

    model_config = _FROM_OBJECTS

    id: str
    pipeline: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None = Field(description="None while the run is still going")
    read: int
    written: int
    failed: int
    quarantined: int
    counts: dict[str, int] = Field(description="every total the run stored, e.g. evaluated, stage_changes")
    api_calls: dict[str, ApiCallsOut] = Field(description="per CRM")


class RunsOut(BaseModel):
    """The latest runs, newest first, and when the schedule runs the next one."""

    model_config = _FROM_OBJECTS

    schedule: str = Field(description='the [sync] schedule, e.g. "every 15m" or "cron */15 * * * * (UTC)"')
    next_run_at: datetime | None
    runs: list[RunOut]


class StageCountOut(BaseModel):
    """People in one stage now, records holding it per CRM, people per temperature."""

    model_config = _FROM_OBJECTS

    stage: str
    people: int
    by_crm: dict[str, int]
    by_temperature: dict[str, int]


class ConversionOut(BaseModel):
    """Of the people who entered `from_stage`, how many reached `to_stage` or beyond."""

    model_config = _FROM_OBJECTS

    from_stage: str
    to_stage: str
    entered: int
    converted: int
    rate: float | None


class TimeInStageOut(BaseModel):
    """Median and 90th-percentile hours spent in one stage, over the stays that ended."""

    model_config = _FROM_OBJECTS

    stage: str
    median_hours: float | None
    p90_hours: float | None
    samples: int


class SlaBreachOut(BaseModel):
    """An sql without a meeting or call within the agreed hours."""

    model_config = _FROM_OBJECTS

    email: str
    became_sql_at: datetime
    hours_without_follow_up: float
    owner: str | None


class ReviewOut(BaseModel):
    """A person the fit gate keeps out although they asked to buy, and why."""

    model_config = _FROM_OBJECTS

    email: str
    stage: str | None
    reason: str
    owner: str | None


class CohortOut(BaseModel):
    """People whose first stage change fell in the week of `week`, and how many reached each stage."""

    model_config = _FROM_OBJECTS

    week: date
    entered: int
    reached: dict[str, int]


class WeekEntriesOut(BaseModel):
    """Entries into each stage during the week of `week`."""

    model_config = _FROM_OBJECTS

    week: date
    entries: dict[str, int]


class ScopeOut(BaseModel):
    """The people the figures cover (None: any)."""

    model_config = _FROM_OBJECTS

    crm: str | None
    profile: str | None
    owner: str | None


class FunnelOut(BaseModel):
    """The funnel's KPIs of the people in `scope`: the state now, and what happened from `since`
    (None: all time) to `until` (None: now)."""

    model_config = _FROM_OBJECTS

    generated_at: datetime
    since: datetime | None
    until: datetime | None
    scope: ScopeOut
    crms: list[str]
    stages: list[StageCountOut]
    temperatures: dict[str, int]
    conversions: list[ConversionOut]
    time_in_stage: list[TimeInStageOut]
    sales_cycle_median_days: float | None
    sales_cycle_samples: int
    sla_hours: int
    sla_breaches: list[SlaBreachOut]
    volume_by_source: dict[str, dict[str, int]]
    grades: dict[str, int]
    profiles: dict[str, int]
    review: list[ReviewOut]
    cohorts: list[CohortOut]
    trend: list[WeekEntriesOut]


class QuarantinedRecord(BaseModel):
    """A record that could not be read cleanly, with an excerpt cut of secrets."""

    record: str
    crm: str
    excerpt: str
    first_seen_at: datetime
    last_seen_at: datetime


class QuarantineGroup(BaseModel):
    """Quarantined records sharing one reason."""

    reason: str
    count: int
    records: list[QuarantinedRecord]


class WriteFailureRecord(BaseModel):
    """A record whose write failed, and since when."""

    record: str
    crm: str
    run_id: str
    message: str
    first_failed_at: datetime
    last_failed_at: datetime
    attempts: int


class WriteFailureGroup(BaseModel):
    """Failed writes sharing one error code."""

    code: str
    count: int
    records: list[WriteFailureRecord]


class ErrorsOut(BaseModel):
    """Quarantined records and failed writes, grouped by reason, largest group first."""

    quarantined: int
    quarantine: list[QuarantineGroup]
    failed_writes: int = Field(description="records whose last write failed (retried every cycle)")
    write_failures: list[WriteFailureGroup]


class PersonRecord(BaseModel):
    """One CRM record of the person and the managed values it held when last read."""

    record: str
    crm: str
    name: str
    title: str | None
    company: str | None
    updated_at: datetime | None
    holds: dict[str, JsonValue]


class PersonDecision(BaseModel):
    """What the definitions decide for the person now."""

    stage: str
    stage_set_by: str
    score: int
    fit_score: int
    engagement_score: int
    temperature: str
    owner: str | None
    fit: bool
    job_level: str | None
    definitions_version: str


class PersonReason(BaseModel):
    """One rule that fired, with its points."""

    rule: str
    points: int
    detail: str


class PersonActivity(BaseModel):
    """One activity from any CRM."""

    crm: str
    kind: str
    occurred_at: datetime
    detail: str


class PersonStageMove(BaseModel):
    """One move through the funnel."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_stage: str | None = Field(alias="from")
    to: str
    at: datetime
    set_by: str
    reason: str


class PersonOut(BaseModel):
    """Everything the state store knows about one person, and the decision on it now."""

    email: str
    as_of: datetime
    decision: PersonDecision | None = Field(description="None: no record of theirs could be read yet")
    reasons: list[PersonReason]
    records: list[PersonRecord]
    activities: list[PersonActivity] = Field(description="latest first")
    stage_history: list[PersonStageMove] = Field(description="oldest first")


class HealthOut(BaseModel):
    """Whether the sync is healthy, and why not."""

    model_config = _FROM_OBJECTS

    healthy: bool
    store_reachable: bool
    last_run_status: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    lag_s: float | None = Field(description="seconds since the last successful run finished")
    stale_after: datetime | None = Field(
        description="when the lag turns unhealthy: the second scheduled run after the last success, "
        "plus a grace period"
    )
    problems: list[str]
