"""Activities kept in the state store come back exactly as they were read, epoch included."""

from __future__ import annotations

from datetime import timedelta

from leadsync.model import Activity, ActivityKind, Person, RecordRef, epoch_of
from leadsync.store import Store
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
KINDS = (ActivityKind.DEMO_REQUEST, ActivityKind.PAGE_VIEW, ActivityKind.CALL)


def _task(i: int) -> RecordRef:
    return RecordRef("salesforce", "Task", f"00T{i}")


def test_activities_come_back_with_the_epoch_they_were_saved_with(store: Store) -> None:
    at = [T0 - timedelta(days=i, microseconds=i) for i in range(len(KINDS))]
    saved = [Activity(_task(i), LEAD, kind, at[i]) for i, kind in enumerate(KINDS)]
    person = store.persons.save_records([Person(LEAD, "ada@acme.example")])[LEAD]
    store.persons.save_activities(saved)

    (file,) = store.persons.files([person])

    assert sorted(file.activities, key=lambda a: a.occurred_at) == sorted(saved, key=lambda a: a.occurred_at)
    assert [a.epoch for a in file.activities] == [epoch_of(a.occurred_at) for a in file.activities]


def test_a_re_read_activity_moves_its_epoch_with_its_time(store: Store) -> None:
    person = store.persons.save_records([Person(LEAD, "ada@acme.example")])[LEAD]
    store.persons.save_activities([Activity(_task(1), LEAD, ActivityKind.CALL, T0)])
    store.persons.save_activities([Activity(_task(1), LEAD, ActivityKind.CALL, T0 + timedelta(hours=2))])

    (file,) = store.persons.files([person])

    assert [a.epoch for a in file.activities] == [epoch_of(T0) + 7_200.0]
