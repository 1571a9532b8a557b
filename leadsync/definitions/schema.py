"""The shape of `definitions.toml`, validated by pydantic before anything is compiled.

Only the shape lives here (types, ranges, unknown keys); rules that relate parts of the file
to each other are checked by `loader.py`, which adds them to the same list of problems.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveInt

from leadsync.model import ActivityKind, JobLevel, Stage, Temperature

Condition = dict[str, Any]
_DAYS = 36_500  # a hundred years: any longer window is a typo (and overflows a datetime)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RouteSpec(_Strict):
    """One way into a stage; every criterion it sets must hold."""

    name: str = Field(default="", description='a short name shown in explanations, e.g. "demo request"')
    min_score: int | None = Field(default=None, description="the lowest total score, e.g. 30")
    min_temperature: Temperature | None = Field(default=None, description='"cold", "warm" or "hot"')
    fit: bool = Field(default=True, description="true: the person must pass the [fit_gate]")
    triggers: list[ActivityKind] = Field(default_factory=list, description="activity kinds, any of which")
    within_days: PositiveInt = Field(
        default=90, le=_DAYS, description="how recent a trigger must be, in days"
    )
    checklist: str | None = Field(
        default=None, description='"bant", "champ", "meddicc" or one of [checklists]'
    )
    min_checked: PositiveInt | None = Field(default=None, description="how many checklist items must be true")
    when: Condition | None = Field(default=None, description="a condition table")


class BlockSpec(_Strict):
    """A condition that keeps people out of a stage whatever route they would take."""

    name: str = Field(min_length=1, description='a short name shown in explanations, e.g. "no budget"')
    when: Condition = Field(description="a condition table")


class StageSpec(_Strict):
    """One canonical stage: how it is called and how a person enters it."""

    label: str = Field(min_length=1, description='the name people see, e.g. "Prospect"')
    aliases: list[str] = Field(default_factory=list, description='other names, e.g. ["SQL"]')
    mode: Literal["computed", "manual"] = Field(
        description='"computed" (leadsync sets it) or "manual" (only a human in a CRM does)'
    )
    entry: list[RouteSpec] = Field(default_factory=list, description="[[stages.<id>.entry]] routes")
    block: list[BlockSpec] = Field(default_factory=list, description="[[stages.<id>.block]] conditions")


class BandSpec(_Strict):
    """Points for a company-size band (bounds included)."""

    min: int = Field(default=0, ge=0, description="the smallest head count of the band")
    max: int | None = Field(default=None, ge=0, description="the largest head count (omit: no limit)")
    points: int = Field(description="points for a company in the band")


class ListPointsSpec(_Strict):
    """Points for a value found in a list (target sectors, covered countries)."""

    points: int = Field(description="points when the value is in the list")
    values: list[str] = Field(min_length=1, description='the list, e.g. ["software"]')


class RuleSpec(_Strict):
    """Points for any person matching a condition (a grade, a domain, a persona)."""

    name: str = Field(min_length=1, description="a name shown in explanations")
    points: int = Field(description="points, negative for a penalty")
    when: Condition = Field(description="a condition table")


class FitSpec(_Strict):
    """Explicit (profile) points."""

    job_level: dict[JobLevel, int] = Field(default_factory=dict, description="points per job level")
    employees: list[BandSpec] = Field(default_factory=list, description="[[scoring.fit.employees]] bands")
    sectors: ListPointsSpec | None = None
    countries: ListPointsSpec | None = None
    sources: dict[str, int] = Field(default_factory=dict, description="points per lead source")
    rules: list[RuleSpec] = Field(default_factory=list, description="[[scoring.fit.rules]]")


class KindSpec(_Strict):
    """Points one activity kind earns."""

    points: int = Field(description="points per activity, negative for a penalty")
    cap: PositiveInt | None = Field(default=None, description="the most points all such activities earn")
    half_life_days: NonNegativeFloat | None = Field(
        default=None, le=_DAYS, description="days after which an activity counts half (0: never decays)"
    )


class GroupSpec(_Strict):
    """Activity kinds that together earn at most `cap` points (top-of-funnel content)."""

    kinds: list[ActivityKind] = Field(min_length=1, description='activity kinds, e.g. ["page_view"]')
    cap: PositiveInt = Field(description="the most points all of them earn together")


class EngagementSpec(_Strict):
    """Implicit (behaviour) points."""

    half_life_days: NonNegativeFloat = Field(
        default=45, le=_DAYS, description="default decay; 0 turns it off"
    )
    kinds: dict[ActivityKind, KindSpec] = Field(default_factory=dict, description="points per activity kind")
    groups: dict[str, GroupSpec] = Field(
        default_factory=dict, description="[scoring.engagement.groups.<name>] caps across kinds"
    )


class ScoringSpec(_Strict):
    """Fit plus engagement: the score."""

    fit: FitSpec = Field(default_factory=FitSpec)
    engagement: EngagementSpec = Field(default_factory=EngagementSpec)


class TemperatureSpec(_Strict):
    """Cold, warm or hot from behaviour only: engagement points, interactions and buying signals."""

    warm_from: int = Field(default=30, description="the lowest warm engagement score")
    hot_above: int = Field(default=60, description="engagement scores above it are hot")
    window_days: PositiveInt = Field(
        default=90, le=_DAYS, description="how recent interactions and buying signals must be, in days"
    )
    warm_interactions: NonNegativeInt = Field(
        default=0, description="qualified interactions within the window warm needs (0: none)"
    )
    qualified: list[ActivityKind] = Field(
        default_factory=list, description="activity kinds that are qualified interactions"
    )
    hot_on: list[ActivityKind] = Field(
        default_factory=list, description="buying signals: one within the window makes anyone hot"
    )
    dormant_after_days: PositiveInt | None = Field(
        default=None, le=_DAYS, description="no activity for this many days makes anyone cold (omit: off)"
    )


class GradeSpec(_Strict):
    """Fit points to a grade: who the person is, apart from what they did."""

    bands: dict[str, int] = Field(
        default_factory=lambda: {"A": 70, "B": 50, "C": 30},
        description="the lowest fit score of each grade, best first, e.g. { A = 70, B = 50 }",
    )
    lowest: str = Field(default="D", min_length=1, description="the grade below every band")


class FitGateSpec(_Strict):
    """Who matches the targets: only they go past `lead`."""

    when: Condition = Field(description="a condition table")


class RecycleSpec(_Strict):
    """When a quiet person goes back to nurture, and what brings them back."""

    after_days: PositiveInt | None = Field(default=90, le=_DAYS, description="days without activity")
    from_stages: list[Stage] = Field(default_factory=list, alias="from", description="stages that recycle")
    reentry_on: list[ActivityKind] = Field(default_factory=list, description="activity kinds that re-enter")


class JobLevelRuleSpec(_Strict):
    """Titles that mean one job level."""

    level: JobLevel = Field(description="ceo, executive, director, manager, individual or student")
    titles: list[str] = Field(min_length=1, description='words or phrases, e.g. ["ceo", "pdg", "fondat*"]')


class TerritorySpec(_Strict):
    """A territory: who it covers and the owners who share it."""

    name: str = Field(min_length=1, description="a unique name; round robin is kept per territory")
    when: Condition | None = Field(default=None, description="who it covers (omit: everyone)")
    pool: list[str] = Field(min_length=1, description="owner e-mails, served in turn")


class ProfileSpec(_Strict):
    """Scoring for one part of the company (a business unit, a product line, a region).

    Each table it sets replaces the default's table of the same name as a whole.
    """

    name: str = Field(min_length=1, description="a unique name shown in explanations")
    when: Condition = Field(description="who it scores: a condition on the person")
    fit_gate: FitGateSpec | None = None
    grade: GradeSpec | None = None
    scoring: ScoringSpec | None = None
    temperature: TemperatureSpec | None = None


class OwnersSpec(_Strict):
    """Who owns a person."""

    keep_existing: bool = Field(default=True, description="true: an active owner is never replaced")
    assign_from: Stage = Field(default=Stage.MQL, description="the first funnel stage that gets an owner")
    fallback: str = Field(description="the owner e-mail when no territory matches")
    queues: list[str] = Field(
        default_factory=list, description="queues (e-mails or names) that may own records"
    )
    territories: list[TerritorySpec] = Field(default_factory=list, description="[[owners.territories]]")


class SlaSpec(_Strict):
    """What sales commits to once a person becomes an SQL."""

    sql_follow_up_hours: PositiveInt = Field(default=24, description="hours to follow up a new sql")
    follow_up: list[ActivityKind] = Field(
        default_factory=lambda: [ActivityKind.MEETING_BOOKED, ActivityKind.MEETING_HELD, ActivityKind.CALL],
        description="activity kinds that count as a follow-up",
    )


class ActivitiesSpec(_Strict):
    """How activities read from several CRMs are counted."""

    mirror_tolerance_seconds: NonNegativeFloat = Field(
        default=120,
        le=3_600,
        description="the seconds between copies of one activity in two CRMs, e.g. 120 (0 to 3600)",
    )


class DefinitionsSpec(_Strict):
    """The whole definitions file."""

    name: str = Field(default="", description="a label for this set of definitions")
    stages: dict[Stage, StageSpec] = Field(description="one [stages.<id>] table per canonical stage")
    fit_gate: FitGateSpec
    grade: GradeSpec = Field(default_factory=GradeSpec)
    scoring: ScoringSpec = Field(default_factory=ScoringSpec)
    temperature: TemperatureSpec = Field(default_factory=TemperatureSpec)
    profiles: list[ProfileSpec] = Field(default_factory=list, description="[[profiles]], first match wins")
    recycle: RecycleSpec = Field(default_factory=RecycleSpec)
    checklists: dict[str, list[str]] = Field(default_factory=dict, description="your own checklists")
    job_levels: list[JobLevelRuleSpec] = Field(default_factory=list, description="[[job_levels]] rules")
    owners: OwnersSpec
    sla: SlaSpec = Field(default_factory=SlaSpec)
    activities: ActivitiesSpec = Field(default_factory=ActivitiesSpec)
