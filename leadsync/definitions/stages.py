"""The funnel: which stage a person's facts reach, and which move from the current stage is allowed.

Stages move forward only. The exceptions are explicit: recycling to nurture after a quiet
spell, re-entry from nurture on a new trigger. A manual stage (set by a human in a CRM) is
never changed; a computed stage set by a human is a floor: leadsync may advance it, never
move it back or recycle it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import msgspec

from leadsync.conditions import Facts, Predicate
from leadsync.model import Activity, ActivityKind, SetBy, Stage, Temperature

__all__ = [
    "FUNNEL",
    "Block",
    "Checklist",
    "Funnel",
    "Reached",
    "Recycle",
    "Route",
    "StageDef",
    "StageMove",
    "day_label",
    "next_stage",
    "reached_stage",
]

FUNNEL: tuple[Stage, ...] = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)
"""The forward funnel; `nurture` and `disqualified` are side states."""

_REACHABLE = tuple(reversed(FUNNEL[1:]))
# An enum member read as a class attribute costs about 0.2 µs (CPython 3.11): the hot path reads these.
_LEAD, _NURTURE, _DISQUALIFIED = Stage.LEAD, Stage.NURTURE, Stage.DISQUALIFIED
_BY_LEADSYNC = SetBy.LEADSYNC

_TEMPERATURE_RANK = {"cold": 0, "warm": 1, "hot": 2}


@dataclass(frozen=True, slots=True)
class Checklist:
    """A qualification framework: items answered true or false (BANT, CHAMP, MEDDICC…)."""

    name: str
    items: tuple[str, ...]
    fact_names: tuple[str, ...] = field(init=False, repr=False, compare=False)  # qualification.<item>

    def __post_init__(self) -> None:
        object.__setattr__(self, "fact_names", tuple(f"qualification.{item}" for item in self.items))


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
    score_floor: float = field(init=False, repr=False, compare=False)  # min_score, or -inf: none
    rank_floor: int = field(init=False, repr=False, compare=False)  # min_temperature's rank, or -1: none

    def __post_init__(self) -> None:
        floor = -math.inf if self.min_score is None else self.min_score
        rank = -1 if self.min_temperature is None else _TEMPERATURE_RANK[self.min_temperature]
        object.__setattr__(self, "score_floor", floor)
        object.__setattr__(self, "rank_floor", rank)

    def why(self, facts: Facts, *, activities: Sequence[Activity], as_of: datetime) -> str:
        """What let the person in, for the explanation (call only for the route `reached_stage` found)."""
        why: list[str] = []
        if self.min_score is not None:
            why.append(f"score {facts['score']} ≥ {self.min_score}")
        if self.min_temperature is not None:
            why.append(f"temperature {facts['temperature']}")
        trigger = self.trigger(activities, as_of) if self.triggers else None
        if trigger is not None:
            why.append(f"trigger {trigger.kind} on {day_label(trigger.occurred_at)}")
        if self.checklist is not None:
            why.append(f"{self.checklist.name.upper()} {self.checked(facts)}/{len(self.checklist.items)}")
        if self.condition is not None:
            why.append("condition")
        if self.requires_fit:
            why.append("fit")
        text = ", ".join(why)
        return f"{self.name}: {text}" if self.name else text

    def trigger(self, activities: Sequence[Activity], as_of: datetime) -> Activity | None:
        """The first activity of a trigger kind within the window before `as_of`, if any."""
        since, triggers = as_of - self.trigger_window, self.triggers
        for activity in activities:
            if activity.kind in triggers and activity.occurred_at >= since:
                return activity
        return None

    def checked(self, facts: Facts) -> int:
        """How many items of the route's checklist the facts answer true."""
        checked = 0
        for name in self.checklist.fact_names if self.checklist else ():
            if facts.get(name) is True:
                checked += 1
        return checked


Block = tuple[str, Predicate]
"""A named condition that keeps people out of a stage ("no budget")."""


@dataclass(frozen=True, slots=True)
class StageDef:
    """A canonical stage as the definitions describe it."""

    stage: Stage
    label: str
    aliases: tuple[str, ...]
    manual: bool
    routes: tuple[Route, ...]
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True, slots=True)
class Recycle:
    """Back to nurture after `after` without activity; out again on a `reentry_on` activity."""

    after: timedelta | None
    from_stages: frozenset[Stage]
    reentry_on: frozenset[ActivityKind]


@dataclass(frozen=True, slots=True)
class Funnel:
    """Every stage, recycling, and the names people use for stages (the fit gate is a profile's)."""

    stages: Mapping[Stage, StageDef]
    recycle: Recycle
    names: Mapping[str, Stage]  # case-folded id, label or alias → stage
    entries: tuple[tuple[Stage, Route, tuple[Block, ...]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every route into a computed funnel stage, furthest stage first: what `reached_stage` tries.
        entries = tuple(
            (stage, route, self.stages[stage].blocks)
            for stage in _REACHABLE
            if stage in self.stages and not self.stages[stage].manual  # a file missing one is refused later
            for route in self.stages[stage].routes
        )
        object.__setattr__(self, "entries", entries)

    def stage_named(self, name: str) -> Stage | None:
        """The canonical stage an id, label or alias means (any case), or None."""
        return self.names.get(name.strip().casefold())


class StageMove(msgspec.Struct, frozen=True, gc=False):
    """The stage a person should have, who set it, and why."""

    stage: Stage
    set_by: SetBy
    reason: str


class Reached(msgspec.Struct, frozen=True, gc=False):
    """The furthest stage a person's facts reach, the route in, and a further stage a block kept
    them out of ("sql: no budget"), if any."""

    stage: Stage
    route: Route | None
    blocked: str | None


def reached_stage(
    funnel: Funnel, facts: Facts, *, fit: bool, activities: Sequence[Activity], as_of: datetime
) -> Reached:
    """The furthest computed funnel stage with a route whose criteria all hold and no block that holds.

    One loop with every criterion inline: it runs for every person of every cycle.
    """
    score, rank = facts["score"], _TEMPERATURE_RANK[facts["temperature"]]  # type: ignore[index]  # a str
    blocked = None
    for stage, route, blocks in funnel.entries:
        if (
            (fit or not route.requires_fit)
            and score >= route.score_floor  # type: ignore[operator]  # an int
            and rank >= route.rank_floor
            and (not route.triggers or route.trigger(activities, as_of) is not None)
            and (route.checklist is None or route.checked(facts) >= route.min_checked)
            and (route.condition is None or route.condition(facts))
        ):
            block = next((name for name, holds in blocks if holds(facts)), None) if blocks else None
            if block is None:
                return Reached(stage, route, blocked)
            blocked = blocked or f"{stage} blocked: {block}"
    return Reached(_LEAD, None, blocked)


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

    `last_touch` is the later of the latest activity and the person's creation: someone never
    touched and of unknown age is not recycled, nor is a record created since the last touch.
    """
    target, why = reached
    recycle = funnel.recycle
    quiet = recycle.after is not None and last_touch is not None and as_of - last_touch > recycle.after
    if current is None:
        return _entered(target, why, recycle, last_touch, quiet=quiet)
    keeper = set_by or _BY_LEADSYNC
    if funnel.stages[current].manual or current is _DISQUALIFIED:
        return StageMove(current, keeper, f"{current} is a manual stage, kept as set by {keeper}")
    if current is _NURTURE:
        since = as_of - recycle.after if recycle.after else None
        reentry = next(
            (
                a
                for a in activities
                if a.kind in recycle.reentry_on and (since is None or a.occurred_at >= since)
            ),
            None,
        )
        if reentry is not None and target is not _LEAD:
            return StageMove(target, _BY_LEADSYNC, f"re-entry from nurture on {reentry.kind}; {why}")
        return StageMove(current, keeper, "in nurture until a re-entry trigger")
    rank = FUNNEL.index(current)
    if quiet and current in recycle.from_stages and keeper is _BY_LEADSYNC and FUNNEL.index(target) <= rank:
        return StageMove(_NURTURE, _BY_LEADSYNC, _recycled(recycle, last_touch))
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
        return StageMove(_NURTURE, _BY_LEADSYNC, f"{_recycled(recycle, last_touch)} (reached {target})")
    return StageMove(target, _BY_LEADSYNC, why)


def _recycled(recycle: Recycle, last_touch: datetime | None) -> str:
    days = recycle.after.days if recycle.after else 0
    return f"recycled: last touch {day_label(last_touch)}, over {days} days ago"


def day_label(at: datetime | None) -> str:
    """The day of `at` as `%Y-%m-%d` writes it, without strftime's cost (it is in every explanation)."""
    if at is None or at.year < 1000:  # noqa: PLR2004 - strftime does not pad years before 1000
        return f"{at:%Y-%m-%d}"
    return at.date().isoformat()
