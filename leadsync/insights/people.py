"""Figures of people as they stand: stage, temperature, grade and profile counts, new people by
lead source, and the people flagged for review.

A person's temperature is not kept with the person: it is the "temperature" last read from
their most recently read record (what the CRMs hold, leadsync's own writes included), or
"none" when no record has one. A person's lead source is that of their earliest created
record that has one ("unknown" when none does); they are new when that record was created
(or, without creation stamps, when their first stage change happened) within the window.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final

from leadsync.insights.report import Review, StageCount
from leadsync.model import Stage, Temperature
from leadsync.store.analytics import PersonFacts

__all__ = ["Standing"]

_UNKNOWN_TEMPERATURE: Final = "none"
_UNKNOWN_SOURCE: Final = "unknown"
_UNDECIDED: Final = "none"
_EARLIEST: Final = datetime.min.replace(tzinfo=UTC)


def _temperature_of(person: PersonFacts) -> str:
    """The temperature last read from the person's most recently read record that has one."""
    known = [r for r in person.records if r.temperature]
    if not known:
        return _UNKNOWN_TEMPERATURE
    latest = max(known, key=lambda r: r.read_at or _EARLIEST)
    return str(latest.temperature)


def _source_and_arrival(person: PersonFacts) -> tuple[str, datetime | None]:
    ordered = sorted(person.records, key=lambda r: (r.created_at is None, r.created_at or _EARLIEST))
    source = next((r.source for r in ordered if r.source), _UNKNOWN_SOURCE)
    first = ordered[0].created_at if ordered else None
    return source, first or person.first_stage_change_at


class Standing:
    """Tallies over people: per stage and temperature, and new people per source and temperature."""

    def __init__(self, *, since: datetime | None, until: datetime) -> None:
        self._since = since
        self._until = until
        self._stages: Counter[Stage] = Counter()
        self._by_temperature: defaultdict[Stage | None, Counter[str]] = defaultdict(Counter)
        self._volume: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._grades: Counter[str] = Counter()
        self._profiles: Counter[str] = Counter()
        self._review: list[Review] = []

    def add(self, person: PersonFacts) -> None:
        """Count one person."""
        self._grades[person.grade or _UNDECIDED] += 1
        self._profiles[person.profile or _UNDECIDED] += 1
        if person.review:
            stage = None if person.stage is None else person.stage.value
            self._review.append(Review(person.email, stage, person.review, person.owner))
        temperature = _temperature_of(person)
        if person.stage is not None:
            self._stages[person.stage] += 1
        self._by_temperature[person.stage][temperature] += 1
        source, arrived = _source_and_arrival(person)
        if arrived is not None and arrived <= self._until and (self._since is None or arrived >= self._since):
            self._volume[source][temperature] += 1

    def stages(self, stages: Sequence[Stage], by_crm: Mapping[Stage, Mapping[str, int]]) -> list[StageCount]:
        """Each of `stages` with its people, its records per CRM and its people per temperature."""
        return [
            StageCount(
                stage=stage.value,
                people=self._stages[stage],
                by_crm=dict(by_crm[stage]),
                by_temperature=_temperatures(self._by_temperature[stage]),
            )
            for stage in stages
        ]

    def temperatures(self) -> dict[str, int]:
        """People per temperature, whatever their stage."""
        overall: Counter[str] = Counter()
        for counts in self._by_temperature.values():
            overall.update(counts)
        return _temperatures(overall)

    def grades(self, order: Sequence[str]) -> dict[str, int]:
        """People per grade in `order` (best first, 0 when none), then any other grade seen."""
        return {grade: self._grades[grade] for grade in order} | {
            grade: n for grade, n in sorted(self._grades.items()) if grade not in order
        }

    def profiles(self) -> dict[str, int]:
        """People per scoring profile, by name."""
        return dict(sorted(self._profiles.items()))

    def review(self) -> list[Review]:
        """The people flagged for review, by e-mail."""
        return sorted(self._review, key=lambda item: item.email)

    def volume_by_source(self) -> dict[str, dict[str, int]]:
        """New people in the window per lead source and temperature, sources by name."""
        return {source: _temperatures(self._volume[source]) for source in sorted(self._volume)}


def _temperatures(counts: Counter[str]) -> dict[str, int]:
    """Cold, warm and hot always (0 when none); "none" and unexpected values only when present."""
    shown = {t.value: counts[t.value] for t in Temperature}
    shown.update({name: n for name, n in sorted(counts.items()) if name not in shown and n})
    return shown
