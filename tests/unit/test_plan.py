from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leadsync.adapter_api import Change
from leadsync.model import RecordRef
from leadsync.plan import plan_changes

A, B = RecordRef("crm", "Lead", "a"), RecordRef("crm", "Lead", "b")


def test_only_differing_values_are_written() -> None:
    desired = {A: {"stage": "mql", "score": 40}, B: {"stage": "lead", "score": 10}}
    current = {A: {"stage": "lead", "score": 40}, B: {"stage": "lead", "score": 10}}
    assert plan_changes(desired, current) == [Change(A, {"stage": "mql"}, {"stage": "lead"})]


def test_a_record_the_crm_does_not_return_gets_every_value() -> None:
    assert plan_changes({A: {"score": 5}}, {}) == [Change(A, {"score": 5}, {"score": None})]


values = st.dictionaries(st.sampled_from(["stage", "score", "temperature", "owner"]), st.integers(0, 3))
states = st.dictionaries(st.sampled_from([A, B]), values)


@given(states, states)
def test_planning_again_after_applying_a_plan_yields_nothing(desired, current) -> None:
    applied = {ref: dict(held) for ref, held in current.items()}
    for change in plan_changes(desired, current):
        applied.setdefault(change.ref, {}).update(change.values)
    assert plan_changes(desired, applied) == []
