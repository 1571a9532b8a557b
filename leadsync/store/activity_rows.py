"""Activities as the state store keeps them: saved, recognised when read again, loaded per person."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Final

from sqlalchemy import Connection, select

from leadsync.model import Activity, RecordRef
from leadsync.store.entries import PersonId, refs_in
from leadsync.store.schema import activities
from leadsync.store.upsert import upsert

__all__ = ["activities_of", "unseen_activities", "upsert_activities"]

_COLUMNS: Final = (
    activities.c.crm,
    activities.c.object_type,
    activities.c.record_id,
    activities.c.person_crm,
    activities.c.person_object_type,
    activities.c.person_record_id,
    activities.c.kind,
    activities.c.occurred_epoch,
    activities.c.detail,
)
"""An activity's whole identity, in this order (what a re-read must match to be known)."""


def upsert_activities(conn: Connection, items: Sequence[Activity]) -> None:
    """Keep these activities; a re-read one replaces itself."""
    rows: list[dict[str, object]] = [
        {
            "crm": a.ref.crm,
            "object_type": a.ref.object_type,
            "record_id": a.ref.record_id,
            "person_crm": a.person.crm,
            "person_object_type": a.person.object_type,
            "person_record_id": a.person.record_id,
            "kind": a.kind.value,
            "occurred_at": a.occurred_at,
            "detail": a.detail,
            "occurred_epoch": a.epoch,
        }
        for a in items
    ]
    changing = ("person_crm", "person_object_type", "person_record_id", "kind", "occurred_at", "detail")
    upsert(conn, activities, rows, update=(*changing, "occurred_epoch"))


def unseen_activities(conn: Connection, items: Sequence[Activity]) -> list[Activity]:
    """The activities not kept already just as they are."""
    kept: set[tuple[object, ...]] = set()
    for where in refs_in(activities, [a.ref for a in items]):
        kept.update(tuple(row) for row in conn.execute(select(*_COLUMNS).where(where)))
    return [a for a in items if _identity(a) not in kept]


def activities_of(conn: Connection, refs: Mapping[RecordRef, PersonId]) -> dict[PersonId, list[Activity]]:
    """The kept activities of these records, by the person each record belongs to, oldest first."""
    found: dict[PersonId, list[Activity]] = defaultdict(list)
    by_key = {
        (ref.crm, ref.object_type, ref.record_id): ref for ref in refs
    }  # a look-up, not a new ref a row
    for where in refs_in(activities, sorted(refs), prefix="person_"):
        query = (
            select(*_COLUMNS, activities.c.occurred_at)
            .where(where)
            .order_by(activities.c.occurred_at, activities.c.record_id)
        )
        for crm, object_type, record_id, *person_key, kind, epoch, detail, occurred_at in conn.execute(query):
            person = by_key[tuple(person_key)]
            found[refs[person]].append(
                Activity(RecordRef(crm, object_type, record_id), person, kind, occurred_at, detail, epoch)
            )
    return found


def _identity(a: Activity) -> tuple[object, ...]:
    """An activity as `_COLUMNS` hold it."""
    return (
        a.ref.crm, a.ref.object_type, a.ref.record_id, a.person.crm, a.person.object_type,
        a.person.record_id, a.kind.value, a.epoch, a.detail,
    )  # fmt: skip
