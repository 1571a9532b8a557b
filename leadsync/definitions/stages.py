"""The funnel: which stage a person's facts reach, and which move from the current stage is allowed.

Stages move forward only. The exceptions are explicit: recycling to nurture after a quiet
spell, re-entry from nurture on a new trigger. A manual stage (set by a human in a CRM) is
never changed; a computed stage set by a human is a floor: leadsync may advance it, never
move it back or recycle it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from leadsync.conditions import Facts, Predicate
from leadsync.model import Activity, ActivityKind, SetBy, Stage, Temperature

__all__ = [
    "FUNNEL",
    "Checklist",
    "Funnel",
    "Recycle",
    "Route",
    "StageDef",
    "StageMove",
    "next_stage",
    "reached_stage",
]

FUNNEL: tuple[Stage, ...] = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)
"""The forward funnel; `nurture` and `disqualified` are side states."""

_REACHABLE = tuple(reversed(FUNNEL[1:]))

_TEMPERATURE_RANK = {"cold": 0, "warm": 1, "hot": 2}


@dataclass(frozen=True, slots=True)
class Checklist:
    """A qualification framework: items answered true or false (BANT, CHAMP, MEDDICC…)."""

    name: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Route:
    """One way into a stage: every criterion set must hold."""

    name: str
    min_score: int | None
    min_temperature: Temperature | None
    requires_fit: bool
    triggers: frozenset[ActivityKind]
    trigger_window: timedelta
    checklist: Checklist | None
    min_checked: int
    condition: Predicate | None

    def admits(self, facts: Facts, *, fit: bool, activities: Sequence[Activity], as_of: datetime) -> bool:
        """Whether every criterion of the route holds."""
        if self.requires_fit and not fit:
            return False
        if self.min_score is not None and facts["score"] < self.min_score:  # type: ignore[operator]  # an int
            return False
        if self.min_temperature is not None and (
            _TEMPERATURE_RANK[facts["temperature"]] < _TEMPERATURE_RANK[self.min_temperature]  # type: ignore[index]
        ):
            return False
        if self.triggers and self._trigger(activities, as_of) is None:
            return False
        if self.checklist is not None and self._checked(facts) < self.min_checked:
            return False
        return self.condition is None or self.condition(facts)

    def why(self, facts: Facts, *, activities: Sequence[Activity], as_of: datetime) -> str:
        """What let the person in, for the explanation (call only when `admits`)."""
        why: list[str] = []
        if self.min_score is not None:
            why.append(f"score {facts['score']} ≥ {self.min_score}")
        if self.min_temperature is not None:
            why.append(f"temperature {facts['temperature']}")
        trigger = self._trigger(activities, as_of) if self.triggers else None
        if trigger is not None:
            why.append(f"trigger {trigger.kind} on {trigger.occurred_at:%Y-%m-%d}")
        if self.checklist is not None:
            why.append(f"{self.checklist.name.upper()} {self._checked(facts)}/{len(self.checklist.items)}")
        if self.condition is not None:
            why.append("condition")
        if self.requires_fit:
            why.append("fit")
        text = ", ".join(why)
        return f"{self.name}: {text}" if self.name else text

    def _trigger(self, activities: Sequence[Activity], as_of: datetime) -> Activity | None:
        since = as_of - self.trigger_window
        return next((a for a in activities if a.kind in self.triggers and a.occurred_at >= since), None)

    def _checked(self, facts: Facts) -> int:
        items = self.checklist.items if self.checklist else ()
        return sum(1 for item in items if facts.get(f"qualification.{item}") is True)


@dataclass(frozen=True, slots=True)
class StageDef:
    """A canonical stage as the definitions describe it."""

    stage: Stage
    label: str
    aliases: tuple[str, ...]
    manual: bool
    routes: tuple[Route, ...]


@dataclass(frozen=True, slots=True)
class Recycle:
    """Back to nurture after `after` without activity; out again on a `reentry_on` activity."""

    after: timedelta | None
    from_stages: frozenset[Stage]
    reentry_on: frozenset[ActivityKind]


@dataclass(frozen=True, slots=True)
class Funnel:
    """Every stage, the fit gate, recycling, and the names people use for stages."""

    stages: Mapping[Stage, StageDef]
    fit_gate: Predicate
    recycle: Recycle
    names: Mapping[str, Stage]  # case-folded id, label or alias → stage

    def stage_named(self, name: str) -> Stage | None:
        """The canonical stage an id, label or alias means (any case), or None."""
        return self.names.get(name.strip().casefold())


class StageMove(NamedTuple):
    """The stage a person should have, who set it, and why."""

    stage: Stage
    set_by: SetBy
    reason: str


def reached_stage(
    funnel: Funnel, facts: Facts, *, fit: bool, activities: Sequence[Activity], as_of: datetime
) -> tuple[Stage, Route | None]:
    """The furthest computed funnel stage whose entry criteria hold, and the route that let them in."""
    for stage in _REACHABLE:
        definition = funnel.stages[stage]
        if definition.manual:
            continue
        for route in definition.routes:
            if route.admits(facts, fit=fit, activities=activities, as_of=as_of):
                return stage, route
    return Stage.LEAD, None


def next_stage(
    funnel: Funnel,
    current: Stage | None,
    set_by: SetBy | None,
    reached: tuple[Stage, str],
    *,
    last_touch: datetime | None,
    activities: Sequence[Activity],
    as_of: datetime,
) -> StageMove:
    """Apply the allowed transitions from the current stage towards the reached one.

    `last_touch` is the latest activity, else the person's creation: someone never touched
    and of unknown age is not recycled.
    """
    target, why = reached
    recycle = funnel.recycle
    quiet = recycle.after is not None and last_touch is not None and as_of - last_touch > recycle.after
    if current is None:
        return _entered(target, why, recycle, last_touch, quiet=quiet)
    keeper = set_by or SetBy.LEADSYNC
    if funnel.stages[current].manual or current is Stage.DISQUALIFIED:
        return StageMove(current, keeper, f"{current} is a manual stage, kept as set by {keeper}")
    if current is Stage.NURTURE:
        since = as_of - recycle.after if recycle.after else None
        reentry = next(
            (
                a
                for a in activities
                if a.kind in recycle.reentry_on and (since is None or a.occurred_at >= since)
            ),
            None,
        )
        if reentry is not None and target is not Stage.LEAD:
            return StageMove(target, SetBy.LEADSYNC, f"re-entry from nurture on {reentry.kind}; {why}")
        return StageMove(current, keeper, "in nurture until a re-entry trigger")
    rank = FUNNEL.index(current)
    if quiet and current in recycle.from_stages and keeper is SetBy.LEADSYNC and FUNNEL.index(target) <= rank:
        return StageMove(Stage.NURTURE, SetBy.LEADSYNC, _recycled(recycle, last_touch))
    if FUNNEL.index(target) > rank:
        return _entered(target, why, recycle, last_touch, quiet=quiet)
    return StageMove(current, keeper, f"stays {current} (stages only move forward)")


def _entered(
    target: Stage, why: str, recycle: Recycle, last_touch: datetime | None, *, quiet: bool
) -> StageMove:
    """A move forward, straight to nurture when the stage reached would be recycled at once.

    Without this, a person quiet for long but with enough (decayed) points would enter mql
    one cycle and be recycled the next: every evaluation must be a fixed point.
    """
    if quiet and target in recycle.from_stages:
        return StageMove(
            Stage.NURTURE, SetBy.LEADSYNC, f"{_recycled(recycle, last_touch)} (reached {target})"
        )
    return StageMove(target, SetBy.LEADSYNC, why)


def _recycled(recycle: Recycle, last_touch: datetime | None) -> str:
    days = recycle.after.days if recycle.after else 0
    return f"recycled: last touch {last_touch:%Y-%m-%d}, over {days} days ago"
