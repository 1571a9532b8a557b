"""Find a field in a raw CRM record, and convert its value to the model field's type.

The conversion of each model field is applied last, after a rule's transforms and value map;
it raises `ModelError` about the value alone, and the caller adds the CRM field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Final

from leadsync.exceptions import ModelError
from leadsync.mapping.transforms import Convert, shown, to_bool, to_datetime, to_int
from leadsync.model import JobLevel, Stage

__all__ = ["ABSENT", "PERSON_TARGETS", "TEXT", "Absent", "Getter", "conversion_for", "getter", "value_key"]

Getter = Callable[[Mapping[str, object]], object]


class Absent(Enum):
    """Marks a CRM value that maps to nothing: the model field keeps its default."""

    ABSENT = "absent"


ABSENT: Final = Absent.ABSENT
_MISSING: Final = object()
_SINGLE: Final = frozenset({str, int, bool, datetime})


def getter(field: str) -> Getter:
    """Read `field` from a raw record; `Owner.Email` is a flat key first, else `raw["Owner"]["Email"]`."""
    if "." not in field:
        return lambda raw: raw.get(field)
    parts = tuple(field.split("."))

    def dotted(raw: Mapping[str, object]) -> object:
        value: object = raw.get(field, _MISSING)
        if value is not _MISSING:
            return value
        value = raw
        for part in parts:
            if type(value) is not dict and not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    return dotted


def value_key(value: object) -> str:
    """How a value is matched against value-map keys: as text, case-insensitively."""
    if type(value) is str:
        return value.casefold()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).casefold()


# --- each model field's own conversion, applied last ---------------------------------------


def _text(value: object) -> object:
    if type(value) is str:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ModelError(f"{shown(value)} is not text")


def _head_count(value: object) -> object:
    count = to_int(value)
    if count < 0:
        raise ModelError(f"{shown(value)} is negative; a head count is 0 or more")
    return count


def _canonical(kind: type[Stage] | type[JobLevel]) -> Convert:
    ids = {member.value: member for member in kind}
    valid = ", ".join(ids)

    def canonical(value: object) -> object:
        member = ids.get(value.casefold()) if isinstance(value, str) else None
        if member is None:
            raise ModelError(
                f"{shown(value)} is not a {kind.__name__} id: add it to the field's `values` "
                f"table or use one of: {valid}"
            )
        return member

    return canonical


def _single_value(value: object) -> object:
    """An attribute's value as is, if it is one value: text, a finite number, yes/no, or the
    datetime a transform made.

    A nested object or list would reach the state store as a structure of its own (where a
    one-key object can pass for a tagged datetime), and NaN or infinity is not JSON.
    """
    if type(value) in _SINGLE or (type(value) is float and math.isfinite(value)):
        return value
    raise ModelError(f"{shown(value)} is not a single value: give text, a finite number or true/false")


TEXT: Final[Convert] = _text
"""The conversion of the model's text fields (names, company, e-mails...)."""

_CONVERSIONS: Final[Mapping[str, Convert]] = {
    "email": _text,
    "first_name": _text,
    "last_name": _text,
    "title": _text,
    "job_level": _canonical(JobLevel),
    "company": _text,
    "employees": _head_count,
    "industry": _text,
    "country": _text,
    "source": _text,
    "created_at": to_datetime,
    "updated_at": to_datetime,
    "stage": _canonical(Stage),
    "owner_email": _text,
    "email_opt_out": to_bool,
}

PERSON_TARGETS: Final = tuple(_CONVERSIONS)
"""The `Person` fields a mapping may fill by name (besides `qualification.*` and `attributes.*`)."""


def conversion_for(target: str) -> Convert:
    """The conversion that turns a CRM value into `target`'s model type, applied after `values`."""
    if target.startswith("qualification."):
        return to_bool
    if target.startswith("attributes."):
        return _single_value
    return _CONVERSIONS[target]
