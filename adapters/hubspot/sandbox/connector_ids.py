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

from adapters.salesforce.sandbox.records import synced_ids
from leadsync.testing.seed import Population

__all__ = ["connector_ids"]

_PROPERTIES = {"Lead": "salesforceleadid", "Contact": "salesforcecontactid"}


def connector_ids(population: Population) -> dict[int, dict[str, str]]:
    """The connector's properties of each person in both CRMs, by seed key."""
    people = {person.key: person for person in population.people}
    return {
        key: {_PROPERTIES[k]: v for k, v in ids.items()}
        for key, ids in synced_ids(population).items()
        # no e-mail for the connector to match when it is invalid
        if people[key].in_hubspot and people[key].dirty != "invalid_email"
    }
