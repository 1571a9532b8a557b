"""A sync converges: once the echoes of its own writes are read, a cycle writes nothing.

The 100,000-person benchmark's settle cycle still wrote 11 owners per CRM: people whose stage
was set by hand to disqualified in Salesforce and to customer in HubSpot. leadsync wrote
disqualified to HubSpot's lead status (the lifecycle stage cannot hold it and stays customer),
then read that contact back as customer, took its own write for a human's change, moved the
person to customer and handed them an owner.
"""

from __future__ import annotations

from typing import Final

from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store import PersonFile
from tests.engine.conftest import MakePipeline, Pipeline

_DISQUALIFIED_LEAD: Final = "Closed - Not Converted"


def _lead_in_both(pipeline: Pipeline) -> tuple[str, str]:
    """An open (unconverted) Salesforce Lead's id and the id of the HubSpot contact with its e-mail.

    A converted Lead is its Contact's past, not a stage anyone still sets: the seed has some.
    """
    contacts = {
        str((pipeline.hubspot.store.contact(i) or {}).get("email", "")).lower(): i
        for i in pipeline.hubspot.store.ids()
    }
    return next(
        (str(lead["Id"]), contacts[str(lead["Email"]).lower()])
        for lead in pipeline.salesforce.store.records("Lead")
        if not lead.get("IsConverted") and str(lead.get("Email") or "").lower() in contacts
    )


def _file(pipeline: Pipeline, ref: RecordRef) -> PersonFile:
    person = pipeline.store.links.person_of(ref)
    assert person is not None
    return pipeline.store.persons.files([person])[0]


def _disqualified_in_salesforce_customer_in_hubspot(pipeline: Pipeline) -> RecordRef:
    """One person set by hand to disqualified in Salesforce and to customer in HubSpot; their contact."""
    lead, contact = _lead_in_both(pipeline)
    user = next(str(u["Email"]) for u in pipeline.salesforce.store.records("User") if u["IsActive"])
    pipeline.salesforce.store.update_as_user("Lead", lead, user, Status=_DISQUALIFIED_LEAD)
    pipeline.hubspot.store.update_as_user(contact, lifecyclestage="customer", hs_lead_status="CONNECTED")
    return RecordRef("hubspot", "contacts", contact)


def test_a_stage_hubspot_cannot_show_apart_is_read_back_as_leadsyncs_own(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=40)
    hubspot = _disqualified_in_salesforce_customer_in_hubspot(pipeline)

    first = pipeline.sync()
    decided = _file(pipeline, hubspot).state
    assert decided.stage is Stage.DISQUALIFIED  # the more decided stage wins
    written = {e.field: e.new for e in pipeline.store.audit.of_run(first.run_id) if e.ref == hubspot}
    assert written["stage"] == "disqualified"
    held = pipeline.hubspot.store.contact(hubspot.record_id) or {}
    assert (held["lifecyclestage"], held["hs_lead_status"]) == ("customer", "UNQUALIFIED")
    adapter = next(c.adapter for c in pipeline.engine().connections if c.name == "hubspot")
    (current,) = adapter.read_current([hubspot])
    assert (current.values["stage"], current.alternatives) == ("customer", {"stage": ("disqualified",)})
    # Both CRMs' human stages were read in one cycle, side by side: HubSpot's may have come first.
    before = pipeline.store.stage_history.of_person(decided.id)
    assert [(c.to_stage, c.set_by) for c in before][-1] == (Stage.DISQUALIFIED, SetBy.HUMAN)

    settle = pipeline.sync()  # reads the echoes of the first cycle's writes

    assert [(e.ref, e.field, e.old, e.new) for e in pipeline.store.audit.of_run(settle.run_id)] == []
    file = _file(pipeline, hubspot)
    assert (file.state.stage, file.state.owner) == (Stage.DISQUALIFIED, decided.owner)
    assert pipeline.store.stage_history.of_person(file.state.id) == before  # no echo taken for a change
    quiet = pipeline.sync()
    assert sum(f.writes for f in quiet.crms.values()) == 0


def test_a_human_change_that_leaves_one_reading_is_still_taken(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=40)
    hubspot = _disqualified_in_salesforce_customer_in_hubspot(pipeline)
    pipeline.sync()
    pipeline.sync()
    pipeline.hubspot.store.update_as_user(hubspot.record_id, hs_lead_status="CONNECTED")  # reads as customer

    pipeline.sync()

    file = _file(pipeline, hubspot)
    last = pipeline.store.stage_history.of_person(file.state.id)[-1]
    assert (file.state.stage, last.set_by, last.reason) == (Stage.CUSTOMER, SetBy.HUMAN, f"set in {hubspot}")
