"""The Salesforce ids the Marketo sandbox's native sync keeps name the same people's Salesforce records."""

from __future__ import annotations

from adapters.marketo.sandbox import MarketoSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import ManualClock

from .conftest import NOW


def test_the_ids_name_the_salesforce_records_of_the_same_people() -> None:
    clock = ManualClock(NOW)
    with (
        SalesforceSandbox(150, seed=5, clock=clock, seeded_at=NOW) as salesforce,
        MarketoSandbox(150, seed=5, clock=clock, seeded_at=NOW) as marketo,
    ):
        held = 0
        for lead in marketo.leads.values():
            for sobject, name in (("Contact", "sfdcContactId"), ("Lead", "sfdcLeadId")):
                if lead.get(name):
                    record = salesforce.store.get(sobject, lead[name])
                    assert record is not None, f"{lead['id']}: no {sobject} {lead[name]}"
                    assert str(record["Email"]).strip().lower() == str(lead["email"]).strip().lower()
                    held += 1
        assert held > 20
