"""The Salesforce ids HubSpot's Salesforce connector keeps on the seeded contacts it syncs.

The connector keeps, on a contact it syncs with a Salesforce record, that record's id:
`salesforcecontactid` or `salesforceleadid` (properties.py says what is known of them). A
contact syncs with the Salesforce Lead or Contact of its e-mail, and after a conversion with
the Contact ("HubSpot will continue to sync with the most recently updated record in
Salesforce with a matching email address, even if that record is converted from a Lead to a
Contact", knowledge.hubspot.com, "Does a HubSpot property need separate field mappings for
leads and contacts?"). So every person in both sandboxes gets the id of their Contact, or of
their Lead if it was not converted (unless the Salesforce record's e-mail is invalid): ids the
Salesforce sandbox mints for the same population (per object, in the population's order:
adapters/salesforce/sandbox/records.py), which tests/engine/test_cross_references.py checks.
"""

from __future__ import annotations

from adapters.salesforce.sandbox.records import Mint
from leadsync.testing.seed import Population

__all__ = ["connector_ids"]


def connector_ids(population: Population) -> dict[int, dict[str, str]]:
    """The connector's properties of each person in both CRMs, by seed key."""
    mint = Mint()
    found: dict[int, dict[str, str]] = {}
    for person in population.people:
        if not person.in_salesforce:
            continue
        kind, synced = person.salesforce_object, {}
        if kind in ("Contact", "ConvertedLead"):
            synced["salesforcecontactid"] = mint("Contact")
        if kind in ("Lead", "ConvertedLead"):
            lead = mint("Lead")  # a converted Lead's id is minted all the same
            if kind == "Lead":
                synced["salesforceleadid"] = lead
        if person.in_hubspot and person.dirty != "invalid_email":  # no e-mail for the connector to match
            found[person.key] = synced
    return found
