"""HubSpot's own Salesforce connector, simulated between the two sandboxes.

What the real one does, from HubSpot's knowledge base ("Map HubSpot properties to Salesforce
fields", https://knowledge.hubspot.com/salesforce/map-hubspot-properties-to-salesforce-fields,
updated 2026-03-27): each field mapping has a sync rule; under "Always use Salesforce" a value
in Salesforce always overwrites HubSpot's; the Owner mapping syncs two-way and needs the same
user on both sides ("the Owner field value must be an exact match"). A HubSpot contact syncs
with the Salesforce lead or contact of the same e-mail. The admin maps Salesforce picklist
values to HubSpot options in the connector, independently of leadsync's own value maps.

Simulated here: "Always use Salesforce" for the mapped fields and the owner, for records whose
last change in Salesforce is at least `delay` old (the connector works after a delay), written
into HubSpot as a user would (the contact's stamp moves).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from adapters.salesforce.sandbox.values import parse_stamp
from leadsync.clock import Clock


@dataclass(frozen=True)
class FieldMap:
    """A Salesforce field (per object) copied into a HubSpot property, through a value map."""

    fields: Mapping[str, str]  # sObject -> field, e.g. {"Lead": "Status"}
    property: str
    values: Mapping[str, str]  # Salesforce value -> HubSpot option; others are not copied


@dataclass
class SalesforceConnector:
    """Copies Salesforce values into HubSpot contacts, as HubSpot's connector does."""

    salesforce: SalesforceSandbox
    hubspot: HubSpotSandbox
    clock: Clock
    fields: Sequence[FieldMap]
    delay: timedelta = timedelta(minutes=15)

    def run(self) -> int:
        """Copy what changed in Salesforce at least `delay` ago; the number of contacts changed."""
        settled = self.clock.now() - self.delay
        changed = 0
        for sobject in ("Lead", "Contact"):
            for record in self.salesforce.store.records(sobject):
                email = str(record.get("Email") or "")
                if record["IsDeleted"] or not email or parse_stamp(str(record["SystemModstamp"])) > settled:
                    continue
                contact = self.hubspot.store.contact_id_for(email)
                if contact is None:
                    continue
                copied = self._copied(sobject, record)
                held = self.hubspot.store.contact(contact) or {}
                differing = {name: value for name, value in copied.items() if held.get(name) != value}
                if differing:
                    self.hubspot.store.update_as_user(contact, **differing)
                    changed += 1
        return changed

    def _copied(self, sobject: str, record: Mapping[str, object]) -> dict[str, str]:
        copied = {}
        for mapped in self.fields:
            value = record.get(mapped.fields.get(sobject, ""))
            if isinstance(value, str) and value in mapped.values:
                copied[mapped.property] = mapped.values[value]
        owner = self.salesforce.store.get("User", str(record.get("OwnerId") or ""))
        owner_id = self.hubspot.store.owner_id_for(str(owner["Email"])) if owner else None
        if owner_id is not None:
            copied["hubspot_owner_id"] = owner_id
        return copied
