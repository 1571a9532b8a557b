"""Read-only queries for funnel analytics, streamed so a large store is never held in memory."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any, Final

from sqlalchemy import Engine, Row, and_, func, select

from leadsync.model import Stage
from leadsync.store.entries import PersonId, StageChange, same_record
from leadsync.store.history import stage_change_of
from leadsync.store.schema import activities, people, record_links, record_values, stage_history

__all__ = ["Analytics", "PersonFacts", "RecordFacts", "StageFollowUp"]

_BATCH: Final = 2000  # rows per fetch while streaming


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

    def people(self) -> Iterator[PersonFacts]:
        """Every person with a linked record, with their records, by id."""
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
            .order_by(people.c.id, record_links.c.crm, record_links.c.object_type, record_links.c.record_id)
            .execution_options(yield_per=_BATCH)
        )
        with self._engine.connect() as conn:
            for _, rows in groupby(conn.execute(query), key=lambda row: row.id):
                yield _person_facts(list(rows))

    def stage_histories(self, *, until: datetime) -> Iterator[tuple[StageChange, ...]]:
        """Each person's stage changes up to `until`, oldest first, one person at a time."""
        query = (
            select(stage_history)
            .where(stage_history.c.at <= until)
            .order_by(stage_history.c.person_id, stage_history.c.at, stage_history.c.id)
            .execution_options(yield_per=_BATCH)
        )
        with self._engine.connect() as conn:
            for _, rows in groupby(conn.execute(query), key=lambda row: row.person_id):
                yield tuple(stage_change_of(row) for row in rows)

    def follow_ups(self, stage: Stage, kinds: Collection[str], *, until: datetime) -> Iterator[StageFollowUp]:
        """People now in `stage` (entered by `until`) and their first `kinds` activity since entering."""
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
            .where(people.c.stage == stage.value, people.c.stage_entered_at <= until)
            .group_by(people.c.id, people.c.email, people.c.stage_entered_at, people.c.owner)
            .order_by(people.c.id)
            .execution_options(yield_per=_BATCH)
        )
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                yield StageFollowUp(row.email, row.stage_entered_at, row.owner, row.first)

    def crms(self) -> list[str]:
        """The CRMs holding at least one linked record, by name."""
        with self._engine.connect() as conn:
            return list(conn.scalars(select(record_links.c.crm).distinct().order_by(record_links.c.crm)))


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
