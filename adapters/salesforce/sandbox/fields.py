"""Field paths of a query (`Email`, `Owner.Email`, `Account.Owner.Name`) resolved and read.

A path walks lookups by relationship name; a polymorphic lookup lands on the `Name`
pseudo-object, whose fields are read from whatever record the id names (`Type` is that
record's object, or a queue's type). A null or dangling lookup reads as null, as in SOQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .objects import NAME_ENTITY, OBJECTS
from .schema import FieldSpec, ObjectSpec
from .soql import FieldPath
from .soql_lexer import SoqlError
from .store import Row, Store, Table
from .values import Value

__all__ = ["Reader", "Resolved", "Resolver"]

Reader = Callable[[Row], Value]
_NO_FIELD = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, be sure to "
    "append the '__c' after the custom field name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)
_NO_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
    "relationship, be sure to append the '__r' after the custom relationship name. Please reference your "
    "WSDL or the describe call for the appropriate names."
)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A checked path: the lookups walked, the final field, and how to read it from a base row."""

    steps: tuple[FieldSpec, ...]
    spec: FieldSpec
    read: Reader

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names along the path (`("Owner", "Email")`)."""
        return (*(str(step.relationship) for step in self.steps), self.spec.name)


class Resolver:
    """Resolves a query's paths against the schema; reads them from the store's rows."""

    def __init__(self, store: Store, query: str) -> None:
        self.store = store
        self.query = query
        self._getters: dict[tuple[str, str], Reader] = {}

    def resolve(self, table: Table, path: FieldPath) -> Resolved:
        """Check a path from `table`'s object (INVALID_FIELD as Salesforce words it)."""
        parts = list(path.parts)
        if len(parts) > 1 and parts[0].lower() == table.spec.name.lower():
            parts = parts[1:]  # `Lead.Email` FROM Lead names the queried object itself
        spec: ObjectSpec = table.spec
        steps: list[FieldSpec] = []
        for part in parts[:-1]:
            lookup = spec.lookup(part)
            if lookup is None:
                raise SoqlError(self.query, path.token, _NO_RELATIONSHIP.format(name=part), "INVALID_FIELD")
            steps.append(lookup)
            spec = NAME_ENTITY if lookup.polymorphic else OBJECTS[lookup.reference_to[0]]
        final = spec.field(parts[-1])
        if final is None:
            raise SoqlError(
                self.query, path.token, _NO_FIELD.format(name=parts[-1], entity=spec.name), "INVALID_FIELD"
            )
        return Resolved(tuple(steps), final, self._reader(table, tuple(steps), final))

    def getter(self, table: Table, name: str) -> Reader:
        """How to read a field by canonical name from a row of `table` (null if it has none)."""
        key = (table.spec.name, name)
        getter = self._getters.get(key)
        if getter is None:
            spec = table.spec.field(name)
            if spec is not None:
                getter = table.getter(spec)
            elif name == "Type":  # the Name pseudo-object's Type: the record's object
                getter = _constant(table.spec.name)
            else:
                getter = _constant(None)
            self._getters[key] = getter
        return getter

    def parent(self, table: Table, row: Row, lookup: FieldSpec) -> tuple[Table, Row] | None:
        """The record a lookup of `row` points at, or None."""
        target = self.getter(table, lookup.name)(row)
        return None if target is None else self.store.resolve(str(target))

    def _reader(self, base: Table, steps: tuple[FieldSpec, ...], final: FieldSpec) -> Reader:
        if not steps:
            return self.getter(base, final.name)

        def read(row: Row) -> Value:
            table, current = base, row
            for step in steps:
                hit = self.parent(table, current, step)
                if hit is None:
                    return None
                table, current = hit
            return self.getter(table, final.name)(current)

        return read


def _constant(value: Value) -> Reader:
    return lambda _row: value
