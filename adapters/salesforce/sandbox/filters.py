"""WHERE clauses compiled to predicates over rows, with SOQL's typing and null rules.

Text compares case-insensitively (Salesforce: all but unique case-sensitive fields); ids
compare on their 18-character form; datetimes and dates must be unquoted literals of their
own type. Nulls: `= null` and `!= null` test for null; `!=` with a value matches null
fields (SOQL is two-valued); ordering operators, IN, NOT IN, LIKE and NOT LIKE never match
a null field. A literal of the wrong type is refused, never coerced.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from .fields import Reader, Resolver
from .ids import normalize_id
from .schema import STRING_TYPES, FieldSpec
from .soql import Comparison, Condition, Junction, Literal, Not
from .soql_lexer import SoqlError
from .store import Row, Table
from .values import Value, parse_date, parse_datetime

__all__ = ["Key", "Predicate", "compile_condition", "kind_of", "sort_value"]

Predicate = Callable[[Row], bool]
Key = str | float | bool
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_TYPE_WORDS = {"number": "double", "boolean": "boolean", "datetime": "dateTime", "date": "date"}
_INVALID_OPERATOR = "INVALID_QUERY_FILTER_OPERATOR"


def kind_of(spec: FieldSpec) -> str:
    """How values of a field compare: text, id, number, boolean, datetime or date."""
    if spec.type in STRING_TYPES:
        return "text"
    if spec.type in ("id", "reference"):
        return "id"
    if spec.type in ("double", "int", "currency", "percent"):
        return "number"
    return spec.type


def sort_value(kind: str, value: Value) -> Key:
    """The comparable form of a non-null stored value (text upper-cased, numbers as floats)."""
    if kind == "text":
        return str(value).upper()
    if kind == "number":
        return float(value) if isinstance(value, int | float) else float(str(value))
    if kind == "boolean":
        return bool(value)
    return str(value)


def compile_condition(resolver: Resolver, table: Table, condition: Condition) -> Predicate:
    """A predicate for a WHERE condition, or SoqlError (400) for what Salesforce refuses."""
    if isinstance(condition, Not):
        inner = compile_condition(resolver, table, condition.operand)
        return lambda row: not inner(row)
    if isinstance(condition, Junction):
        parts = [compile_condition(resolver, table, c) for c in condition.operands]
        combine = all if condition.all_of else any
        return lambda row: combine(part(row) for part in parts)
    return _comparison(resolver, table, condition)


def _comparison(resolver: Resolver, table: Table, comparison: Comparison) -> Predicate:
    resolved = resolver.resolve(table, comparison.path)
    spec, read, op = resolved.spec, resolved.read, comparison.op
    fail = _Failer(resolver.query, comparison, spec)
    if not spec.filterable:
        raise fail(f"field '{spec.name}' can not be filtered in query call", "INVALID_FIELD")
    kind = kind_of(spec)
    if op.endswith("LIKE"):
        if kind != "text":
            raise fail(f"invalid operator on {'id' if kind == 'id' else kind} field")
        return _like(read, fail.literal(kind, comparison.values[0]), negated=op == "NOT LIKE")
    values = [fail.literal(kind, literal) for literal in comparison.values]
    if op in _ORDERING:
        if kind == "boolean" or spec.type == "picklist" or values[0] is None:
            raise fail(
                f"invalid operator on {spec.type} field" if values[0] is not None else "unexpected null"
            )
        return _ordered(read, kind, _ORDERING[op], values[0])
    if kind == "boolean" and op.endswith("IN"):
        raise fail("invalid operator on boolean field")
    if op in ("=", "!="):
        equal = _equals(read, kind, values[0])
        return equal if op == "=" else (lambda row: not equal(row))
    members = frozenset(v for v in values if v is not None)
    allow_null = op == "IN" and None in values

    def member(row: Row) -> bool:
        value = read(row)
        if value is None:
            return allow_null
        return (sort_value(kind, value) in members) == (op == "IN")

    return member


def _equals(read: Reader, kind: str, expected: Key | None) -> Predicate:
    if expected is None:
        return lambda row: read(row) is None

    def equal(row: Row) -> bool:
        value = read(row)
        return value is not None and sort_value(kind, value) == expected

    return equal


def _ordered(read: Reader, kind: str, compare: Callable[[Key, Key], bool], bound: Key) -> Predicate:
    def ordered(row: Row) -> bool:
        value = read(row)
        return value is not None and compare(sort_value(kind, value), bound)

    return ordered


def _like(read: Reader, pattern: Key | None, *, negated: bool) -> Predicate:
    regex = re.compile(_like_regex(str(pattern or "")), re.IGNORECASE | re.DOTALL)

    def like(row: Row) -> bool:
        value = read(row)
        return value is not None and (regex.fullmatch(str(value)) is None) == negated

    return like


def _like_regex(pattern: str) -> str:
    parts, pos = [], 0
    upper = pattern.upper()  # literals arrive upper-cased; IGNORECASE makes that harmless
    while pos < len(upper):
        if upper.startswith(("\\_", "\\%"), pos):
            parts.append(re.escape(upper[pos + 1]))
            pos += 2
            continue
        char = upper[pos]
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        pos += 1
    return "".join(parts)


class _Failer:
    """Builds Salesforce's errors for one comparison and converts its literals."""

    def __init__(self, query: str, comparison: Comparison, spec: FieldSpec) -> None:
        self.query, self.comparison, self.spec = query, comparison, spec

    def __call__(
        self, reason: str, code: str = _INVALID_OPERATOR, literal: Literal | None = None
    ) -> SoqlError:
        token = literal.token if literal else self.comparison.token
        return SoqlError(self.query, token, reason, code)

    def literal(self, kind: str, literal: Literal) -> Key | None:
        """The comparable value of a literal for this field, or the error Salesforce answers."""
        if literal.kind == "null":
            if self.comparison.op in ("=", "!=", "IN", "NOT IN"):
                return None
            raise self("unexpected null", literal=literal)
        if kind == "text":
            if literal.kind != "string":
                raise self(self._typed("string", quoted=True), literal=literal)
            return literal.value.upper()
        if kind == "id":
            if literal.kind != "string":
                raise self(self._typed("id", quoted=True), literal=literal)
            normal = normalize_id(literal.value)
            if normal is None:
                raise self(f"invalid ID field: {literal.value}", literal=literal)
            return normal
        return self._unquoted(kind, literal)

    def _unquoted(self, kind: str, literal: Literal) -> Key:
        wanted = {"number": "number", "boolean": "boolean", "datetime": "datetime", "date": "date"}[kind]
        if literal.kind != wanted:
            raise self(self._typed(_TYPE_WORDS[kind], quoted=False), literal=literal)
        if kind == "number":
            return float(literal.value)
        if kind == "boolean":
            return literal.value == "TRUE"
        parsed = parse_datetime(literal.value) if kind == "datetime" else parse_date(literal.value)
        if parsed is None:
            word = "datetime" if kind == "datetime" else "date"
            raise self(f"Invalid {word}: {literal.value}", "MALFORMED_QUERY", literal)
        return parsed

    def _typed(self, type_word: str, *, quoted: bool) -> str:
        advice = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
        return (
            f"value of filter criterion for field '{self.spec.name}' must be of type {type_word} and {advice}"
        )
