from __future__ import annotations

from datetime import timedelta

from leadsync.model import RecordRef, Stage
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
HUBSPOT = RecordRef("hubspot", "contact", "901")


def test_unknown_records_have_no_values(store):
    assert store.values.of([LEAD]) == {}


def test_last_read_and_last_written_values_round_trip_typed(store):
    entered = T0 - timedelta(days=2)
    store.values.remember_read({LEAD: {"stage": "lead", "score": 10}}, at=T0)
    store.values.remember_written(
        {LEAD: {"stage": Stage.MQL, "score": 42, "stage_entered_at": entered, "reasons": ("fit", "demo")}},
        at=T0 + timedelta(seconds=1),
    )

    values = store.values.of([LEAD, HUBSPOT])[LEAD]
    assert dict(values.last_read) == {"stage": "lead", "score": 10}
    assert values.read_at == T0
    assert dict(values.last_written) == {
        "stage": "mql",
        "score": 42,
        "stage_entered_at": entered,
        "reasons": ("fit", "demo"),
    }
    assert values.written_at == T0 + timedelta(seconds=1)
    assert list(store.values.of([LEAD, HUBSPOT])) == [LEAD]


def test_our_own_echo_is_told_from_a_human_change(store):
    store.values.remember_written({LEAD: {"stage": "mql", "owner": "rep@example.com"}}, at=T0)
    store.values.remember_read({LEAD: {"stage": "sql", "owner": "rep@example.com"}}, at=T0)

    values = store.values.of([LEAD])[LEAD]
    assert values.is_echo("owner", "rep@example.com")
    assert not values.is_echo("stage", "sql")  # a human moved the stage since our write
    assert not values.is_echo("score", 3)  # never written by us


def test_later_writes_merge_over_earlier_ones(store):
    store.values.remember_written({LEAD: {"stage": "mql", "score": 40}}, at=T0)
    store.values.remember_written({LEAD: {"score": 55}}, at=T0 + timedelta(minutes=5))
    store.values.remember_read({LEAD: {"stage": "mql", "score": 55}}, at=T0 + timedelta(minutes=6))

    values = store.values.of([LEAD])[LEAD]
    assert dict(values.last_written) == {"stage": "mql", "score": 55}
    assert values.written_at == T0 + timedelta(minutes=5)
    assert values.read_at == T0 + timedelta(minutes=6)
