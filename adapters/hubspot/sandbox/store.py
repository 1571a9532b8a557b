"""The sandbox's HubSpot account: records, owners, links and activities behind one lock.

The HTTP routes call it for every answer; tests call it to look inside and to act as a
person in the HubSpot UI would (edit a contact, merge two), or to make HubSpot refuse
writes to chosen records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from leadsync.adapter_api import Clock

from .activities import ActivityLog
from .associations import Associations
from .batches import BatchContext, read_batch, update_batch, write_one
from .collection import ObjectCollection, Record
from .errors import BatchError, HubSpotApiError, PropertyProblem, invalid_input, not_found, property_problems
from .listing import list_page
from .object_types import object_type_of
from .owners import owners_page
from .properties import OBJECT_PROPERTIES, PropertyDef
from .records import Seeded
from .refusals import Refusals
from .search import Searcher, SearchLimits
from .stamps import iso_ms, ms_of
from .writes import write_problems

__all__ = ["HubSpotStore"]

_NOT_FOUND = "Object not found.  objectId are usually numeric."


class HubSpotStore:
    """Thread-safe state of the sandbox's HubSpot account."""

    def __init__(self, seeded: Seeded, *, clock: Clock, portal_id: int, search_limits: SearchLimits) -> None:
        self.portal_id = portal_id
        self._lock = threading.RLock()
        self._clock = clock
        self._collections = {name: ObjectCollection(name, defs) for name, defs in OBJECT_PROPERTIES.items()}
        for name, records in (
            ("contacts", seeded.contacts),
            ("meetings", seeded.meetings),
            ("calls", seeded.calls),
        ):
            self._collections[name].load(records)
        self._owners = seeded.owners
        self._merged = dict(seeded.merged)
        self._links = Associations()
        for link in seeded.links:
            self._links.link(*link)
        self._activities: ActivityLog = seeded.activity_log()
        self._searcher = Searcher(search_limits)
        self._refusals = Refusals()
        self._archived_properties: set[str] = set()
        newest_seed = max((r.modified_ms for c in self._collections.values() for r in c), default=0)
        # Writes come after every seeded stamp even when the population's "now" is ahead of the clock.
        self._skew = max(0, newest_seed + 1 - self._now_ms())
        self._last_stamp = newest_seed + 1
        unconfirmed = self._refusals.unconfirmed
        self._batch = BatchContext(
            self._resolve, self._write_problems, self._stamp, self._now_ms, portal_id, unconfirmed
        )

    # -- what the HTTP routes ask -------------------------------------------------------------

    def search(self, object_type: str, body: object) -> dict[str, Any]:
        """A search answer (see `search.Searcher`)."""
        with self._lock:
            return self._searcher.search(self._collection(object_type), body)

    def read_batch(self, object_type: str, body: object) -> tuple[int, dict[str, Any]]:
        """A batch read answer and its status (200 or 207)."""
        with self._lock:
            return read_batch(self._collection(object_type), body, self._batch)

    def update_batch(self, object_type: str, body: object) -> tuple[int, dict[str, Any]]:
        """A batch update answer and its status (200 or 207); a 400 writes nothing."""
        with self._lock:
            return update_batch(self._collection(object_type), body, self._batch)

    def read_one(self, object_type: str, object_id: str, properties: list[str]) -> dict[str, Any]:
        """`GET /crm/v3/objects/{type}/{id}`: a merged-away id answers as the survivor."""
        with self._lock:
            collection = self._collection(object_type)
            return collection.to_json(self._record(collection, object_id), properties)

    def list_page(
        self, object_type: str, args: Mapping[str, str], wanted: list[str], *, base_url: str
    ) -> dict[str, Any]:
        """A page of `GET /crm/v3/objects/{type}`, or of its archived records (see `listing`)."""
        with self._lock:
            collection, now_ms = self._collection(object_type), self._now_ms() + self._skew
            return list_page(collection, args, wanted, now_ms=now_ms, base_url=base_url)

    def update_one(self, object_type: str, object_id: str, body: object) -> dict[str, Any]:
        """`PATCH /crm/v3/objects/{type}/{id}`."""
        values = body.get("properties") if isinstance(body, Mapping) else None
        if not isinstance(values, Mapping):
            raise invalid_input("Invalid input JSON: a properties object is required")
        with self._lock:
            collection = self._collection(object_type)
            record = self._record(collection, object_id)
            problems = self._write_problems(collection, record.id, values)
            if problems:
                raise property_problems(problems, portal_id=self.portal_id)
            write_one(collection, record, values, stamp_ms=self._stamp())
            return collection.to_json(record, list(values))

    def owners_page(self, args: Mapping[str, str], *, base_url: str) -> dict[str, Any]:
        """A page of `GET /crm/v3/owners/`."""
        return owners_page(self._owners, args, base_url=base_url)

    def owner(self, owner_id: str) -> dict[str, Any]:
        """`GET /crm/v3/owners/{ownerId}`."""
        found = next((o for o in self._owners if o["id"] == owner_id), None)
        if found is None:
            raise not_found(f"Owner {owner_id} not found", context={"id": [owner_id]})
        return found

    def associations(
        self, from_type: str, to_type: str, body: object
    ) -> tuple[list[dict[str, Any]], list[BatchError]]:
        """Results and per-input errors of a v4 association batch read."""
        with self._lock:
            body = _resolved_inputs(body, self._resolve)
            return self._links.batch_read(object_type_of(from_type), object_type_of(to_type), body)

    def events_page(self, args: Mapping[str, str], *, base_url: str) -> dict[str, Any]:
        """A page of `GET /events/v3/events/`; a merged-away contact id answers as the survivor."""
        with self._lock:
            if args.get("objectId"):
                args = {**args, "objectId": self._resolve(args["objectId"])}
            return self._activities.events_page(args, base_url)

    def email_events_page(self, args: Mapping[str, str]) -> dict[str, Any]:
        """A page of `GET /email/public/v1/events`."""
        with self._lock:
            return self._activities.email_events_page(args, portal_id=self.portal_id)

    def marketing_events_page(self, args: Mapping[str, str], *, base_url: str) -> dict[str, Any]:
        """A page of `GET /marketing/v3/marketing-events/`."""
        with self._lock:
            return self._activities.marketing_events_page(args, base_url)

    def participations_page(
        self, args: Mapping[str, str], *, contact: str | None = None, marketing_event_id: str | None = None
    ) -> dict[str, Any]:
        """A participations breakdown for a contact (id or e-mail) or for a marketing event."""
        with self._lock:
            if contact is not None:
                contact_id = self.contact_id_for(contact)
                if contact_id is None:
                    raise not_found(f"Contact {contact} not found", context={"contactIdentifier": [contact]})
                return self._activities.participations_page(args, self.contact_summary, contact_id=contact_id)
            event = ActivityLog.marketing_event_index(marketing_event_id or "")
            if event is None:
                raise not_found(f"Marketing event {marketing_event_id} not found")
            return self._activities.participations_page(args, self.contact_summary, event=event)

    def contact_summary(self, contact_id: str) -> dict[str, str | None]:
        """First name, last name and e-mail of a contact, for participation answers."""
        with self._lock:
            record = self._collections["contacts"].get(self._resolve(contact_id))
        values = record.properties if record else {}
        return {name: values.get(name) for name in ("firstname", "lastname", "email")}

    def contact_id_for(self, identifier: str) -> str | None:
        """A contact's id from its id or e-mail (as marketing events take either)."""
        with self._lock:
            contacts = self._collections["contacts"]
            if contacts.get(self._resolve(identifier)) is not None:
                return self._resolve(identifier)
            found = contacts.with_email(identifier)
            return found[0].id if found else None

    def unsubscribe_all(self, email: str) -> bool:
        """Opt an address out of all e-mail, as the subscriptions API or an unsubscribe link does:
        its contacts read `hs_email_optout` "true" (their stamp moves). False: it was opted out."""
        with self._lock:
            contacts = self._collections["contacts"]
            found = [r for r in contacts.with_email(email) if r.properties.get("hs_email_optout") != "true"]
            stamp = self._stamp() if found else 0
            for record in found:
                contacts.write(record, {"hs_email_optout": "true"}, stamp_ms=stamp)
            return bool(found)

    def now_ms(self) -> int:
        """The clock's current instant in epoch ms."""
        return self._now_ms()

    # -- what tests ask --------------------------------------------------------------------------

    def contact(self, contact_id: str) -> dict[str, str] | None:
        """A copy of a contact's property values (None if there is no such contact)."""
        return self.values_of("contacts", contact_id)

    def values_of(self, object_type: str, object_id: str) -> dict[str, str] | None:
        """A copy of a record's property values; a merged-away id gives the survivor's."""
        with self._lock:
            record = self._collection(object_type).get(self._resolve(object_id))
            return dict(record.properties) if record else None

    def ids(self, object_type: str = "contacts") -> list[str]:
        """Every record id of a type, ascending."""
        with self._lock:
            return [r.id for r in sorted(self._collection(object_type), key=lambda r: r.number)]

    def owner_id_for(self, email: str) -> str | None:
        """The id of the active owner with this e-mail (case-insensitive), if any."""
        with self._lock:
            found = (
                o["id"] for o in self._owners if not o["archived"] and o["email"].lower() == email.lower()
            )
            return next(found, None)

    def update_as_user(self, contact_id: str, **properties: object) -> None:
        """Edit a contact as a person in HubSpot would: the values are checked, the stamp moves."""
        with self._lock:
            collection = self._collections["contacts"]
            record = self._record(collection, contact_id)
            problems = write_problems(collection.definitions, properties, self._owner_ids())
            if problems:
                raise ValueError("; ".join(f"{p.name}: {p.message}" for p in problems))
            written = {k: v if isinstance(v, str) else str(v) for k, v in properties.items()}
            collection.write(record, written, stamp_ms=self._stamp())

    def merge(self, primary_id: str, merged_id: str) -> None:
        """Merge a contact into another, as HubSpot's merge does: the merged id answers as the survivor."""
        with self._lock:
            contacts = self._collections["contacts"]
            primary, gone = self._record(contacts, primary_id), self._record(contacts, merged_id)
            contacts.remove(gone.id)
            for old, survivor in list(self._merged.items()):
                if survivor == gone.id:
                    self._merged[old] = primary.id
            self._merged[gone.id] = primary.id
            ids = [*filter(None, primary.properties.get("hs_merged_object_ids", "").split(";")), gone.id]
            ids.extend(filter(None, gone.properties.get("hs_merged_object_ids", "").split(";")))
            self._links.move("contacts", gone.id, primary.id)
            self._activities.merge(primary.id, gone.id)
            # The secondary's address becomes one of the survivor's (knowledge.hubspot.com, "Merge contacts").
            emails = [
                *_listed(primary.properties.get("hs_additional_emails")),
                *filter(None, [gone.properties.get("email")]),
                *_listed(gone.properties.get("hs_additional_emails")),
            ]
            merged = {
                "hs_merged_object_ids": ";".join(ids),
                "hs_additional_emails": ";".join(dict.fromkeys(emails)),
            }
            contacts.write(primary, merged, stamp_ms=self._stamp())

    def reject_writes(self, *object_ids: str, property_name: str | None = None) -> None:
        """Make HubSpot refuse any write to these records (INVALID_OPTION), failing the whole batch."""
        with self._lock:
            self._refusals.reject(object_ids, property_name)

    def fail_unnamed(self, *object_ids: str) -> None:
        """Make HubSpot fail writes to these records in a 207 whose error names no ids."""
        with self._lock:
            self._refusals.fail_unnamed(object_ids)

    def remove_option(self, property_name: str, value: str) -> None:
        """Delete an enumeration option, as an admin may: writing it is then a 400 INVALID_OPTION."""
        with self._lock:
            self._refusals.remove_option(property_name, value)

    def archive(self, object_type: str, object_id: str) -> None:
        """Delete a record as `DELETE /crm/v3/objects/{type}/{id}` does: it leaves search, reads and
        writes of its id answer as for an unknown id, and `archived=true` lists it, stamped now."""
        with self._lock:
            collection = self._collection(object_type)
            collection.archive(self._record(collection, object_id).id, at_ms=self._stamp())

    def archive_property(self, name: str, *, restore: bool = False) -> None:
        """Archive a property of every object type, as `DELETE /crm/v3/properties/{type}/{name}` does: the
        properties API lists it no more and writes to it are refused; `restore` brings it back."""
        with self._lock:
            self._archived_properties = (self._archived_properties - {name}) | (set() if restore else {name})
            for collection in self._collections.values():
                collection.archive_properties(self._archived_properties)

    def properties(self, object_type: str) -> Mapping[str, PropertyDef]:
        """The properties of an object type but the archived ones ({} for a type not served)."""
        with self._lock:
            found = self._collections.get(object_type)
            return found.definitions if found else {}

    def accept_writes(self, *object_ids: str) -> None:
        """Undo the refusals above for these records (every refusal when none are given)."""
        with self._lock:
            self._refusals.accept(object_ids)

    def add_object(
        self, object_type: str, properties: Mapping[str, str], *, contact_id: str | None = None
    ) -> str:
        """Create an engagement (e.g. a sales e-mail) now, optionally associated with a contact; its id."""
        with self._lock:
            collection = self._collection(object_type)
            stamp = self._stamp()
            number = max((r.number for r in collection), default=43_000_000_000) + 1
            now = iso_ms(stamp)
            values = {"hs_timestamp": now, **properties, "hs_object_id": str(number)}
            values.update({collection.created_property: now, collection.modified_property: now})
            collection.add(Record(str(number), values, created_ms=stamp, modified_ms=stamp))
            if contact_id is not None:
                self._links.link("contacts", self._resolve(contact_id), object_type, str(number))
            return str(number)

    # -- inside --------------------------------------------------------------------------------

    def _collection(self, object_type: str) -> ObjectCollection:
        collection = self._collections.get(object_type)
        if collection is None:
            raise HubSpotApiError(404, {"status": "error", "message": f"Unknown object type: {object_type}"})
        return collection

    def _record(self, collection: ObjectCollection, object_id: str) -> Record:
        record = collection.get(self._resolve(object_id))
        if record is None:
            raise not_found(_NOT_FOUND, context={"id": [object_id]})
        return record

    def _resolve(self, object_id: str) -> str:
        return self._merged.get(object_id, object_id)

    def _owner_ids(self) -> list[str]:
        return [o["id"] for o in self._owners if not o["archived"]]

    def _write_problems(
        self, collection: ObjectCollection, object_id: str, values: Mapping[str, object]
    ) -> list[PropertyProblem]:
        problems = write_problems(collection.definitions, values, self._owner_ids())
        problems += self._refusals.problems(object_id, values, problems)
        return problems

    def _stamp(self) -> int:
        self._last_stamp = max(self._now_ms() + self._skew, self._last_stamp)
        return self._last_stamp

    def _now_ms(self) -> int:
        return ms_of(self._clock.now())


def _resolved_inputs(body: object, resolve: Callable[[str], str]) -> object:
    if not isinstance(body, Mapping) or not isinstance(body.get("inputs"), list):
        return body
    inputs = [{**i, "id": resolve(str(i.get("id")))} if isinstance(i, Mapping) else i for i in body["inputs"]]
    return {**body, "inputs": inputs}


def _listed(value: str | None) -> list[str]:
    """The items of a multi-value property (`a;b`)."""
    return [item for item in (value or "").split(";") if item]
