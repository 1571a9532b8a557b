"""Per-CRM and per-field write switches: a phased roll-out writes only what is switched on."""

from __future__ import annotations

from tests.engine.conftest import MakePipeline


def test_a_crm_switched_off_is_read_but_never_written(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(crm={"hubspot": {"write": False}})

    report = pipeline.sync()

    assert report.crms["hubspot"].read > 0
    assert report.crms["hubspot"].planned == report.crms["hubspot"].write_calls == 0
    assert pipeline.hubspot.calls.count("POST", "contacts batch/update") == 0
    assert report.crms["salesforce"].writes > 0


def test_only_the_fields_switched_on_are_written(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(crm={"salesforce": {"write_fields": ["score"]}})

    report = pipeline.sync()

    assert set(report.crms["salesforce"].changed) == {"score"}
    written = {e.field for e in pipeline.store.audit.of_run(report.run_id) if e.ref.crm == "salesforce"}
    assert written == {"score"}
    assert {"stage", "temperature"} <= set(report.crms["hubspot"].changed)
