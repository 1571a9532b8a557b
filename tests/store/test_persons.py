"""Saving records read again marks due only the people whose records changed."""

from __future__ import annotations

from datetime import timedelta

from leadsync.model import Person, RecordRef
from leadsync.store import PersonUpdate, Store
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")


def _settled(store: Store, person: Person) -> None:
    """Save `person` and evaluate them: no one is due."""
    (person_id,) = store.persons.save_records([person]).values()
    store.persons.update([PersonUpdate(person_id, None, None, None, None, reevaluate_at=None)])
    assert store.persons.due(T0) == []


def test_the_echo_of_our_write_marks_no_one_due(store: Store) -> None:
    read = Person(LEAD, "ada@acme.example", title="CEO", updated_at=T0)
    _settled(store, read)

    store.persons.save_records(
        [Person(LEAD, "ada@acme.example", title="CEO", updated_at=T0 + timedelta(hours=1))]
    )

    assert store.persons.due(T0) == []


def test_a_record_read_different_marks_its_person_due(store: Store) -> None:
    _settled(store, Person(LEAD, "ada@acme.example", title="CEO", updated_at=T0))

    linked = store.persons.save_records([Person(LEAD, "ada@acme.example", title="CTO", updated_at=T0)])

    assert store.persons.due(T0) == [linked[LEAD]]
