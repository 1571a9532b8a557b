"""Small pieces of pipeline state: cursors, re-evaluation times, round robin, definitions version."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Engine, Row, delete, select, update

from leadsync.model import Cursor
from leadsync.store.entries import PersonId
from leadsync.store.schema import cursors, people, round_robin, settings
from leadsync.store.upsert import upsert

__all__ = [
    "Cursors",
    "DefinitionsVersion",
    "Reevaluation",
    "RoundRobinPositions",
    "cursor_from_row",
    "cursor_row",
]

PEOPLE: Final = "people"
_DEFINITIONS_VERSION: Final = "definitions_version"


def cursor_row(crm: str, stream: str, cursor: Cursor) -> dict[str, object]:
    """The `cursors` row that stores `cursor` for one CRM's stream."""
    return {"crm": crm, "stream": stream, "stamp": cursor.stamp, "record_id": cursor.record_id}


def cursor_from_row(row: Row[tuple[object, ...]]) -> Cursor:
    """The cursor a `cursors` row stores."""
    return Cursor(row.stamp, row.record_id)


class Cursors:
    """Where each CRM's incremental reads resume, per stream (people, activities)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, crm: str, stream: str = PEOPLE) -> Cursor | None:
        """The committed cursor, or None before the first committed cycle."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(cursors).where(cursors.c.crm == crm, cursors.c.stream == stream)
            ).one_or_none()
        return None if row is None else cursor_from_row(row)

    def commit(self, crm: str, cursor: Cursor, stream: str = PEOPLE) -> None:
        """Move the cursor; call only once the cycle's writes and audit are stored."""
        with self._engine.begin() as conn:
            upsert(conn, cursors, [cursor_row(crm, stream, cursor)], update=("stamp", "record_id"))


class Reevaluation:
    """When each person must be evaluated again even if nothing changes (decay, SLA, nurture)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def set(self, person: PersonId, at: datetime | None) -> None:
        """Re-evaluate `person` at `at`; None clears the timer."""
        with self._engine.begin() as conn:
            conn.execute(update(people).where(people.c.id == person).values(reevaluate_at=at))

    def due(self, before: datetime, *, limit: int = 1000) -> list[PersonId]:
        """Up to `limit` people due strictly before `before`, earliest first."""
        with self._engine.connect() as conn:
            rows = conn.scalars(
                select(people.c.id)
                .where(people.c.reevaluate_at < before)
                .order_by(people.c.reevaluate_at, people.c.id)
                .limit(limit)
            )
            return [PersonId(value) for value in rows]


class RoundRobinPositions:
    """The next position to serve in each territory's pool; fair across restarts (stored with the
    people whose owners were drawn: `Persons.update`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self) -> dict[str, int]:
        """Every territory's next position."""
        with self._engine.connect() as conn:
            return {row.territory: row.position for row in conn.execute(select(round_robin))}


class DefinitionsVersion:
    """The hash of the definitions the last cycle applied; a change re-evaluates everyone."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self) -> str | None:
        """The stored version, or None before the first cycle."""
        with self._engine.connect() as conn:
            value = conn.scalar(select(settings.c.value).where(settings.c.key == _DEFINITIONS_VERSION))
        return None if value is None else str(value)

    def set(self, version: str) -> None:
        """Store the version now applied."""
        with self._engine.begin() as conn:
            upsert(conn, settings, [{"key": _DEFINITIONS_VERSION, "value": version}], update=("value",))

    def clear(self) -> None:
        """Forget the stored version: the next cycle re-evaluates everyone."""
        with self._engine.begin() as conn:
            conn.execute(delete(settings).where(settings.c.key == _DEFINITIONS_VERSION))
