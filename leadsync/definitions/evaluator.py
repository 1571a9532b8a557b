"""The evaluator: person + activities from every CRM + round robin + `as_of` → a decision.

Pure and deterministic: no clock, no I/O, no hidden state. Every rule that fired is listed
with its points; the integer points of the reasons add up exactly to the score.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from types import MappingProxyType
from typing import Final

import msgspec

from leadsync.conditions import Facts
from leadsync.definitions.facts import FactsPlan
from leadsync.definitions.owners import OwnerRules, RoundRobin, choose_owner
from leadsync.definitions.profiles import Profile, profile_for
from leadsync.definitions.schema import DefinitionsSpec
from leadsync.definitions.scoring import (
    engagement_points,
    engagement_reasons,
    engagement_tally,
    fit_reasons,
    temperature,
)
from leadsync.definitions.stages import (
    FUNNEL,
    Checklist,
    Funnel,
    Reached,
    Route,
    day_label,
    next_stage,
    reached_stage,
)
from leadsync.definitions.titles import TitleRules
from leadsync.model import Activity, JobLevel, Person, SetBy, Stage, Temperature

__all__ = ["Decision", "Definitions", "Reason", "SlaRules", "evaluate", "grade_matrix"]

_NO_ROUND_ROBIN: RoundRobin = MappingProxyType({})
_TEXT: Final = {heat: heat.value for heat in Temperature}  # a dict look-up costs less than `.value`
_POINTS: Final = itemgetter(1)  # of a fit rule's (rule, points, detail)


@dataclass(frozen=True, slots=True)
class SlaRules:
    """Hours sales has to follow up a new sql, and what counts as a follow-up."""

    sql_follow_up_hours: int
    follow_up: frozenset[str]


@dataclass(frozen=True, slots=True)
class Definitions:
    """The compiled definitions: funnel, profiles, titles, owners, SLA, and their version."""

    name: str
    version: str
    file: str
    funnel: Funnel
    profiles: tuple[Profile, ...]  # the default one last
    titles: TitleRules
    owners: OwnerRules
    sla: SlaRules
    checklists: Mapping[str, Checklist]
    source: DefinitionsSpec
    facts: FactsPlan
    owned_stages: frozenset[Stage]  # funnel stages from owners.assign_from on

    @property
    def default_profile(self) -> Profile:
        """The profile of the top-level tables: whoever no other profile applies to."""
        return self.profiles[-1]

    def profile(self, name: str) -> Profile:
        """The profile called `name` (the default one for a name no longer defined)."""
        return next((p for p in self.profiles if p.name == name), self.profiles[-1])


class Reason(msgspec.Struct, frozen=True):
    """A rule that fired: its name, its integer share of the score, and what it saw."""

    rule: str
    points: int
    detail: str


class Decision(msgspec.Struct, frozen=True):
    """What a person's stage, score, temperature and owner should be, and why."""

    stage: Stage
    stage_set_by: SetBy
    score: int
    fit_score: int
    engagement_score: int
    grade: str
    temperature: Temperature
    owner: str | None
    fit: bool
    job_level: JobLevel | None
    profile: str
    review: str | None  # why a person the fit gate keeps out should be looked at, if so
    reasons: tuple[Reason, ...]
    round_robin: RoundRobin
    ignored: tuple[Activity, ...]
    definitions_version: str


def evaluate(
    definitions: Definitions,
    person: Person,
    activities: Sequence[Activity],
    *,
    as_of: datetime,
    round_robin: RoundRobin = _NO_ROUND_ROBIN,
    active_owners: Collection[str] | None = None,
    explain: bool = True,
    decay_as_of: datetime | None = None,
) -> Decision:
    """Apply the definitions to one person and all their activities, as of `as_of`.

    Activities after `as_of` are ignored (and returned as such). `round_robin` holds each
    territory's next position; the decision carries the positions after any assignment.
    `explain=False` skips the texts of the explanation (the engine's fast path): the
    decision is the same, its `reasons` are empty. `decay_as_of` (default `as_of`) is when
    activity ages are taken for decay: the engine takes the hour, so a score does not tick
    between two cycles minutes apart.
    """
    plan = definitions.facts
    level = person.job_level or definitions.titles.level_for(person.title)
    facts = plan.facts(person, level, as_of=as_of)
    profile = profile_for(definitions.profiles, facts)
    scoring = profile.scoring
    tally = engagement_tally(
        activities, as_of=as_of, rules=scoring, decay_as_of=decay_as_of, counting=explain or plan.counts
    )
    ignored = tally.ignored
    counted = [a for a in activities if a.occurred_at <= as_of] if ignored else activities
    plan.add_activity_facts(facts, tally.counts, tally.last_touch, as_of=as_of)

    fit_raw = fit_reasons(person, level, facts, scoring.fit, explain=explain)
    # Fit points are integers, so the score splits exactly into fit + rounded engagement.
    fit_score = sum(map(_POINTS, fit_raw))
    engagement_score = round_half_up(engagement_points(tally))
    score = fit_score + engagement_score
    grade = profile.grade.grade(fit_score)
    heat = temperature(
        engagement_score, counted, tally.last_touch, as_of=as_of, rules=scoring.temperature, explain=explain
    )
    facts["profile"], facts["grade"] = profile.name, grade
    facts["fit_score"], facts["engagement_score"], facts["score"] = fit_score, engagement_score, score
    facts["temperature"] = _TEXT[heat.temperature]
    fired = {rule for rule, _points, _detail in fit_raw}
    facts["target_sector"], facts["covered_country"] = "fit.sector" in fired, "fit.country" in fired

    funnel = definitions.funnel
    fit = profile.fit_gate(facts)
    reached = reached_stage(funnel, facts, fit=fit, activities=counted, as_of=as_of)
    review = None if fit else _review(funnel, facts, reached, activities=counted, as_of=as_of)
    why = _route_reason(reached, facts, fit=fit, activities=counted, as_of=as_of) if explain else ""
    move = next_stage(
        funnel,
        person.stage,
        person.stage_set_by,
        (reached.stage, why),
        last_touch=_latest(tally.last_touch, person.created_at),
        activities=counted,
        as_of=as_of,
    )
    owner = choose_owner(
        definitions.owners,
        facts,
        person.owner_email,
        needs_owner=move.stage in definitions.owned_stages,
        round_robin=round_robin,
        active_owners=active_owners,
    )
    reasons: tuple[Reason, ...] = ()
    if explain:
        engagement_raw = engagement_reasons(tally, scoring)
        shares = _apportion([r.points for r in engagement_raw])
        reasons = (
            Reason("profile", 0, _profile_detail(profile, definitions)),
            *[Reason(rule, points, detail) for rule, points, detail in fit_raw],
            *[Reason(r.rule, share, r.detail) for share, r in zip(shares, engagement_raw, strict=True)],
            Reason("grade", 0, f"{grade}: fit {fit_score} ({profile.grade.describe()})"),
            Reason("fit_gate", 0, "passes the fit gate" if fit else "fails the fit gate: stays a lead"),
            *((Reason("review", 0, review),) if review else ()),
            *((Reason("blocked", 0, reached.blocked),) if reached.blocked else ()),
            Reason("temperature", 0, f"{heat.temperature}: {heat.why}" + _touch_detail(tally.last_touch)),
            Reason(f"stage.{move.stage}", 0, move.reason),
            Reason("owner", 0, f"{owner.email or 'none'}: {owner.reason}"),
        )
    return Decision(
        stage=move.stage,
        stage_set_by=move.set_by,
        score=score,
        fit_score=fit_score,
        engagement_score=engagement_score,
        grade=grade,
        temperature=heat.temperature,
        owner=owner.email,
        fit=fit,
        job_level=level,
        profile=profile.name,
        review=review,
        reasons=reasons,
        round_robin=owner.round_robin,
        ignored=ignored,
        definitions_version=definitions.version,
    )


_MATRIX_ROWS: Final = {Temperature.HOT: "1", Temperature.WARM: "2", Temperature.COLD: "3"}


def grade_matrix(decision: Decision) -> str:
    """Grade and temperature as one label, as grade-by-score matrices show them: "A1" is the best
    fit and hot, "D3" the worst fit and cold."""
    return f"{decision.grade}{_MATRIX_ROWS[decision.temperature]}"


def _route_reason(
    reached: Reached, facts: Facts, *, fit: bool, activities: Sequence[Activity], as_of: datetime
) -> str:
    route: Route | None = reached.route
    why = route.why(facts, activities=activities, as_of=as_of) if route else "entry stage"
    return f"{why}; fails the fit gate" if not fit and route is None else why


def _review(
    funnel: Funnel, facts: Facts, reached: Reached, *, activities: Sequence[Activity], as_of: datetime
) -> str | None:
    """Why someone the fit gate keeps out deserves a look: a buying signal or a full checklist
    would have taken them further (an off-target company asking for a demo); None otherwise."""
    unfit = reached_stage(funnel, facts, fit=True, activities=activities, as_of=as_of)
    route = unfit.route
    if route is None or not (route.triggers or route.checklist):
        return None
    if FUNNEL.index(unfit.stage) <= FUNNEL.index(reached.stage):
        return None
    why = route.why(facts, activities=activities, as_of=as_of)
    return f"fails the fit gate but would reach {unfit.stage}: {why}"


def _profile_detail(profile: Profile, definitions: Definitions) -> str:
    if len(definitions.profiles) == 1:
        return f"{profile.name} (the only profile)"
    if profile is definitions.default_profile:
        return f"{profile.name} (no other profile applies)"
    return f"{profile.name} (its condition holds)"


def round_half_up(value: float) -> int:
    """Round .5 away from zero for positives and towards it for negatives, as people expect."""
    return math.floor(value + 0.5)


def _apportion(points: Sequence[float]) -> list[int]:
    """Integer shares of `points` that add up to their rounded sum (largest remainders)."""
    floors = [math.floor(p) for p in points]
    missing = round_half_up(math.fsum(points)) - sum(floors)
    if missing:
        remainders = [floor - point for floor, point in zip(floors, points, strict=True)]
        by_remainder = sorted(range(len(points)), key=remainders.__getitem__)
        for i in by_remainder[:missing]:
            floors[i] += 1
    return floors


def _latest(touch: datetime | None, created: datetime | None) -> datetime | None:
    """The later of the last touch and the record's creation (a new record is a fresh lead)."""
    if touch is None or created is None:
        return touch or created
    return max(touch, created)


def _touch_detail(last_touch: datetime | None) -> str:
    return f", last touch {day_label(last_touch)}" if last_touch else ", no activity"
