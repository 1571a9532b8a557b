"""The metadata of the emulated objects: fields, types, picklists, relationships.

Names resolve case-insensitively, as in SOQL and in write payloads; every answer uses the
canonical spelling. Polymorphic lookups (`Lead.Owner`, `Task.Who`) point at the `Name`
pseudo-object, whose few fields are read from whichever record the id names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["STRING_TYPES", "FieldSpec", "Formula", "ObjectSpec"]

# describe types whose values are text compared case-insensitively
STRING_TYPES = frozenset({"string", "email", "picklist", "textarea", "phone", "url", "combobox"})
Formula = Literal["full_name", "age_days", "object_type"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field as describe shows it; `formula` marks a value computed on read."""

    name: str
    label: str
    type: str
    length: int = 0
    updateable: bool = True
    createable: bool = True
    nillable: bool = True
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    default: str | None = None
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    formula: Formula | None = None
    filterable: bool = True
    sortable: bool = True
    precision: int = 0
    scale: int = 0

    @property
    def custom(self) -> bool:
        """Whether this is a custom field (`__c`)."""
        return self.name.endswith("__c")

    @property
    def polymorphic(self) -> bool:
        """Whether the lookup can point at several objects (its relationship is a `Name`)."""
        return len(self.reference_to) > 1

    @property
    def calculated(self) -> bool:
        """Whether describe calls it a formula field (a full name is a compound field instead)."""
        return self.formula == "age_days"

    @property
    def stored(self) -> bool:
        """Whether the store keeps the value (formulas are computed when read)."""
        return self.formula is None


@dataclass(frozen=True, slots=True)
class ObjectSpec:
    """One sObject: its fields in describe order and its API behaviour."""

    name: str
    label: str
    label_plural: str
    fields: tuple[FieldSpec, ...]
    queryable: bool = True
    updateable: bool = True
    _by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)
    _by_relationship: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name.lower(): f for f in self.fields})
        relationships = {f.relationship.lower(): f for f in self.fields if f.relationship}
        object.__setattr__(self, "_by_relationship", relationships)

    @property
    def custom(self) -> bool:
        """Whether this is a custom object."""
        return self.name.endswith("__c")

    def field(self, name: str) -> FieldSpec | None:
        """The field of that name, in any case."""
        return self._by_name.get(name.lower())

    def lookup(self, relationship: str) -> FieldSpec | None:
        """The reference field behind a relationship name (`Owner` → `OwnerId`), in any case."""
        return self._by_relationship.get(relationship.lower())

    def has(self, name: str) -> bool:
        """Whether the object has a field of that exact canonical name."""
        return self._by_name.get(name.lower()) is not None
