"""Running a parsed query: checks against the schema, matches, sorts, and renders records.

Records render as the REST API does: `attributes {type, url}` first, then the selected
fields in the order written, a parent's fields nested under its relationship name
(`"Owner": {"attributes": {...}, "Email": ...}`) or `null` when there is no parent;
a polymorphic parent's `attributes.type` is `Name`. Without ORDER BY rows come in Id order
(Salesforce guarantees no order then). Sorting: text case-insensitive, nulls first unless
NULLS LAST, in either direction, as documented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .fields import Resolved, Resolver
from .filters import Key, Predicate, compile_condition, kind_of, sort_value
from .objects import OBJECTS
from .schema import FieldSpec
from .soql import Query, parse
from .soql_lexer import SoqlError
from .store import Row, Store, Table
from .values import Value

__all__ = ["Plan", "plan_query"]

_NO_OBJECT = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to "
    "append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)
SortKey = Callable[[Row], tuple[int, Key]]


@dataclass(slots=True)
class _Node:
    """Selected fields of one record: output key → field name, or a parent's branch."""

    leaves: dict[str, str | _Branch] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Branch:
    """A parent record's selected fields, reached through a lookup."""

    lookup: FieldSpec
    node: _Node


@dataclass(frozen=True, slots=True)
class Plan:
    """A checked query, ready to run against the store (hold `store.lock` while running)."""

    store: Store
    table: Table
    resolver: Resolver
    predicate: Predicate | None
    sort_keys: tuple[tuple[SortKey, bool], ...]
    limit: int | None
    root: _Node

    def matching_ids(self, *, include_deleted: bool) -> list[str]:
        """Ids of the matching rows, sorted and limited."""
        deleted = self.table.columns.get("IsDeleted")
        predicate = self.predicate
        hits = [
            (record_id, row)
            for record_id, row in self.table.rows.items()
            if (include_deleted or deleted is None or not row[deleted])
            and (predicate is None or predicate(row))
        ]
        for key, descending in reversed(self.sort_keys):
            hits.sort(key=_on_row(key), reverse=descending)
        ids = [record_id for record_id, _ in hits]
        return ids if self.limit is None else ids[: self.limit]

    def render(self, record_id: str, version: str) -> dict[str, object] | None:
        """One result record as JSON-ready dict (None if it vanished)."""
        row = self.table.rows.get(record_id)
        return None if row is None else self._render(self.table, row, self.root, version, "")

    def _render(self, table: Table, row: Row, node: _Node, version: str, type_name: str) -> dict[str, object]:
        record_id = self.resolver.getter(table, "Id")(row)
        out: dict[str, object] = {
            "attributes": {
                "type": type_name or table.spec.name,
                "url": f"/services/data/v{version}/sobjects/{table.spec.name}/{record_id}",
            }
        }
        for key, leaf in node.leaves.items():
            if isinstance(leaf, str):
                out[key] = self.resolver.getter(table, leaf)(row)
                continue
            parent = self.resolver.parent(table, row, leaf.lookup)
            polymorphic = "Name" if leaf.lookup.polymorphic else ""
            out[key] = None if parent is None else self._render(*parent, leaf.node, version, polymorphic)
        return out


def _on_row(key: SortKey) -> Callable[[tuple[str, Row]], tuple[int, Key]]:
    return lambda hit: key(hit[1])


def plan_query(store: Store, text: str) -> Plan:
    """Parse and check a query; SoqlError (400) when Salesforce would refuse it."""
    query = parse(text)
    spec = next((s for s in OBJECTS.values() if s.name.lower() == query.sobject.lower()), None)
    if spec is None or not spec.queryable:
        raise SoqlError(text, query.sobject_token, _NO_OBJECT.format(name=query.sobject), "INVALID_TYPE")
    table = store.tables[spec.name]
    resolver = Resolver(store, text)
    root = _projection(resolver, table, query)
    predicate = None if query.where is None else compile_condition(resolver, table, query.where)
    sort_keys = tuple(
        _sort_key(resolver, table, query, item_index) for item_index in range(len(query.order_by))
    )
    return Plan(store, table, resolver, predicate, sort_keys, query.limit, root)


def _projection(resolver: Resolver, table: Table, query: Query) -> _Node:
    root = _Node()
    seen: set[tuple[str, ...]] = set()
    for path in query.fields:
        resolved = resolver.resolve(table, path)
        names = resolved.names
        if tuple(n.lower() for n in names) in seen:
            raise SoqlError(query.text, path.token, f"duplicate field selected: {'.'.join(names)}")
        seen.add(tuple(n.lower() for n in names))
        _place(root, resolved)
    return root


def _place(root: _Node, resolved: Resolved) -> None:
    node = root
    for step in resolved.steps:
        name = str(step.relationship)
        branch = node.leaves.get(name)
        if not isinstance(branch, _Branch):
            branch = node.leaves[name] = _Branch(step, _Node())
        node = branch.node
    node.leaves[resolved.spec.name] = resolved.spec.name


def _sort_key(resolver: Resolver, table: Table, query: Query, index: int) -> tuple[SortKey, bool]:
    item = query.order_by[index]
    resolved = resolver.resolve(table, item.path)
    if not resolved.spec.sortable:
        raise SoqlError(
            query.text,
            item.path.token,
            f"field '{resolved.spec.name}' can not be sorted in a query call",
            "INVALID_FIELD",
        )
    kind, read = kind_of(resolved.spec), resolved.read
    # reverse=True flips the whole key, so where nulls go depends on the direction too
    null_rank = int(item.nulls_last != item.descending)

    def key(row: Row) -> tuple[int, Key]:
        value: Value = read(row)
        if value is None:
            return (null_rank, "")
        return (1 - null_rank, sort_value(kind, value))

    return key, item.descending
