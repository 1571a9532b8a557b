"""A vendor's own sync between two CRMs: each field it carries is written in its system of
record only, so leadsync and HubSpot's Salesforce connector never write it back and forth."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from leadsync.config import load_config
from leadsync.exceptions import ConfigError
from leadsync.model import SetBy
from leadsync.store import StageChange
from leadsync.systems_of_record import NativeSync, SystemsOfRecord
from tests.engine.conftest import MakePipeline, Pipeline
from tests.engine.native_connector import FieldMap, SalesforceConnector

CONNECTOR: dict[str, Any] = {
    "name": "HubSpot's Salesforce connector",
    "between": ["hubspot", "salesforce"],
    "system_of_record": {"stage": "salesforce", "owner": "salesforce"},
}
# The admin's value maps in the connector: made in HubSpot's settings, not leadsync's, and
# not the same as leadsync's (a worked lead is "IN_PROGRESS" there, "OPEN" in hubspot.toml).
CONNECTOR_FIELDS = (
    FieldMap(
        {"Lead": "Status"},
        "hs_lead_status",
        {
            "Open - Not Contacted": "NEW",
            "Working - Contacted": "IN_PROGRESS",
            "Qualified": "OPEN_DEAL",
            "Nurturing": "BAD_TIMING",
            "Closed - Not Converted": "UNQUALIFIED",
        },
    ),
    FieldMap(
        {"Lead": "Status", "Contact": "LeadSync_Stage__c"},
        "lifecyclestage",
        {"Working - Contacted": "salesqualifiedlead", "Qualified": "opportunity", "Customer": "customer"},
    ),
)
CARRIED = ("lifecyclestage", "hs_lead_status", "hubspot_owner_id")
NO_GUARD = {"max_changes": 0, "max_share": 0}


def _contacts(pipeline: Pipeline) -> dict[str, dict[str, str]]:
    store = pipeline.hubspot.store
    return {contact: store.contact(contact) or {} for contact in store.ids()}


def _in_salesforce(pipeline: Pipeline) -> set[str]:
    store = pipeline.salesforce.store
    return {
        str(r["Email"]).lower()
        for sobject in ("Lead", "Contact")
        for r in store.records(sobject)
        if r["Email"] and not r["IsDeleted"]
    }


def _connected(make_pipeline: MakePipeline, *, native_sync: bool) -> tuple[Pipeline, SalesforceConnector]:
    pipeline = make_pipeline(guard=NO_GUARD)
    if native_sync:
        pipeline.raw["native_sync"] = [CONNECTOR]
    connector = SalesforceConnector(pipeline.salesforce, pipeline.hubspot, pipeline.clock, CONNECTOR_FIELDS)
    return pipeline, connector


def test_a_field_the_connector_carries_is_written_in_its_system_of_record_only(
    make_pipeline: MakePipeline,
) -> None:
    pipeline, connector = _connected(make_pipeline, native_sync=True)
    before = _contacts(pipeline)
    shared = _in_salesforce(pipeline)

    first = pipeline.sync()

    after = _contacts(pipeline)
    both = [c for c, values in before.items() if values.get("email", "").lower() in shared]
    alone = [c for c, values in before.items() if values.get("email", "").lower() not in shared]
    assert both
    assert alone
    assert all(after[c].get(name) == before[c].get(name) for c in both for name in CARRIED)
    assert any(after[c].get("leadsync_score") != before[c].get("leadsync_score") for c in both)
    assert any(after[c].get("hs_lead_status") != before[c].get("hs_lead_status") for c in alone)
    assert first.crm("salesforce").changed["stage"] > 0

    pipeline.clock.advance(minutes=16)
    assert connector.run() > 0
    copied = pipeline.clock.now()
    second = pipeline.sync()

    assert (second.crm("hubspot").planned, second.crm("salesforce").planned) == (0, 0)
    assert second.crm("hubspot").read > 0  # the connector's edits were read, and left alone
    assert _taken_from_humans(pipeline, copied) == []


def test_without_a_system_of_record_the_connectors_copies_are_taken_for_human_changes(
    make_pipeline: MakePipeline,
) -> None:
    """The hazard the setting removes: the connector's value map is not leadsync's, so its
    copy of a worked lead ("IN_PROGRESS") reads as another stage set by a rep, which leadsync
    then writes back to Salesforce, which the connector copies again."""
    pipeline, connector = _connected(make_pipeline, native_sync=False)
    pipeline.sync()
    pipeline.clock.advance(minutes=16)
    assert connector.run() > 0
    copied = pipeline.clock.now()

    second = pipeline.sync()

    assert second.crm("salesforce").writes > 0
    assert _taken_from_humans(pipeline, copied)


def _taken_from_humans(pipeline: Pipeline, since: datetime) -> list[StageChange]:
    """Stages adopted since `since` as set by a person in a CRM."""
    everything = pipeline.store.stage_history.between(since, pipeline.clock.now() + timedelta(seconds=1))
    return [change for change in everything if change.set_by is SetBy.HUMAN]


def test_a_person_outside_the_system_of_record_is_written_as_usual() -> None:
    systems = SystemsOfRecord([NativeSync.model_validate(CONNECTOR)])

    assert systems.left_to_sync("hubspot", {"hubspot", "salesforce"}) == {"stage", "owner"}
    assert systems.left_to_sync("hubspot", {"hubspot"}) == frozenset()
    assert systems.left_to_sync("salesforce", {"hubspot", "salesforce"}) == frozenset()
    values = {"stage": "mql", "score": 40, "owner": "a@example.com"}
    assert systems.without_carried(values, "hubspot", {"hubspot", "salesforce"}) == {"score": 40}
    assert not SystemsOfRecord()


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        (
            {**CONNECTOR, "between": ["hubspot", "marketo"], "system_of_record": {"stage": "marketo"}},
            "native_sync[1].between",
            "'marketo', which has no [crm.<name>] table",
        ),
        ({**CONNECTOR, "system_of_record": {"stage": "marketo"}}, "native_sync.0", "does not join"),
        (
            {**CONNECTOR, "system_of_record": {"rating": "salesforce"}},
            "native_sync.0.system_of_record",
            "rating",
        ),
        ({**CONNECTOR, "between": ["hubspot", "hubspot"]}, "native_sync.0", "to itself"),
    ],
)
def test_a_bad_native_sync_is_reported_with_its_key(
    tmp_path: Path, table: dict[str, Any], key: str, words: str
) -> None:
    path = tmp_path / "leadsync.toml"
    crm = {"hubspot": {"adapter": "hubspot"}, "salesforce": {"adapter": "salesforce"}}
    path.write_text(tomli_w.dumps({"crm": crm, "native_sync": [table]}), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    found = [p for p in caught.value.problems if p.path == key]
    assert found, [p.render() for p in caught.value.problems]
    assert words in found[0].render()
