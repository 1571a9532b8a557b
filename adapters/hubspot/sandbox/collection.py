"""One CRM object type's records, kept sorted by (modification stamp, id) for search.

Values are held as HubSpot returns them (strings; datetimes ISO with milliseconds and Z),
so a record reads back exactly as written. The index lets search find "modified after X"
(and "at X, with an id after N") by bisection over 100,000 records; a second index finds
records by e-mail (as batch reads by `idProperty=email` do) without a scan.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .properties import PropertyDef
from .stamps import iso_ms

__all__ = ["ObjectCollection", "Record"]

_CONTACT_DEFAULTS = ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname")


class Record:
    """One CRM object: its id and its property values as HubSpot strings."""

    __slots__ = ("created_ms", "history", "id", "modified_ms", "number", "properties")

    def __init__(
        self, object_id: str, properties: dict[str, str], *, created_ms: int, modified_ms: int
    ) -> None:
        self.id, self.number = object_id, int(object_id)
        self.properties = properties
        self.created_ms, self.modified_ms = created_ms, modified_ms
        self.history: dict[str, list[tuple[str, int]]] = {}  # property → (value, epoch ms), newest first


class ObjectCollection:
    """The records of one object type (contacts, meetings…), indexed by (modified, id); the store locks it."""

    def __init__(self, object_type: str, definitions: Mapping[str, PropertyDef]) -> None:
        self.object_type = object_type
        self.definitions = definitions  # the properties not archived
        self._all_definitions = definitions
        contacts = object_type == "contacts"
        self.created_property = "createdate" if contacts else "hs_createdate"
        self.modified_property = "lastmodifieddate" if contacts else "hs_lastmodifieddate"
        self.always = (self.created_property, "hs_object_id", self.modified_property)
        self.defaults = _CONTACT_DEFAULTS if contacts else self.always
        self.version = 0  # bumped by every change, so a cached search knows it is stale
        self._records: dict[str, Record] = {}
        self._archived: dict[str, tuple[Record, int]] = {}  # id → (record, archived at, epoch ms)
        self._index: list[tuple[int, int]] = []
        self._emails = _EmailIndex()

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records.values())

    def load(self, records: Iterable[Record]) -> None:
        """Add seeded records in bulk, then index them once."""
        for record in records:
            self._records[record.id] = record
            self._emails.add(record)
        self._index = sorted((r.modified_ms, r.number) for r in self._records.values())
        self.version += 1

    def add(self, record: Record) -> None:
        """Add one record."""
        self._records[record.id] = record
        self._emails.add(record)
        insort(self._index, (record.modified_ms, record.number))
        self.version += 1

    def get(self, object_id: str) -> Record | None:
        """The record with this id, if any."""
        return self._records.get(object_id)

    def archive_properties(self, names: set[str]) -> None:
        """Leave these properties out from now on (archived by an admin), and no others."""
        self.definitions = {name: d for name, d in self._all_definitions.items() if name not in names}

    def remove(self, object_id: str) -> Record:
        """Take a record out (merged into another, or archived)."""
        record = self._records.pop(object_id)
        self._emails.remove(record)
        self._unindex(record)
        self.version += 1
        return record

    def archive(self, object_id: str, *, at_ms: int) -> None:
        """Take a record out as deleted at `at_ms`: from then on only the archived list shows it."""
        self._archived[object_id] = (self.remove(object_id), at_ms)

    def archived(self) -> list[tuple[Record, int]]:
        """Every archived record, with when it was archived, by id."""
        return sorted(self._archived.values(), key=lambda pair: pair[0].number)

    def write(self, record: Record, values: Mapping[str, str], *, stamp_ms: int) -> None:
        """Set property values and move the record's modification stamp to `stamp_ms`."""
        self._unindex(record)
        order = self._emails.remove(record) if "email" in values else None
        record.properties.update(values)
        if order is not None:
            self._emails.add(record, order)
        record.modified_ms = stamp_ms
        record.properties[self.modified_property] = iso_ms(stamp_ms)
        insort(self._index, (stamp_ms, record.number))
        self.version += 1

    def index(self) -> Sequence[tuple[int, int]]:
        """(modified ms, id) of every record, ascending; read it under the store's lock."""
        return self._index

    def with_email(self, email: str) -> list[Record]:
        """The records whose e-mail is this one, case and surrounding spaces ignored, oldest first."""
        return [self._records[record_id] for record_id in self._emails.ids(email)]

    def by_number(self, number: int) -> Record:
        """The record with this numeric id (it must exist)."""
        return self._records[str(number)]

    def to_json(self, record: Record, wanted: Sequence[str] | None) -> dict[str, Any]:
        """The record as the CRM API returns it: wanted properties (null when unset) and the usual three."""
        names = list(wanted or self.defaults)
        names.extend(name for name in self.always if name not in names)
        values = record.properties
        return {
            "id": record.id,
            "properties": {name: values.get(name) for name in names if name in self.definitions},
            "createdAt": iso_ms(record.created_ms),
            "updatedAt": iso_ms(record.modified_ms),
            "archived": False,
        }

    def history_json(self, record: Record, wanted: Sequence[str]) -> dict[str, list[dict[str, str]]]:
        """`propertiesWithHistory` of a record: each wanted property's values, newest first.

        A property without a kept history shows its current value, stamped with the record's
        last modification (the sandbox keeps history only for the analytics properties).
        """
        answer: dict[str, list[dict[str, str]]] = {}
        for name in (n for n in wanted if n in self.definitions):
            kept = record.history.get(name)
            current = record.properties.get(name)
            versions = kept or ([(current, record.modified_ms)] if current is not None else [])
            source = "ANALYTICS" if kept else "CRM_UI"
            answer[name] = [
                {"value": value, "timestamp": iso_ms(at), "sourceType": source, "sourceId": "sandbox"}
                for value, at in versions
            ]
        return answer

    def _unindex(self, record: Record) -> None:
        at = bisect_left(self._index, (record.modified_ms, record.number))
        del self._index[at]


class _EmailIndex:
    """Record ids by e-mail as HubSpot compares it (trimmed, lower case; "" for none), in adding order."""

    def __init__(self) -> None:
        self._ids: dict[str, dict[str, int]] = {}  # e-mail → {record id: the record's adding order}
        self._added = 0

    def add(self, record: Record, order: int | None = None) -> None:
        """Index a record: a new one last, or a re-indexed one at the order `remove` gave back."""
        if order is None:
            order, self._added = self._added, self._added + 1
        self._ids.setdefault(_email_key(record), {})[record.id] = order

    def remove(self, record: Record) -> int:
        """Unindex a record (before its e-mail changes); its adding order."""
        key = _email_key(record)
        ids = self._ids[key]
        order = ids.pop(record.id)
        if not ids:
            del self._ids[key]
        return order

    def ids(self, email: str) -> list[str]:
        """The ids of the records with this e-mail, in adding order."""
        found = self._ids.get(email.strip().lower(), {})
        return sorted(found, key=found.__getitem__)


def _email_key(record: Record) -> str:
    return record.properties.get("email", "").strip().lower()
