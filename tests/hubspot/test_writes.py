"""Write-back through the adapter: batches of 100, narrowing a refused batch, 207s, backward moves."""

from __future__ import annotations

import pytest

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.adapter_api import Change, UnmappedFieldError
from leadsync.clock import ManualClock
from leadsync.model import RecordRef
from tests.hubspot.conftest import adapter_for
from tests.sandbox.hubspot_helpers import NOW


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=2000, seed=11, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


def refs(sandbox, first, count):
    return [RecordRef("hubspot", "contacts", i) for i in sandbox.store.ids()[first : first + count]]


def writes(sandbox):
    return sandbox.calls.count(endpoint="contacts batch/update")


def test_clean_batches_take_ceil_n_over_100_calls(hubspot):
    changes = [
        Change(ref, {"score": 40 + n % 7, "temperature": "warm"})
        for n, ref in enumerate(refs(hubspot, 0, 250))
    ]
    before = writes(hubspot)
    results = list(adapter_for(hubspot).apply(changes))
    assert writes(hubspot) - before == 3
    assert all(r.ok for r in results)
    assert [r.ref for r in results] == [c.ref for c in changes]
    assert hubspot.store.contact(changes[0].ref.record_id)["leadsync_score"] == "40"


def test_one_bad_record_does_not_stop_the_other_99(hubspot):
    chosen = refs(hubspot, 300, 100)
    hubspot.store.reject_writes(chosen[37].record_id)
    try:
        results = list(adapter_for(hubspot).apply([Change(ref, {"score": 77}) for ref in chosen]))
    finally:
        hubspot.store.accept_writes()
    assert [r.ok for r in results].count(False) == 1
    assert not results[37].ok
    assert results[37].code == "INVALID_OPTION"
    assert all(hubspot.store.contact(r.ref.record_id)["leadsync_score"] == "77" for r in results if r.ok)


def test_per_id_errors_of_a_207_are_mapped(hubspot):
    chosen = [*refs(hubspot, 500, 2), RecordRef("hubspot", "contacts", "999999999")]
    results = list(adapter_for(hubspot).apply([Change(ref, {"score": 5}) for ref in chosen]))
    assert [r.ok for r in results] == [True, True, False]
    assert results[2].code


def test_stage_goes_to_both_properties_and_reads_back(hubspot):
    adapter = adapter_for(hubspot)
    ref = refs(hubspot, 600, 1)[0]
    assert all(r.ok for r in adapter.apply([Change(ref, {"stage": "mql", "owner": None})]))
    values = hubspot.store.contact(ref.record_id)
    assert values["hs_lead_status"] == "OPEN"
    current = list(adapter.read_current([ref]))
    assert current[0].values["stage"] == "mql"


def test_backward_lifecycle_move_clears_then_sets(hubspot):
    adapter = adapter_for(hubspot)
    ref = refs(hubspot, 700, 1)[0]
    hubspot.store.update_as_user(ref.record_id, lifecyclestage="salesqualifiedlead")
    results = list(adapter.apply([Change(ref, {"stage": "lead"}, previous={"stage": "sql"})]))
    assert results[0].ok
    assert hubspot.store.contact(ref.record_id)["lifecyclestage"] == "lead"


def test_owner_is_written_as_the_owner_id(hubspot):
    adapter = adapter_for(hubspot)
    owner = next(o for o in adapter.owners() if o.active)
    ref = refs(hubspot, 800, 1)[0]
    assert all(r.ok for r in adapter.apply([Change(ref, {"owner": owner.email})]))
    assert hubspot.store.contact(ref.record_id)["hubspot_owner_id"] == owner.crm_ids["hubspot"]
    assert next(iter(adapter.read_current([ref]))).values["owner"] == owner.email


def test_an_unmapped_value_is_refused_and_nothing_is_sent(hubspot):
    before = writes(hubspot)
    changes = [Change(ref, {"score": 1}) for ref in refs(hubspot, 900, 3)]
    changes.append(Change(refs(hubspot, 903, 1)[0], {"reasons": "pricing x3"}))  # not mapped by default
    with pytest.raises(UnmappedFieldError):
        adapter_for(hubspot).apply(changes)
    assert writes(hubspot) == before


def test_every_stage_and_temperature_reads_back_as_written(hubspot):
    adapter = adapter_for(hubspot)
    stages = ("lead", "mql", "sql", "opportunity", "customer", "nurture", "disqualified")
    chosen = refs(hubspot, 1000, len(stages))
    list(adapter.read_current(chosen))  # HubSpot's lifecycle stages: a backward move clears first
    temperatures = ("cold", "warm", "hot")
    changes = [
        Change(ref, {"stage": stage, "temperature": temperatures[n % 3]})
        for n, (ref, stage) in enumerate(zip(chosen, stages, strict=True))
    ]
    assert all(r.ok for r in adapter.apply(changes))
    current = {c.ref: c for c in adapter.read_current(chosen)}
    assert [current[ref].values["stage"] for ref in chosen] == list(stages)
    assert [current[ref].values["temperature"] for ref in chosen] == [temperatures[n % 3] for n in range(7)]


def test_a_state_two_stages_write_alike_reads_as_the_first_with_the_other_as_alternative(hubspot):
    ref = refs(hubspot, 1100, 1)[0]
    hubspot.store.update_as_user(ref.record_id, lifecyclestage="customer", hs_lead_status="UNQUALIFIED")
    current = next(iter(adapter_for(hubspot).read_current([ref])))
    assert current.values["stage"] == "customer"
    assert current.alternatives == {"stage": ("disqualified",)}
