"""The Salesforce ids Marketo's native Salesforce sync keeps on the seeded leads it syncs.

A lead synced with a Salesforce Lead holds its id in `sfdcLeadId`, one synced with a Contact
in `sfdcContactId` (standard fields, `crmManaged`: list-of-standard-fields.md; api-notes §1
"Incremental people read" lists both as searchable). The sync follows the record, not the
e-mail, so every person of the population in Salesforce gets the id the Salesforce sandbox
mints for them (per object, in the population's order: adapters/salesforce/sandbox/records.py),
a converted lead its Contact's.
"""

from __future__ import annotations

from adapters.salesforce.sandbox.records import Mint
from leadsync.testing.seed import Population

__all__ = ["native_sync_ids"]


def native_sync_ids(population: Population) -> dict[int, dict[str, str]]:
    """`sfdcLeadId` / `sfdcContactId` of each person in Salesforce, by seed key."""
    mint = Mint()
    found: dict[int, dict[str, str]] = {}
    for person in population.people:
        if not person.in_salesforce:
            continue
        kind, synced = person.salesforce_object, {}
        if kind in ("Contact", "ConvertedLead"):
            synced["sfdcContactId"] = mint("Contact")
        if kind in ("Lead", "ConvertedLead"):
            lead = mint("Lead")  # a converted Lead's id is minted all the same
            if kind == "Lead":
                synced["sfdcLeadId"] = lead
        found[person.key] = synced
    return found
