"""The Salesforce ids Marketo's native Salesforce sync keeps on the seeded leads it syncs.

A lead synced with a Salesforce Lead holds its id in `sfdcLeadId`, one synced with a Contact
in `sfdcContactId` (standard fields, `crmManaged`: list-of-standard-fields.md; api-notes §1
"Incremental people read" lists both as searchable). The sync follows the record, not the
e-mail, so every person of the population in Salesforce gets the id the Salesforce sandbox
mints for them (per object, in the population's order: adapters/salesforce/sandbox/records.py),
a converted lead its Contact's.
"""

from __future__ import annotations

from adapters.salesforce.sandbox.records import synced_ids
from leadsync.testing.seed import Population

__all__ = ["native_sync_ids"]

_FIELDS = {"Lead": "sfdcLeadId", "Contact": "sfdcContactId"}


def native_sync_ids(population: Population) -> dict[int, dict[str, str]]:
    """`sfdcLeadId` / `sfdcContactId` of each person in Salesforce, by seed key."""
    return {key: {_FIELDS[k]: v for k, v in ids.items()} for key, ids in synced_ids(population).items()}
