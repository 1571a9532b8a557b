from __future__ import annotations

from datetime import timedelta

from leadsync.model import Cursor, RecordRef
from leadsync.store import Store
from leadsync.store.state import cursor_from_row, cursor_row
from tests.store.conftest import T0


def test_cursor_is_none_before_the_first_commit(store):
    assert store.cursors.get("salesforce") is None


def test_committed_cursors_are_read_back_per_crm_and_stream(store):
    store.cursors.commit("salesforce", Cursor(T0, "00Q1"))
    store.cursors.commit("salesforce", Cursor(T0 + timedelta(minutes=5)), stream="activities")
    store.cursors.commit("hubspot", Cursor(T0, "901"))
    store.cursors.commit("salesforce", Cursor(T0 + timedelta(seconds=1), "00Q2"))

    assert store.cursors.get("salesforce") == Cursor(T0 + timedelta(seconds=1), "00Q2")
    assert store.cursors.get("salesforce", "activities") == Cursor(T0 + timedelta(minutes=5))
    assert store.cursors.get("hubspot") == Cursor(T0, "901")


def test_cursor_row_and_back_is_the_identity():
    cursor = Cursor(T0, "00Q1")
    row = cursor_row("salesforce", "people", cursor)
    assert row == {"crm": "salesforce", "stream": "people", "stamp": T0, "record_id": "00Q1"}

    class _Row:
        stamp = T0
        record_id = "00Q1"

    assert cursor_from_row(_Row()) == cursor  # type: ignore[arg-type]


def test_reevaluation_due_before_returns_the_earliest_first(store):
    early = store.links.link(RecordRef("hubspot", "contact", "1"), "early@example.com")
    late = store.links.link(RecordRef("hubspot", "contact", "2"), "late@example.com")
    later = store.links.link(RecordRef("hubspot", "contact", "3"), "later@example.com")
    never = store.links.link(RecordRef("hubspot", "contact", "4"), "never@example.com")
    store.reevaluation.set(late, T0 + timedelta(hours=2))
    store.reevaluation.set(early, T0 + timedelta(hours=1))
    store.reevaluation.set(later, T0 + timedelta(days=3))
    store.reevaluation.set(never, T0)
    store.reevaluation.set(never, None)

    assert store.reevaluation.due(T0 + timedelta(days=1)) == [early, late]
    assert store.reevaluation.due(T0 + timedelta(days=1), limit=1) == [early]
    assert store.reevaluation.due(T0 + timedelta(hours=1)) == []


def test_round_robin_positions_stored_with_people_persist_across_a_restart(store_url):
    with Store.open(store_url) as store:
        assert store.round_robin.load() == {}
        store.persons.update([], round_robin={"emea": 2, "americas": 0})
        store.persons.update([], round_robin={"americas": 1})
    with Store.open(store_url) as restarted:
        assert restarted.round_robin.load() == {"emea": 2, "americas": 1}


def test_definitions_version_is_stored(store):
    assert store.definitions_version.get() is None
    store.definitions_version.set("sha256:abc")
    store.definitions_version.set("sha256:def")
    assert store.definitions_version.get() == "sha256:def"
    store.definitions_version.clear()
    assert store.definitions_version.get() is None
