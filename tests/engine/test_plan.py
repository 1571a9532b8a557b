"""`plan` reads what changed in the CRMs and shows what a cycle would write, writing nothing."""

from __future__ import annotations

from leadsync.model import RecordRef
from tests.engine.conftest import Pipeline


def test_plan_sees_a_fresh_crm_change_and_writes_nothing(pipeline: Pipeline) -> None:
    pipeline.sync()
    person = pipeline.store.links.person_in_several_crms()
    assert person is not None
    hubspot = next(ref for ref in pipeline.store.links.records_of(person) if ref.crm == "hubspot")
    pipeline.hubspot.store.update_as_user(hubspot.record_id, leadsync_score="1")  # a rep's edit
    pipeline.clock.advance(minutes=1)
    updates_before = pipeline.hubspot.calls.count("POST", "contacts batch/update")

    impact = pipeline.engine().plan()

    assert impact.records == {"hubspot": 1}
    assert impact.fields == {"hubspot": {"score": 1}}
    assert impact.samples[0]["record"] == str(hubspot)
    assert impact.samples[0]["changes"]["score"]["from"] == 1
    assert pipeline.hubspot.calls.count("POST", "contacts batch/update") == updates_before
    assert pipeline.store.cursors.get("hubspot") is not None
    report = pipeline.sync(minutes=0)  # the cycle writes what the plan showed
    assert report.crms["hubspot"].changed == {"score": 1}
    assert RecordRef("hubspot", "contacts", hubspot.record_id) in {
        e.ref for e in pipeline.store.audit.of_run(report.run_id)
    }
