"""The facts a definitions condition can test, and how they are taken from a person.

Only the facts some condition of the loaded definitions names are built (`FactsPlan`): the
evaluator runs for every person of every cycle, and most facts are never tested.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from leadsync.model import ActivityKind, JobLevel, Person, Stage

__all__ = ["DECISION_FACTS", "OPEN_PREFIXES", "PERSON_FACTS", "PROFILE_FACTS", "FactsPlan"]

_SECONDS_PER_DAY: Final = 86_400.0
_COUNT_NAMES: Final = {kind: f"count.{kind}" for kind in ActivityKind}


def _days(as_of: datetime, since: datetime | None) -> float | None:
    return None if since is None else (as_of - since).total_seconds() / _SECONDS_PER_DAY


_QUALIFICATION_NAMES: Final[dict[str, str]] = {}
_NAMES_KEPT: Final = 1_024


def _qualification_name(key: str) -> str:
    """The fact name of a qualification answer; the few names a mapping uses are built once."""
    name = f"qualification.{key}"
    if len(_QUALIFICATION_NAMES) < _NAMES_KEPT:
        _QUALIFICATION_NAMES[key] = name
    return name


# A dict look-up, not `.value`: an enum property costs a Python call per person.
_LEVELS: Final[Mapping[JobLevel | None, str]] = {level: level.value for level in JobLevel}
_STAGES: Final[Mapping[Stage | None, str]] = {stage: stage.value for stage in Stage}
_Getter = Callable[[Person, JobLevel | None, datetime], object]
_GETTERS: Final[Mapping[str, _Getter]] = {
    "email": lambda p, _level, _now: p.email,
    "email_domain": lambda p, _level, _now: p.email.rpartition("@")[2],
    "first_name": lambda p, _level, _now: p.first_name,
    "last_name": lambda p, _level, _now: p.last_name,
    "title": lambda p, _level, _now: p.title,
    "job_level": lambda _p, level, _now: _LEVELS.get(level),
    "company": lambda p, _level, _now: p.company,
    "employees": lambda p, _level, _now: p.employees,
    "industry": lambda p, _level, _now: p.industry,
    "country": lambda p, _level, _now: p.country,
    "source": lambda p, _level, _now: p.source,
    "stage": lambda p, _level, _now: _STAGES.get(p.stage),
    "owner_email": lambda p, _level, _now: p.owner_email,
    "days_since_created": lambda p, _level, now: _days(now, p.created_at),
}
_SINCE_TOUCH: Final = "days_since_last_activity"

PROFILE_FACTS: Final = tuple(_GETTERS)
"""What a profile's condition may test: who the person is (it chooses how activities count)."""

PERSON_FACTS: Final = (*_GETTERS, _SINCE_TOUCH, *_COUNT_NAMES.values())
"""What fit rules may test: who the person is and what they did (scores are not known yet)."""

DECISION_FACTS: Final = (
    *PERSON_FACTS,
    "profile",
    "fit_score",
    "grade",
    "target_sector",
    "covered_country",
    "engagement_score",
    "score",
    "temperature",
)
"""What the fit gate, stage routes and territories may test."""

OPEN_PREFIXES: Final = ("qualification.", "attributes.")
"""Facts named by the data: qualification answers and mapped attributes."""


@dataclass(frozen=True, slots=True)
class FactsPlan:
    """Which facts the loaded definitions test, so that only those are built per person."""

    getters: tuple[tuple[str, _Getter], ...]
    attributes: bool
    counts: bool
    since_touch: bool

    @classmethod
    def for_fields(cls, fields: Collection[str]) -> FactsPlan:
        """The plan for conditions naming `fields` (qualification answers are always built)."""
        return cls(
            getters=tuple((name, getter) for name, getter in _GETTERS.items() if name in fields),
            attributes=any(name.startswith("attributes.") for name in fields),
            counts=any(name.startswith("count.") for name in fields),
            since_touch=_SINCE_TOUCH in fields,
        )

    def facts(self, person: Person, level: JobLevel | None, *, as_of: datetime) -> dict[str, object]:
        """The facts conditions see about who a person is (`add_activity_facts` adds the rest)."""
        facts: dict[str, object] = {}
        for name, getter in self.getters:  # a loop: a comprehension is one more frame per person
            facts[name] = getter(person, level, as_of)
        for key, answer in person.qualification.items():  # checklists read them
            facts[_QUALIFICATION_NAMES.get(key) or _qualification_name(key)] = answer
        if self.attributes:
            for key, value in person.attributes.items():
                facts[f"attributes.{key}"] = value
        return facts

    def add_activity_facts(
        self,
        facts: dict[str, object],
        counts: Mapping[ActivityKind, int],
        last_touch: datetime | None,
        *,
        as_of: datetime,
    ) -> None:
        """Add what the person did: counts per kind and days since the last touch, where tested."""
        if self.since_touch:
            facts[_SINCE_TOUCH] = _days(as_of, last_touch)
        if self.counts:
            for kind, name in _COUNT_NAMES.items():
                facts[name] = counts.get(kind, 0)
