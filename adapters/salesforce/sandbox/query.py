"""Running a parsed query: checks against the schema, matches, sorts, and renders records.

Records render as the REST API does: `attributes {type, url}` first, then the selected
fields in the order written, a parent's fields nested under its relationship name
(`"Owner": {"attributes": {...}, "Email": ...}`) or `null` when there is no parent;
a polymorphic parent's `attributes.type` is `Name`. Without ORDER BY rows come in Id order
(Salesforce guarantees no order then). Sorting: text case-insensitive, nulls first unless
NULLS LAST, in either direction, as documented. A WHERE that names its records by Id
(`Id IN (...)` or `Id = '...'`, alone or ANDed with other terms) looks those rows up, and
one that bounds SystemModstamp reads that range of the (SystemModstamp, Id) index, rather
than testing every row of the object; ordered by SystemModstamp (then Id), the range needs
no sort.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from .fields import Reader, Resolved, Resolver
from .filters import Key, Predicate, compile_condition, kind_of, sort_value
from .ids import normalize_id
from .schema import FieldSpec, ObjectSpec
from .soql import Comparison, Condition, Junction, Query, parse
from .soql_lexer import SoqlError
from .store import Row, Store, Table
from .values import Value, parse_datetime

__all__ = ["Plan", "plan_query"]

_NO_OBJECT = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to "
    "append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)
SortKey = Callable[[Row], tuple[int, Key]]
_BOUNDS = {  # operator → whether it bounds the stamp from below, from above
    "=": (True, True),
    ">": (True, False),
    ">=": (True, False),
    "<": (False, True),
    "<=": (False, True),
}
_AFTER_ALL = "\uffff"  # sorts after every stored stamp


@dataclass(slots=True)
class _Node:
    """Selected fields of one record: output key → field name, or a parent's branch.

    `readers` holds, per object rendered (a polymorphic parent may be of several), how to
    read the Id and each leaf, resolved once per query rather than once per record.
    """

    leaves: dict[str, str | _Branch] = field(default_factory=dict)
    readers: dict[str, _Readers] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Branch:
    """A parent record's selected fields, reached through a lookup."""

    lookup: FieldSpec
    node: _Node


@dataclass(frozen=True, slots=True)
class _Readers:
    """How to read one object's rows for a node: the Id, then (output key, reader, branch or None)."""

    record_id: Reader
    leaves: tuple[tuple[str, Reader, _Branch | None], ...]


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
    named_ids: frozenset[str] | None  # the only ids the WHERE can match, when it names them
    stamps: tuple[str, str] | None  # the SystemModstamp range (inclusive) the WHERE bounds, if any
    by_stamp: bool  # ORDER BY SystemModstamp [, Id], ascending: the stamp index's own order

    def matching_ids(self, *, include_deleted: bool) -> list[str]:
        """Ids of the matching rows, sorted and limited."""
        deleted = self.table.columns.get("IsDeleted")
        predicate = self.predicate
        candidates, in_order = self._candidates()
        hits = [
            (record_id, row)
            for record_id, row in candidates
            if (include_deleted or deleted is None or not row[deleted])
            and (predicate is None or predicate(row))
        ]
        for key, descending in () if in_order else reversed(self.sort_keys):
            hits.sort(key=_on_row(key), reverse=descending)
        ids = [record_id for record_id, _ in hits]
        return ids if self.limit is None else ids[: self.limit]

    def _candidates(self) -> tuple[Iterable[tuple[str, Row]], bool]:
        """The rows the WHERE may match, and whether they are in the ORDER BY's order already.

        Otherwise they are in Id order (the table's order: ids are minted ascending), which
        the sorts start from.
        """
        rows = self.table.rows
        if self.named_ids is not None:
            return [
                (record_id, rows[record_id]) for record_id in sorted(self.named_ids) if record_id in rows
            ], False
        index = None if self.stamps is None else self.table.by_stamp()
        if self.stamps is None or index is None:
            return rows.items(), False
        low, high = self.stamps
        start = bisect_left(index, low, key=itemgetter(0))
        ids = [record_id for _, record_id in index[start : bisect_right(index, high, key=itemgetter(0))]]
        if not self.by_stamp:
            ids.sort()
        return [(record_id, rows[record_id]) for record_id in ids], self.by_stamp

    def render(self, record_id: str, version: str) -> dict[str, object] | None:
        """One result record as JSON-ready dict (None if it vanished)."""
        row = self.table.rows.get(record_id)
        return None if row is None else self._render(self.table, row, self.root, version, "")

    def _render(self, table: Table, row: Row, node: _Node, version: str, type_name: str) -> dict[str, object]:
        readers = node.readers.get(table.spec.name) or self._readers(table, node)
        name = table.spec.name
        out: dict[str, object] = {
            "attributes": {
                "type": type_name or name,
                "url": f"/services/data/v{version}/sobjects/{name}/{readers.record_id(row)}",
            }
        }
        for key, read, branch in readers.leaves:
            value = read(row)
            if branch is None:
                out[key] = value
                continue
            parent = None if value is None else self.store.resolve(str(value))
            polymorphic = "Name" if branch.lookup.polymorphic else ""
            out[key] = None if parent is None else self._render(*parent, branch.node, version, polymorphic)
        return out

    def _readers(self, table: Table, node: _Node) -> _Readers:
        leaves = tuple(
            (key, self.resolver.getter(table, leaf), None)
            if isinstance(leaf, str)
            else (key, self.resolver.getter(table, leaf.lookup.name), leaf)
            for key, leaf in node.leaves.items()
        )
        readers = node.readers[table.spec.name] = _Readers(self.resolver.getter(table, "Id"), leaves)
        return readers


def _on_row(key: SortKey) -> Callable[[tuple[str, Row]], tuple[int, Key]]:
    return lambda hit: key(hit[1])


def plan_query(store: Store, text: str) -> Plan:
    """Parse and check a query; SoqlError (400) when Salesforce would refuse it."""
    query = parse(text)
    try:
        spec: ObjectSpec | None = store.table(query.sobject).spec  # None: unknown, or hidden from the user
    except KeyError:
        spec = None
    if spec is None or not spec.queryable:
        raise SoqlError(text, query.sobject_token, _NO_OBJECT.format(name=query.sobject), "INVALID_TYPE")
    table = store.tables[spec.name]
    resolver = Resolver(store, text)
    root = _projection(resolver, table, query)
    predicate = None if query.where is None else compile_condition(resolver, table, query.where)
    sort_keys = tuple(
        _sort_key(resolver, table, query, item_index) for item_index in range(len(query.order_by))
    )
    named = None if query.where is None else _named_ids(resolver, table, query.where)
    stamps = None if query.where is None else _stamp_range(resolver, table, query.where)
    by_stamp = _ordered_by_stamp(resolver, table, query)
    return Plan(store, table, resolver, predicate, sort_keys, query.limit, root, named, stamps, by_stamp)


def _is_stamp(resolver: Resolver, table: Table, comparison: Comparison) -> bool:
    resolved = resolver.resolve(table, comparison.path)
    return not resolved.steps and resolved.spec.name == "SystemModstamp"


def _stamp_range(resolver: Resolver, table: Table, condition: Condition) -> tuple[str, str] | None:
    """Inclusive SystemModstamp bounds every match of a checked condition lies within, if it sets any."""
    if isinstance(condition, Junction):
        ranges = [_stamp_range(resolver, table, term) for term in condition.operands]
        if condition.all_of:
            found = [r for r in ranges if r is not None]
            return (max(r[0] for r in found), min(r[1] for r in found)) if found else None
        known = [r for r in ranges if r is not None]
        return (min(r[0] for r in known), max(r[1] for r in known)) if len(known) == len(ranges) else None
    if not isinstance(condition, Comparison) or condition.op not in _BOUNDS:
        return None
    literal = condition.values[0]
    moment = parse_datetime(literal.value) if literal.kind == "datetime" else None
    if moment is None or not _is_stamp(resolver, table, condition):
        return None
    low, high = _BOUNDS[condition.op]
    return (moment if low else "", moment if high else _AFTER_ALL)


def _ordered_by_stamp(resolver: Resolver, table: Table, query: Query) -> bool:
    """Whether the ORDER BY is SystemModstamp (then Id), ascending: the stamp index's order."""
    names = [resolver.resolve(table, item.path).names for item in query.order_by if not item.descending]
    return len(names) == len(query.order_by) and names in (
        [("SystemModstamp",)],
        [("SystemModstamp",), ("Id",)],
    )


def _named_ids(resolver: Resolver, table: Table, condition: Condition) -> frozenset[str] | None:
    """The ids a checked condition can only match (`Id =`, `Id IN`, ANDed), or None if it names none."""
    if isinstance(condition, Junction):
        if not condition.all_of:
            return None
        named = [ids for term in condition.operands if (ids := _named_ids(resolver, table, term)) is not None]
        return frozenset.intersection(*named) if named else None
    if not isinstance(condition, Comparison) or condition.op not in ("=", "IN"):
        return None
    resolved = resolver.resolve(table, condition.path)
    if resolved.steps or resolved.spec.name != "Id":
        return None
    normal = (normalize_id(v.value) if v.kind == "string" else None for v in condition.values)
    return frozenset(i for i in normal if i is not None)  # null matches no Id


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
