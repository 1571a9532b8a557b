"""What HubSpot does with written property values: reject bad ones, normalise the rest.

A write either passes for every property of every input or is refused whole (api-notes.md:
one bad value fails the whole batch with 400 VALIDATION_ERROR). Codes and messages follow
real error bodies quoted in public code: PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE,
INVALID_OPTION; INVALID_DECIMAL, INVALID_LONG and INVALID_EMAIL are HubSpot's codes for
numbers, datetimes and e-mails as best known (their messages are not verified).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation

from .errors import PropertyProblem
from .properties import LIFECYCLE_STAGES, PropertyDef
from .stamps import iso_ms, parse_ms

__all__ = ["kept_changes", "normalised", "write_problems"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_STAGE_ORDER = {stage: i for i, stage in enumerate(LIFECYCLE_STAGES)}


def write_problems(
    definitions: Mapping[str, PropertyDef], properties: Mapping[str, object], owner_ids: Collection[str]
) -> list[PropertyProblem]:
    """Every reason HubSpot would refuse these property values (empty: the write may go ahead)."""
    problems = []
    for name, value in properties.items():
        definition = definitions.get(name)
        if definition is None:
            problems.append(
                PropertyProblem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
            )
        elif definition.read_only:
            message = f'"{name}" is a read only property; its value cannot be set.'
            problems.append(PropertyProblem(name, "READ_ONLY_VALUE", message))
        elif (problem := _value_problem(definition, value, owner_ids)) is not None:
            problems.append(problem)
    return problems


def normalised(definition: PropertyDef, value: object) -> str:
    """The string HubSpot stores and returns for a valid written value."""
    text = _text(value)
    if text == "":
        return ""
    if definition.type == "number":
        number = Decimal(text).normalize()
        return format(number, "f") if number != number.to_integral_value() else str(int(number))
    if definition.type == "datetime":
        ms = value if isinstance(value, int) and not isinstance(value, bool) else parse_ms(text)
        return iso_ms(int(ms or 0))
    if definition.type == "bool":
        return text.lower()
    return text


def kept_changes(current: Mapping[str, str], written: Mapping[str, str]) -> dict[str, str]:
    """The written values HubSpot keeps: a lifecycle stage never moves backwards.

    A write to an earlier stage is ignored without an error, unless the stage was cleared
    first (`""`), after which any stage is accepted (api-notes.md).
    """
    kept = dict(written)
    stage, now = written.get("lifecyclestage"), current.get("lifecyclestage", "")
    if stage and now and _STAGE_ORDER.get(stage, 0) < _STAGE_ORDER.get(now, 0):
        del kept["lifecyclestage"]
    return kept


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_problem(
    definition: PropertyDef, value: object, owner_ids: Collection[str]
) -> PropertyProblem | None:
    text = _text(value)
    if text == "":
        return None
    name = definition.name
    if definition.type == "number":
        try:
            valid = Decimal(text).is_finite()
        except InvalidOperation:
            valid = False
        return None if valid else PropertyProblem(name, "INVALID_DECIMAL", f"{text} was not a valid number.")
    if definition.type == "datetime":
        return (
            None
            if parse_ms(text) is not None
            else PropertyProblem(name, "INVALID_LONG", f"{text} was not a valid long.")
        )
    if definition.type in ("enumeration", "bool"):
        allowed = tuple(owner_ids) if definition.external_options else definition.option_values
        candidate = text.lower() if definition.type == "bool" else text
        if candidate in allowed:
            return None
        return PropertyProblem(
            name, "INVALID_OPTION", f"{text} was not one of the allowed options: [{', '.join(allowed)}]"
        )
    if name == "email" and not _EMAIL.match(text):
        return PropertyProblem(name, "INVALID_EMAIL", f"Email address {text} is invalid")
    return None
