"""Search filters as HubSpot evaluates them: typed comparisons on string property values.

Datetimes compare as epoch milliseconds (given as epoch-ms strings or ISO 8601), numbers
numerically (`hs_object_id` included), other values case-insensitively; `IN` on a string
property compares the lower-cased value with the listed values as given, as HubSpot asks
for lower-case values there. A record without the property matches only HAS_PROPERTY's
opposites (NEQ, NOT_IN, NOT_HAS_PROPERTY, NOT_CONTAINS_TOKEN).
"""

from __future__ import annotations

import operator as op
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase
from typing import Any, TypeAlias

from .errors import invalid_input
from .properties import PropertyDef
from .stamps import parse_ms

__all__ = ["OPERATORS", "Filter", "parse_filter", "typed"]

OPERATORS = frozenset(
    {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"}
    | {"CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
)
_NEGATIVE = frozenset({"NEQ", "NOT_IN", "NOT_HAS_PROPERTY", "NOT_CONTAINS_TOKEN"})
_TOKEN_SPLIT = re.compile(r"[^0-9a-z*]+")
_ORDERED: dict[str, Callable[[Any, Any], Any]] = {
    "EQ": op.eq, "NEQ": op.ne, "GT": op.gt, "GTE": op.ge, "LT": op.lt, "LTE": op.le,
}  # fmt: skip

Comparable: TypeAlias = float | int | str


def typed(definition: PropertyDef, text: str) -> Comparable | None:
    """The value HubSpot compares for a property's string value (None when it cannot be read as that type)."""
    if definition.type == "number":
        try:
            return float(Decimal(text))
        except InvalidOperation:
            return None
    if definition.type == "datetime":
        return parse_ms(text)
    return text.lower()


@dataclass(frozen=True, slots=True)
class Filter:
    """One filter of a filter group, its values already typed."""

    definition: PropertyDef
    operator: str
    value: Comparable | None = None
    values: frozenset[Comparable] = frozenset()
    high: Comparable | None = None
    pattern: str = ""

    def matches(self, properties: Mapping[str, str]) -> bool:
        """Whether a record with these property values passes the filter."""
        raw = properties.get(self.definition.name)
        if raw is None or raw == "":
            return self.operator in _NEGATIVE
        if self.operator == "HAS_PROPERTY":
            return True
        if self.operator == "NOT_HAS_PROPERTY":
            return False
        if self.operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            found = _has_token(raw, self.pattern)
            return found if self.operator == "CONTAINS_TOKEN" else not found
        if self.operator in ("IN", "NOT_IN"):
            key = raw.lower() if self.definition.type == "string" else typed(self.definition, raw)
            return (key in self.values) == (self.operator == "IN")
        value = typed(self.definition, raw)
        return value is not None and _compare(self.operator, value, self.value, self.high)


def parse_filter(raw: object, definitions: Mapping[str, PropertyDef]) -> Filter:
    """A filter from the request body, or the 400 HubSpot answers for a malformed one."""
    if not isinstance(raw, Mapping):
        raise invalid_input("Invalid input JSON: a filter must be an object")
    name, operator = raw.get("propertyName"), raw.get("operator")
    if not isinstance(name, str) or operator not in OPERATORS:
        raise invalid_input(
            f"Invalid filter: propertyName and one of the operators {sorted(OPERATORS)} are required"
        )
    definition = definitions.get(name)
    if definition is None:
        raise invalid_input(f"Unable to search on property {name}: it does not exist")
    if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        return Filter(definition, operator)
    if operator in ("IN", "NOT_IN"):
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise invalid_input(f"Operator {operator} on {name} needs a non-empty list of values")
        keys = frozenset(
            str(v) if definition.type == "string" else _typed_value(definition, v) for v in values
        )
        return Filter(definition, operator, values=keys)
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        return Filter(definition, operator, pattern=str(raw.get("value", "")).lower())
    value = _typed_value(definition, raw.get("value"))
    high = _typed_value(definition, raw.get("highValue")) if operator == "BETWEEN" else None
    return Filter(definition, operator, value=value, high=high)


def _typed_value(definition: PropertyDef, value: object) -> Comparable:
    if value is None or isinstance(value, (dict, list)):
        raise invalid_input(f"A filter on {definition.name} needs a value")
    text = str(value).lower() if isinstance(value, bool) else str(value)
    result = typed(definition, text)
    if result is None:
        raise invalid_input(f"{text} is not a valid {definition.type} value for {definition.name}")
    return result


def _compare(operator: str, value: Comparable, wanted: Comparable | None, high: Comparable | None) -> bool:
    try:
        if operator == "BETWEEN":
            return bool(_ORDERED["GTE"](value, wanted) and _ORDERED["LTE"](value, high))
        return bool(_ORDERED[operator](value, wanted))
    except TypeError:  # a number compared with text: HubSpot finds nothing
        return False


def _has_token(raw: str, pattern: str) -> bool:
    text = raw.lower()
    if fnmatchcase(text, pattern):
        return True
    return any(fnmatchcase(token, pattern) for token in _TOKEN_SPLIT.split(text) if token)
