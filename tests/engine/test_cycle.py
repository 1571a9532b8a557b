"""A full cycle against both sandboxes with the real clients, then a quiet one."""

from __future__ import annotations

import math

from leadsync.model import RecordRef
from leadsync.store import RunStatus
from tests.engine.conftest import Pipeline


def _crm_values(pipeline: Pipeline, ref: RecordRef) -> dict[str, object]:
    """What the sandbox now holds in the record's managed fields, read by the real adapter."""
    adapter = next(c.adapter for c in pipeline.engine().connections if c.name == ref.crm)
    return dict(next(iter(adapter.read_current([ref]))).values)


def test_the_first_cycle_writes_full_batches_and_the_values_land_in_both_crms(pipeline: Pipeline) -> None:
    report = pipeline.sync()

    assert report.status is RunStatus.SUCCEEDED
    for name, figures in report.crms.items():
        assert figures.writes > 0, name
        assert figures.failed == 0, figures.errors
        assert (
            figures.write_calls
            == figures.write_calls_min
            == math.ceil(figures.writes / (200 if name == "salesforce" else 100))
        )
    audit = pipeline.store.audit.of_run(report.run_id)
    assert {e.ref.crm for e in audit} == {"salesforce", "hubspot"}
    for entry in audit[:: max(1, len(audit) // 40)]:  # a spread of what was written, read back from the CRM
        assert _crm_values(pipeline, entry.ref)[entry.field] == entry.new


def test_a_person_in_both_crms_gets_the_same_values_and_activities_count_once(pipeline: Pipeline) -> None:
    pipeline.sync()
    person = pipeline.store.links.person_in_several_crms()
    assert person is not None
    refs = pipeline.store.links.records_of(person)
    held = [_crm_values(pipeline, ref) for ref in refs]
    for name in ("stage", "score", "temperature", "owner"):
        assert len({str(values.get(name)) for values in held if name in values}) == 1, (name, held)
    file = pipeline.store.persons.files([person])[0]
    assert len({a.ref for a in file.activities}) == len(file.activities)
    assert {a.crm for a in file.activities} <= {"salesforce", "hubspot"}


def test_the_second_cycle_reads_the_echoes_and_writes_nothing(pipeline: Pipeline) -> None:
    first = pipeline.sync()
    second = pipeline.sync()

    assert second.status is RunStatus.SUCCEEDED
    for name, figures in second.crms.items():
        assert figures.read >= first.crms[name].writes  # our own writes came back
        assert figures.planned == figures.write_calls == figures.writes == 0, name
    assert pipeline.store.audit.of_run(second.run_id) == []
