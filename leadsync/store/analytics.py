"""Read-only queries for funnel analytics, streamed so a large store is never held in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from typing import Any, Final

from sqlalchemy import ColumnElement, Engine, Row, Select, and_, case, exists, func, select

from leadsync.model import Stage
from leadsync.store.entries import PersonId, StageChange, same_record
from leadsync.store.history import stage_change_of
from leadsync.store.schema import activities, people, record_links, record_values, stage_history

__all__ = ["Analytics", "PersonFacts", "RecordFacts", "Scope", "StageFollowUp"]

_BATCH: Final = 2000  # rows per fetch while streaming


@dataclass(frozen=True, slots=True)
class Scope:
    """Which people a figure covers: holding a record in `crm`, scored by `profile`, owned by `owner`.

    None means any; the default scope covers everyone.
    """

    crm: str | None = None
    profile: str | None = None
    owner: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The scope as conditions on the `people` table."""
        found: list[ColumnElement[bool]] = []
        if self.crm is not None:
            links = record_links.alias("scope_links")  # apart from the queries' own record_links
            found.append(exists().where(links.c.person_id == people.c.id, links.c.crm == self.crm))
        if self.profile is not None:
            found.append(people.c.profile == self.profile)
        if self.owner is not None:
            found.append(people.c.owner == self.owner)
        return found


_EVERYONE: Final = Scope()


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """A linked record as analytics sees it: CRM, lead source, creation, temperature as last read."""

    crm: str
    source: str
    created_at: datetime | None
    temperature: str | None  # "temperature" as last read from the record
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """A person with at least one linked record: decided stage, owner, first stage change, records."""

    id: PersonId
    email: str
    stage: Stage | None
    stage_entered_at: datetime | None
    owner: str | None
    first_stage_change_at: datetime | None
    records: tuple[RecordFacts, ...]
    profile: str | None = None
    grade: str | None = None
    review: str | None = None


@dataclass(frozen=True, slots=True)
class StageFollowUp:
    """A person now in a stage, since when, their owner, and their first follow-up activity after it."""

    email: str
    entered_at: datetime
    owner: str | None
    first_follow_up_at: datetime | None


class Analytics:
    """Streams of people, stage histories and follow-ups for the funnel report."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def people(self, scope: Scope = _EVERYONE) -> Iterator[PersonFacts]:
        """Every person in `scope` with a linked record, with their records, by id."""
        first_change = (
            select(func.min(stage_history.c.at))
            .where(stage_history.c.person_id == people.c.id)
            .scalar_subquery()
        )
        query = (
            select(
                people.c.id,
                people.c.email,
                people.c.stage,
                people.c.stage_entered_at,
                people.c.owner,
                people.c.profile,
                people.c.grade,
                people.c.review,
                first_change.label("first_change"),
                record_links.c.crm,
                record_links.c.snapshot["source"].as_string().label("source"),
                record_links.c.snapshot["created_at"].as_string().label("created_at"),
                record_values.c.last_read["temperature"].as_string().label("temperature"),
                record_values.c.read_at,
            )
            .select_from(
                people.join(record_links, record_links.c.person_id == people.c.id).outerjoin(
                    record_values, same_record(record_links, record_values)
                )
            )
            .where(*scope.conditions())
            .order_by(people.c.id, record_links.c.crm, record_links.c.object_type, record_links.c.record_id)
            .execution_options(yield_per=_BATCH)
        )
        with self._engine.connect() as conn:
            for _, rows in groupby(conn.execute(query), key=lambda row: row.id):
                yield _person_facts(list(rows))

    def stage_histories(
        self, *, until: datetime, scope: Scope = _EVERYONE
    ) -> Iterator[tuple[StageChange, ...]]:
        """Each person's (in `scope`) stage changes up to `until`, oldest first, one person at a time."""
        query = (
            _in_scope(select(stage_history), scope)
            .where(stage_history.c.at <= until)
            .order_by(stage_history.c.person_id, stage_history.c.at, stage_history.c.id)
            .execution_options(yield_per=_BATCH)
        )
        with self._engine.connect() as conn:
            for _, rows in groupby(conn.execute(query), key=lambda row: row.person_id):
                yield tuple(stage_change_of(row) for row in rows)

    def follow_ups(
        self, stage: Stage, kinds: Collection[str], *, until: datetime, scope: Scope = _EVERYONE
    ) -> Iterator[StageFollowUp]:
        """People in `scope` now in `stage` (entered by `until`), their first `kinds` activity since."""
        first = func.min(activities.c.occurred_at)
        query = (
            select(people.c.email, people.c.stage_entered_at, people.c.owner, first.label("first"))
            .select_from(
                people.join(record_links, record_links.c.person_id == people.c.id).outerjoin(
                    activities,
                    and_(
                        same_record(record_links, activities, right_prefix="person_"),
                        activities.c.kind.in_(sorted(kinds)),
                        activities.c.occurred_at >= people.c.stage_entered_at,
                        activities.c.occurred_at <= until,
                    ),
                )
            )
            .where(people.c.stage == stage.value, people.c.stage_entered_at <= until, *scope.conditions())
            .group_by(people.c.id, people.c.email, people.c.stage_entered_at, people.c.owner)
            .order_by(people.c.id)
            .execution_options(yield_per=_BATCH)
        )
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                yield StageFollowUp(row.email, row.stage_entered_at, row.owner, row.first)

    def entries_by_day(
        self, *, since: datetime | None, until: datetime, scope: Scope = _EVERYONE
    ) -> Iterator[tuple[str, date, int]]:
        """Entries into each stage per UTC day from `since` (None: all time) to `until`, counted in SQL."""
        day = self._utc_day(stage_history.c.at).label("day")
        query = _in_scope(select(stage_history.c.to_stage, day, func.count().label("entries")), scope).where(
            stage_history.c.at <= until
        )
        if since is not None:
            query = query.where(stage_history.c.at >= since)
        query = query.group_by(stage_history.c.to_stage, day).order_by(day, stage_history.c.to_stage)
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                yield row.to_stage, _day(row.day), row.entries

    def funnel_entries(
        self, ranks: Mapping[str, int], *, until: datetime, scope: Scope = _EVERYONE
    ) -> Iterator[tuple[datetime, int | None]]:
        """Per person in `scope`: their first stage change by `until`, and the highest of `ranks`
        their changes reached by then (None: only stages outside `ranks`), aggregated in SQL."""
        rank = case(dict(ranks), value=stage_history.c.to_stage)
        query = (
            _in_scope(
                select(func.min(stage_history.c.at).label("first"), func.max(rank).label("furthest")), scope
            )
            .where(stage_history.c.at <= until)
            .group_by(stage_history.c.person_id)
            .execution_options(yield_per=_BATCH)
        )
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                yield row.first, row.furthest

    def records_held(self, scope: Scope) -> Counter[tuple[str, str, str]]:
        """Records per (CRM, stage, temperature) as last read or written, of the people in `scope`
        (and only the scope's CRM, when it names one), counted in SQL."""
        stage = func.coalesce(record_values.c.last_read["stage"].as_string(), "none").label("stage")
        temperature = func.coalesce(record_values.c.last_read["temperature"].as_string(), "none")
        query = (
            select(
                record_values.c.crm, stage, temperature.label("temperature"), func.count().label("records")
            )
            .select_from(
                record_values.join(record_links, same_record(record_links, record_values)).join(
                    people, people.c.id == record_links.c.person_id
                )
            )
            .where(*scope.conditions())
            .group_by(record_values.c.crm, stage, temperature)
        )
        if scope.crm is not None:
            query = query.where(record_values.c.crm == scope.crm)
        with self._engine.connect() as conn:
            return Counter(
                {(row.crm, row.stage, row.temperature): row.records for row in conn.execute(query)}
            )

    def owners(self) -> list[str]:
        """The owners of at least one person, by name."""
        query = select(people.c.owner).where(people.c.owner.is_not(None)).distinct().order_by(people.c.owner)
        with self._engine.connect() as conn:
            return list(conn.scalars(query))

    def crms(self) -> list[str]:
        """The CRMs holding at least one linked record, by name."""
        with self._engine.connect() as conn:
            return list(conn.scalars(select(record_links.c.crm).distinct().order_by(record_links.c.crm)))

    def _utc_day(self, at: ColumnElement[datetime]) -> ColumnElement[Any]:
        """The UTC day of a stored time: SQLite holds UTC text, PostgreSQL a timestamptz."""
        if self._engine.dialect.name == "postgresql":
            return func.date(func.timezone("UTC", at))
        return func.date(at)


def _in_scope(query: Select[Any], scope: Scope) -> Select[Any]:
    """`query` over stage_history, kept to the people in `scope`."""
    conditions = scope.conditions()
    if not conditions:
        return query
    return query.where(stage_history.c.person_id.in_(select(people.c.id).where(*conditions)))


def _day(value: object) -> date:
    """A SQL date (SQLite: ISO text) as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _person_facts(rows: list[Row[*tuple[Any, ...]]]) -> PersonFacts:
    head = rows[0]
    return PersonFacts(
        id=PersonId(head.id),
        email=head.email,
        stage=None if head.stage is None else Stage(head.stage),
        stage_entered_at=head.stage_entered_at,
        owner=head.owner,
        first_stage_change_at=head.first_change,
        records=tuple(
            RecordFacts(
                crm=row.crm,
                source=row.source or "",
                created_at=_utc(row.created_at),
                temperature=row.temperature,
                read_at=row.read_at,
            )
            for row in rows
        ),
        profile=head.profile,
        grade=head.grade,
        review=head.review,
    )


def _utc(stamp: str | None) -> datetime | None:
    """A snapshot's ISO stamp (msgspec writes UTC with a "Z") as an aware UTC datetime."""
    return None if stamp is None else datetime.fromisoformat(stamp).astimezone(UTC)
