"""Score = explicit fit points + implicit engagement points (decayed, capped), and temperature.

Temperature comes from behaviour alone: a buying signal, qualified interactions and the
engagement points. Fit points make the score, never the temperature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

import msgspec

from leadsync.conditions import Facts, Predicate
from leadsync.model import Activity, ActivityKind, JobLevel, Person, Temperature, epoch_of

__all__ = [
    "Band",
    "EngagementTally",
    "FitPoints",
    "FitRules",
    "Heat",
    "KindRule",
    "RawReason",
    "ScoringRules",
    "TemperatureRules",
    "engagement_points",
    "engagement_reasons",
    "engagement_tally",
    "fit_reasons",
    "temperature",
]

_SECONDS_PER_DAY = 86_400.0
_LEVEL_RULES = {level: f"fit.job_level.{level}" for level in JobLevel}
_KIND_RULES = {kind: f"engagement.{kind}" for kind in ActivityKind}
# Read once: an enum member read as a class attribute costs about 0.2 µs (CPython 3.11).
_COLD, _WARM, _HOT = Temperature.COLD, Temperature.WARM, Temperature.HOT
# The engine evaluates everyone of a cycle as of the same two moments: each is converted
# once. A dict look-up costs a quarter of an lru_cache call; the bound keeps it small.
_EPOCHS: Final[dict[datetime, float]] = {}
_EPOCHS_KEPT: Final = 64


def _epoch(at: datetime) -> float:
    found = _EPOCHS.get(at)
    if found is None:
        if len(_EPOCHS) >= _EPOCHS_KEPT:
            _EPOCHS.clear()
        found = _EPOCHS[at] = epoch_of(at)
    return found


class RawReason(msgspec.Struct, frozen=True, gc=False):
    """An engagement rule that fired, with its exact (possibly fractional) points."""

    rule: str
    points: float
    detail: str


@dataclass(frozen=True, slots=True)
class Band:
    """Points for a company size between `low` and `high` employees (inclusive)."""

    low: int
    high: int | None
    points: int

    def label(self) -> str:
        """The band as people write it: `251+` or `51-250`."""
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"


@dataclass(frozen=True, slots=True)
class FitRules:
    """Explicit points for who the person is."""

    job_level: Mapping[JobLevel, int]
    bands: tuple[Band, ...]
    sector_points: int
    sectors: frozenset[str]
    country_points: int
    countries: frozenset[str]
    sources: Mapping[str, int]  # keys case-folded
    rules: tuple[tuple[str, str, int, Predicate], ...]  # rule id, name, points, condition


@dataclass(frozen=True, slots=True)
class KindRule:
    """Points, cap and decay of one activity kind."""

    points: int
    cap: int | None
    half_life_days: float  # 0: no decay
    decay_per_second: float  # ln 2 / half-life, precomputed for the hot path; 0: no decay
    points_note: str = field(init=False, repr=False, compare=False)  # the explanation's fixed texts
    decay_note: str = field(init=False, repr=False, compare=False)
    cap_note: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "points_note", f" x {self.points} pts")
        object.__setattr__(self, "decay_note", f" after decay (half-life {self.half_life_days:g} d)")
        object.__setattr__(self, "cap_note", f", capped at {self.cap}")

    @classmethod
    def of(cls, points: int, cap: int | None, half_life_days: float) -> KindRule:
        """A rule whose decay constant is derived from its half-life."""
        rate = math.log(2) / (half_life_days * _SECONDS_PER_DAY) if half_life_days else 0.0
        return cls(points, cap, half_life_days, rate)


@dataclass(frozen=True, slots=True)
class TemperatureRules:
    """Behaviour thresholds: a buying signal within `window`, or engagement above `hot_above`, is
    hot; engagement from `warm_from` with `warm_interactions` qualified ones in the window, warm."""

    warm_from: int
    hot_above: int
    window: timedelta
    warm_interactions: int
    qualified: frozenset[ActivityKind]
    hot_on: frozenset[ActivityKind]
    dormant_after: timedelta | None


@dataclass(frozen=True, slots=True)
class ScoringRules:
    """Everything that turns a person and their activities into points."""

    fit: FitRules
    kinds: Mapping[ActivityKind, KindRule]
    temperature: TemperatureRules
    groups: tuple[tuple[str, frozenset[ActivityKind], float], ...] = ()  # name, kinds, joint cap
    weights: Mapping[ActivityKind, tuple[float, float]] = field(init=False)
    caps: Mapping[ActivityKind, float] = field(init=False)

    def __post_init__(self) -> None:
        # The hot loop's view of `kinds`: only the kinds that earn (or cost) points, as
        # (points, -decay per second), and every cap (infinite: none); all floats, which
        # CPython compares and multiplies faster than an int and a float.
        weights = {
            kind: (float(rule.points), -rule.decay_per_second)
            for kind, rule in self.kinds.items()
            if rule.points
        }
        caps = {kind: math.inf if rule.cap is None else float(rule.cap) for kind, rule in self.kinds.items()}
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "caps", caps)


FitPoints = tuple[str, int, str]
"""A fit rule that fired: its rule id, its integer points, and what it saw ("" unexplained)."""


def fit_reasons(
    person: Person, level: JobLevel | None, facts: Facts, rules: FitRules, *, explain: bool
) -> list[FitPoints]:
    """The explicit (integer) points a person earns, one entry per rule that fired.

    Plain tuples, not structs: the engine's path builds these for every person of every cycle.
    """
    reasons: list[FitPoints] = []
    if level is not None and (points := rules.job_level.get(level)):
        detail = f"{level} ({'given' if person.job_level else 'from the title'})" if explain else ""
        reasons.append((_LEVEL_RULES[level], points, detail))
    employees = person.employees
    if employees is not None:
        for band in rules.bands:
            if band.low <= employees and (band.high is None or employees <= band.high):
                detail = f"{employees} employees, band {band.label()}" if explain else ""
                reasons.append(("fit.employees", band.points, detail))
                break
    industry = person.industry
    if industry and industry.casefold() in rules.sectors:
        reasons.append(("fit.sector", rules.sector_points, f"target sector {industry}" if explain else ""))
    country = person.country
    if country and country.upper() in rules.countries:
        reasons.append(("fit.country", rules.country_points, f"covered country {country}" if explain else ""))
    source = person.source
    if source and (points := rules.sources.get(source.casefold(), 0)):
        reasons.append(("fit.source", points, f"lead source {source}" if explain else ""))
    for rule, name, points, holds in rules.rules:
        if holds(facts):
            reasons.append((rule, points, name))
    return reasons


class EngagementTally(msgspec.Struct, gc=False):
    """Per kind: points decayed by age, then capped; counts; and the latest touch."""

    decayed: dict[ActivityKind, float]
    capped: dict[ActivityKind, float]  # `decayed` itself when no kind reaches its cap
    over: dict[str, float]  # per group of kinds, the points above its joint cap (taken off)
    counts: dict[ActivityKind, int]
    last_touch: datetime | None
    ignored: tuple[Activity, ...]  # dated after `as_of`: not counted


def engagement_tally(
    activities: Sequence[Activity],
    *,
    as_of: datetime,
    rules: ScoringRules,
    decay_as_of: datetime | None = None,
    counting: bool = True,
) -> EngagementTally:
    """Sum each kind's points decayed by age and cap them; count every kind; find the latest touch.

    The hot loop of the evaluator: one pass over the activities, no object per activity.
    Penalties (negative points) are not touches; activities after `as_of` are set aside.
    Ages are taken at `decay_as_of` (default `as_of`); an activity after it has age zero.
    Without `counting`, `counts` stays empty (the caller needs no count).
    """
    # Ages are taken in seconds before `decay_at`, from each activity's epoch: float
    # arithmetic only. After `as_of` is younger than `future` (≤ 0).
    decay_at = _epoch(decay_as_of or as_of)
    future = decay_at - _epoch(as_of)
    decayed: dict[ActivityKind, float] = {}
    youngest, latest = math.inf, None
    exp, weight_of, sum_of = math.exp, rules.weights.get, decayed.get
    ignored: list[Activity] | None = None
    for activity in activities:
        age = decay_at - activity.epoch
        if age < future:
            if ignored is None:
                ignored = []
            ignored.append(activity)
            continue
        kind = activity.kind
        weight = weight_of(kind)
        if weight is not None:
            points, growth = weight  # growth: minus the decay rate, 0.0 for no decay (exp(0.0) is 1.0)
            # An activity after `decay_at` has age zero: its points stay as they are.
            decayed[kind] = sum_of(kind, 0.0) + (points * exp(growth * age) if age > 0.0 else points)
            if points < 0.0:
                continue  # a penalty is not a touch
        if age < youngest:
            youngest, latest = age, activity
    capped = _capped(decayed, rules.caps)
    return EngagementTally(
        decayed,
        capped,
        _over(capped, rules.groups) if rules.groups else {},
        _counts(activities, ignored) if counting else {},
        None if latest is None else latest.occurred_at,
        tuple(ignored) if ignored else (),
    )


def _counts(activities: Sequence[Activity], ignored: list[Activity] | None) -> dict[ActivityKind, int]:
    """How many activities of each kind, leaving out the `ignored` ones (a second, simpler pass)."""
    counts: dict[ActivityKind, int] = {}
    count_of = counts.get
    for activity in activities:
        kind = activity.kind
        counts[kind] = count_of(kind, 0) + 1
    for activity in ignored or ():
        counts[activity.kind] -= 1
        if not counts[activity.kind]:
            del counts[activity.kind]
    return counts


def _capped(
    decayed: dict[ActivityKind, float], caps: Mapping[ActivityKind, float]
) -> dict[ActivityKind, float]:
    """Each kind's points within its cap; `decayed` itself (not a copy) when none reaches it."""
    capped = decayed
    for kind, points in decayed.items():
        cap = caps[kind]
        if points > cap or points < -cap:
            if capped is decayed:
                capped = dict(decayed)
            capped[kind] = math.copysign(cap, points)
    return capped


def _over(
    capped: Mapping[ActivityKind, float], groups: Sequence[tuple[str, frozenset[ActivityKind], float]]
) -> dict[str, float]:
    """Per group, what its kinds earn together above the group's cap (penalties are not capped)."""
    over: dict[str, float] = {}
    for name, kinds, cap in groups:
        earned = math.fsum(points for kind, points in capped.items() if kind in kinds and points > 0.0)
        if earned > cap:
            over[name] = earned - cap
    return over


def engagement_points(tally: EngagementTally) -> float:
    """The engagement points of a tally: each kind within its cap, each group within its own."""
    if tally.over:
        return math.fsum((*tally.capped.values(), *(-excess for excess in tally.over.values())))
    return math.fsum(tally.capped.values())


def engagement_reasons(tally: EngagementTally, rules: ScoringRules) -> list[RawReason]:
    """One reason per kind that earned points, with how decay and the cap shaped them; one
    (negative) per group whose kinds together earned more than its cap."""
    reasons = [
        RawReason(
            _KIND_RULES[kind],
            capped,
            _engagement_detail(tally.counts[kind], tally.decayed[kind], capped, rules.kinds[kind]),
        )
        for kind, capped in tally.capped.items()
    ]
    caps = {name: cap for name, _kinds, cap in rules.groups}
    reasons += [
        RawReason(f"engagement.group.{name}", -excess, f"these kinds together earn at most {caps[name]:g}")
        for name, excess in tally.over.items()
    ]
    return reasons


def _engagement_detail(count: int, points: float, capped: float, rule: KindRule) -> str:
    detail = f"{count}{rule.points_note}"
    if abs(points - count * rule.points) >= 0.05:  # noqa: PLR2004 - shown to one decimal
        detail += f", {points:.1f}{rule.decay_note}"
    if capped != points:
        detail += rule.cap_note
    return detail


class Heat(msgspec.Struct, frozen=True, gc=False):
    """A temperature and what made it ("" when not explained)."""

    temperature: Temperature
    why: str


def temperature(
    engagement: int,
    activities: Sequence[Activity],
    last_touch: datetime | None,
    *,
    as_of: datetime,
    rules: TemperatureRules,
    explain: bool,
) -> Heat:
    """Cold, warm or hot from behaviour only (`activities` are those up to `as_of`).

    Someone untouched for `rules.dormant_after` is cold whatever they did before; a buying
    signal within the window, or engagement above `hot_above`, is hot; engagement from
    `warm_from` with enough qualified interactions within the window is warm.
    """
    if rules.dormant_after is not None and (last_touch is None or as_of - last_touch > rules.dormant_after):
        return Heat(_COLD, f"no activity for over {rules.dormant_after.days} days" if explain else "")
    since = as_of - rules.window
    if rules.hot_on:
        signal = _latest(activities, rules.hot_on, since)
        if signal is not None:
            return Heat(
                _HOT, f"buying signal {signal.kind} on {signal.occurred_at.date()}" if explain else ""
            )
    if engagement > rules.hot_above:
        return Heat(_HOT, f"engagement {engagement} > {rules.hot_above}" if explain else "")
    if engagement < rules.warm_from:
        return Heat(_COLD, f"engagement {engagement} < {rules.warm_from}" if explain else "")
    if rules.warm_interactions:
        qualified = sum(1 for a in activities if a.kind in rules.qualified and a.occurred_at >= since)
        if qualified < rules.warm_interactions:
            why = (
                f"{qualified} of {rules.warm_interactions} qualified interactions in {rules.window.days} days"
            )
            return Heat(_COLD, why if explain else "")
    return Heat(_WARM, f"engagement {engagement} ≥ {rules.warm_from}" if explain else "")


def _latest(
    activities: Sequence[Activity], kinds: frozenset[ActivityKind], since: datetime
) -> Activity | None:
    """The latest activity of one of `kinds` from `since` on, if any."""
    found: Activity | None = None
    for activity in activities:
        if (
            activity.kind in kinds
            and activity.occurred_at >= since
            and (found is None or activity.occurred_at > found.occurred_at)
        ):
            found = activity
    return found
