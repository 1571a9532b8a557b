"""Consent travels: an opt-out in one CRM reaches the person's other records where a mapping
names the field, is never undone, costs nothing once written, and ends SLA chasing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from leadsync.insights import funnel_report
from leadsync.model import RecordRef, Stage
from leadsync.store import PersonId
from tests.engine.conftest import MakePipeline, Pipeline
from tests.engine.test_behaviour import INTEGRATION_USER

REPO = Path(__file__).resolve().parents[2]
PEOPLE = 40


def _person_in_both(pipeline: Pipeline) -> tuple[PersonId, RecordRef, RecordRef]:
    person = pipeline.store.links.person_in_several_crms()
    assert person is not None
    refs = pipeline.store.links.records_of(person)
    salesforce = next(ref for ref in refs if ref.crm == "salesforce")
    hubspot = next(ref for ref in refs if ref.crm == "hubspot")
    return person, salesforce, hubspot


def _sales_user(pipeline: Pipeline) -> str:
    return next(
        str(user["Email"])
        for user in pipeline.salesforce.store.records("User")
        if user["IsActive"] and str(user["Email"]).lower() != INTEGRATION_USER
    )


def _salesforce_opt_out(pipeline: Pipeline, ref: RecordRef) -> object:
    row = next(r for r in pipeline.salesforce.store.records(ref.object_type) if r["Id"] == ref.record_id)
    return row["HasOptedOutOfEmail"]


def _opt_out_writes(pipeline: Pipeline, run_id: str) -> list[RecordRef]:
    return [e.ref for e in pipeline.store.audit.of_run(run_id) if e.field == "email_opt_out"]


def test_an_opt_out_in_salesforce_unsubscribes_the_person_in_hubspot_once(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(people=PEOPLE)
    first = pipeline.sync()
    assert _opt_out_writes(pipeline, first.run_id) == []  # nobody opted out: nothing written
    _, salesforce, hubspot = _person_in_both(pipeline)
    pipeline.salesforce.store.update_as_user(
        salesforce.object_type, salesforce.record_id, _sales_user(pipeline), HasOptedOutOfEmail=True
    )

    report = pipeline.sync()

    contact = pipeline.hubspot.store.contact(hubspot.record_id)
    assert contact is not None
    assert contact["hs_email_optout"] == "true"
    assert _opt_out_writes(pipeline, report.run_id) == [hubspot]
    assert pipeline.hubspot.calls.count("POST", "unsubscribe-all") == 1
    echo = pipeline.sync()  # the write is read back: the same value, nothing to send
    later = pipeline.sync(minutes=60 * 24)
    assert _opt_out_writes(pipeline, echo.run_id) == _opt_out_writes(pipeline, later.run_id) == []
    assert pipeline.hubspot.calls.count("POST", "unsubscribe-all") == 1


def test_an_unsubscribe_in_hubspot_checks_email_opt_out_in_salesforce(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=PEOPLE)
    pipeline.sync()
    _, salesforce, hubspot = _person_in_both(pipeline)
    contact = pipeline.hubspot.store.contact(hubspot.record_id)
    assert contact is not None
    assert pipeline.hubspot.store.unsubscribe_all(contact["email"])  # the contact's unsubscribe link

    report = pipeline.sync()

    assert _salesforce_opt_out(pipeline, salesforce) is True
    assert _opt_out_writes(pipeline, report.run_id) == [salesforce]
    assert _opt_out_writes(pipeline, pipeline.sync().run_id) == []


def test_consent_is_never_regranted(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=PEOPLE)
    pipeline.sync()
    _, salesforce, hubspot = _person_in_both(pipeline)
    contact = pipeline.hubspot.store.contact(hubspot.record_id)
    assert contact is not None
    pipeline.hubspot.store.unsubscribe_all(contact["email"])
    pipeline.sync()
    user = _sales_user(pipeline)
    pipeline.salesforce.store.update_as_user(
        salesforce.object_type, salesforce.record_id, user, HasOptedOutOfEmail=False
    )

    report = pipeline.sync()

    # HubSpot still says opted out: the person is opted out, and Salesforce is checked again.
    assert _salesforce_opt_out(pipeline, salesforce) is True
    assert _opt_out_writes(pipeline, report.run_id) == [salesforce]
    assert pipeline.hubspot.store.contact(hubspot.record_id)["hs_email_optout"] == "true"  # type: ignore[index]


def test_a_mapping_without_the_field_writes_no_opt_out(make_pipeline: MakePipeline, tmp_path: Path) -> None:
    shipped = (REPO / "mappings" / "hubspot.toml").read_text(encoding="utf-8")
    assert shipped.count('\nemail_opt_out = "hs_email_optout"\n') == 1
    mapping = tmp_path / "hubspot.toml"
    mapping.write_text(shipped.replace('\nemail_opt_out = "hs_email_optout"\n', "\n"), encoding="utf-8")
    pipeline = make_pipeline(people=PEOPLE, crm={"hubspot": {"mapping": str(mapping)}})
    pipeline.sync()
    _, salesforce, hubspot = _person_in_both(pipeline)
    pipeline.salesforce.store.update_as_user(
        salesforce.object_type, salesforce.record_id, _sales_user(pipeline), HasOptedOutOfEmail=True
    )

    report = pipeline.sync()

    assert (pipeline.hubspot.store.contact(hubspot.record_id) or {}).get("hs_email_optout") != "true"
    assert _opt_out_writes(pipeline, report.run_id) == []
    assert pipeline.hubspot.calls.count("POST", "unsubscribe-all") == 0


def test_an_opted_out_sql_is_no_sla_breach(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=PEOPLE)
    pipeline.sync()
    now = pipeline.clock.now() + timedelta(days=30)
    before = funnel_report(pipeline.store, pipeline.definitions, now=now).sla_breaches
    assert before, "the seed has sqls nobody followed up"
    breach = before[0]
    person = pipeline.store.links.person_by_email(breach.email)
    assert person is not None
    assert pipeline.store.persons.states([person])[person].stage is Stage.SQL
    hubspot = next((r for r in pipeline.store.links.records_of(person) if r.crm == "hubspot"), None)
    if hubspot is not None:
        pipeline.hubspot.store.unsubscribe_all(breach.email)
    else:
        ref = pipeline.store.links.records_of(person)[0]
        pipeline.salesforce.store.update_as_user(
            ref.object_type, ref.record_id, _sales_user(pipeline), HasOptedOutOfEmail=True
        )
    pipeline.sync()

    after = funnel_report(pipeline.store, pipeline.definitions, now=now).sla_breaches

    assert breach.email not in {b.email for b in after}
    assert {b.email for b in after} == {b.email for b in before} - {breach.email}
