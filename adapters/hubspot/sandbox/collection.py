"""One CRM object type's records, kept sorted by (modification stamp, id) for search.

Values are held as HubSpot returns them (strings; datetimes ISO with milliseconds and Z),
so a record reads back exactly as written. The index lets search find "modified after X"
(and "at X, with an id after N") by bisection over 100,000 records.
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

    __slots__ = ("created_ms", "id", "modified_ms", "number", "properties")

    def __init__(
        self, object_id: str, properties: dict[str, str], *, created_ms: int, modified_ms: int
    ) -> None:
        self.id, self.number = object_id, int(object_id)
        self.properties = properties
        self.created_ms, self.modified_ms = created_ms, modified_ms


class ObjectCollection:
    """The records of one object type (contacts, meetings…), indexed by (modified, id); the store locks it."""

    def __init__(self, object_type: str, definitions: Mapping[str, PropertyDef]) -> None:
        self.object_type = object_type
        self.definitions = definitions
        contacts = object_type == "contacts"
        self.created_property = "createdate" if contacts else "hs_createdate"
        self.modified_property = "lastmodifieddate" if contacts else "hs_lastmodifieddate"
        self.always = (self.created_property, "hs_object_id", self.modified_property)
        self.defaults = _CONTACT_DEFAULTS if contacts else self.always
        self.version = 0  # bumped by every change, so a cached search knows it is stale
        self._records: dict[str, Record] = {}
        self._index: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records.values())

    def load(self, records: Iterable[Record]) -> None:
        """Add seeded records in bulk, then index them once."""
        for record in records:
            self._records[record.id] = record
        self._index = sorted((r.modified_ms, r.number) for r in self._records.values())
        self.version += 1

    def add(self, record: Record) -> None:
        """Add one record."""
        self._records[record.id] = record
        insort(self._index, (record.modified_ms, record.number))
        self.version += 1

    def get(self, object_id: str) -> Record | None:
        """The record with this id, if any."""
        return self._records.get(object_id)

    def remove(self, object_id: str) -> Record:
        """Take a record out (it was merged into another)."""
        record = self._records.pop(object_id)
        self._unindex(record)
        self.version += 1
        return record

    def write(self, record: Record, values: Mapping[str, str], *, stamp_ms: int) -> None:
        """Set property values and move the record's modification stamp to `stamp_ms`."""
        self._unindex(record)
        record.properties.update(values)
        record.modified_ms = stamp_ms
        record.properties[self.modified_property] = iso_ms(stamp_ms)
        insort(self._index, (stamp_ms, record.number))
        self.version += 1

    def index(self) -> Sequence[tuple[int, int]]:
        """(modified ms, id) of every record, ascending; read it under the store's lock."""
        return self._index

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

    def _unindex(self, record: Record) -> None:
        at = bisect_left(self._index, (record.modified_ms, record.number))
        del self._index[at]
