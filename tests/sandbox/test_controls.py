"""The sandbox controls the contract suite drives, seen from each CRM's real client, and the kit's parts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput
from hubspot.crm.contacts.exceptions import ApiException, NotFoundException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.events.exceptions import ForbiddenException
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import ManualClock
from leadsync.model import RecordRef
from leadsync.testing import ControlAbsent, Fault, Faults, Sandbox

from .hubspot_helpers import NOW, error_body, search, since_epoch
from .salesforce_helpers import error_codes


@pytest.fixture(scope="module")
def hubspot() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(people=60, seed=3, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def salesforce() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(people=60, seed=3, clock=ManualClock(NOW)) as sandbox:
        yield sandbox


def contact(sandbox: HubSpotSandbox, n: int) -> RecordRef:
    return RecordRef("hubspot", "contacts", sandbox.store.ids()[n])


def update(sandbox: HubSpotSandbox, *ids: str, **properties: str) -> Any:
    inputs = [{"id": i, "properties": properties} for i in ids]
    return sandbox.client().crm.contacts.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(inputs=inputs)
    )


def test_a_deleted_hubspot_contact_leaves_search_and_answers_not_found(hubspot):
    ref = contact(hubspot, 0)
    hubspot.delete(ref)
    client = hubspot.client()
    found = client.crm.contacts.search_api.do_search(search([since_epoch()]))
    assert ref.record_id not in {r.id for r in found.results}
    with pytest.raises(NotFoundException):
        client.crm.contacts.basic_api.get_by_id(ref.record_id)
    answer = update(hubspot, ref.record_id, leadsync_score="3")
    assert [e.category for e in answer.errors] == ["OBJECT_NOT_FOUND"]


def test_an_archived_hubspot_property_is_unlisted_and_refused_until_restored(hubspot):
    client, ref = hubspot.client(), contact(hubspot, 1)
    with hubspot.field_dropped("leadsync_score"):
        names = {p.name for p in client.crm.properties.core_api.get_all("contacts").results}
        assert "leadsync_score" not in names
        with pytest.raises(ApiException) as refused:
            update(hubspot, ref.record_id, leadsync_score="3")
        assert refused.value.status == 400
        assert "PROPERTY_DOESNT_EXIST" in str(error_body(refused.value))
    assert update(hubspot, ref.record_id, leadsync_score="3").status == "COMPLETE"


def test_a_hubspot_portal_below_enterprise_is_refused_the_events_api_then_served_again(hubspot):
    events = hubspot.client().events.events_api
    with hubspot.refusing_optional_stream(), pytest.raises(ForbiddenException):
        events.get_page(object_type="contact", limit=1)
    assert events.get_page(object_type="contact", limit=1).results is not None


def test_a_spent_hubspot_budget_answers_the_daily_429_until_it_ends(hubspot):
    client = hubspot.client()
    with hubspot.budget_spent(), pytest.raises(OwnersApiException) as refused:
        client.crm.owners.owners_api.get_page()
    assert refused.value.status == 429
    assert error_body(refused.value)["policyName"] == "DAILY"
    assert client.crm.owners.owners_api.get_page().results


def test_hubspot_declares_the_controls_it_has_no_equivalent_of(hubspot):
    ref = contact(hubspot, 2)
    with pytest.raises(ControlAbsent, match="private app"):
        hubspot.renewable_settings()
    with pytest.raises(ControlAbsent, match="lastmodifieddate"):
        hubspot.commit_late(ref, NOW)


def test_a_salesforce_field_hidden_by_field_level_security_is_not_described_nor_queried(salesforce):
    sf = salesforce.client()
    with salesforce.field_dropped("LeadSync_Score__c"):
        assert "LeadSync_Score__c" not in {f["name"] for f in sf.Lead.describe()["fields"]}
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.query("SELECT Id, LeadSync_Score__c FROM Contact")
        assert error_codes(refused.value) == ["INVALID_FIELD"]
    assert "LeadSync_Score__c" in {f["name"] for f in sf.Lead.describe()["fields"]}


def test_a_salesforce_object_out_of_the_users_sight_is_refused_and_undescribed(salesforce):
    sf = salesforce.client()
    with salesforce.refusing_optional_stream():
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.query("SELECT Id FROM CampaignMember")
        assert error_codes(refused.value) == ["INVALID_TYPE"]
        assert "CampaignMember" not in {o["name"] for o in sf.describe()["sobjects"]}
        with pytest.raises(SalesforceResourceNotFound):
            sf.CampaignMember.describe()
    assert sf.query("SELECT Id FROM CampaignMember")["done"]


def test_salesforce_write_calls_count_every_save_and_no_read(salesforce):
    sf = salesforce.client()
    before = salesforce.write_calls()
    lead = next(r for r in salesforce.store.records("Lead") if not r["IsConverted"] and not r["IsDeleted"])
    sf.query("SELECT Id FROM Lead LIMIT 1")
    sf.Lead.update(str(lead["Id"]), {"LeadSync_Score__c": 7})
    assert salesforce.write_calls() - before == 1


def test_salesforce_declares_the_control_it_has_no_equivalent_of(salesforce):
    with pytest.raises(ControlAbsent, match="allOrNone"):
        salesforce.refusing_batches_with(RecordRef("salesforce", "Lead", "00Q000000000001AAA"))


def test_withdrawn_faults_are_answered_no_more():
    faults, kept = Faults(), Fault("timeout")
    spent = Fault("rate_limit")
    faults.push(spent, times=3)
    faults.push(kept)
    faults.withdraw(spent)
    assert faults.draw("GET", "/x") is kept
    assert faults.draw("GET", "/x") is None


def test_a_sandbox_that_serves_nothing_says_so():
    class Bare(Sandbox):
        def settings(self) -> dict[str, Any]:
            return {}

    with pytest.raises(RuntimeError, match="must call serve"):
        Bare(clock=ManualClock(NOW), seed=1).start()
