"""`check()`: the credentials work and every mapped field fits the org's schema (describe)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from leadsync.adapter_api import AdapterError, AuthError, CrmMapping, SchemaReport
from leadsync.problems import Problem

from .client import SalesforceClient
from .setup_fields import missing_field_fix

__all__ = ["schema_report"]

_TEXT: Final = frozenset(
    {
        "string",
        "picklist",
        "email",
        "textarea",
        "phone",
        "url",
        "combobox",
        "id",
        "reference",
        "multipicklist",
    }
)
_NUMBER: Final = frozenset({"int", "double", "currency", "percent", "long"})
_WHEN: Final = frozenset({"datetime", "date"})
_READ_TYPES: Final[Mapping[str, frozenset[str]]] = {
    "email": frozenset({"email", "string"}),
    "employees": _NUMBER,  # a text field needs a transform (e.g. "int"), which skips this check
    "created_at": _WHEN,
    "updated_at": _WHEN,
    "stage": frozenset({"picklist", "string"}),
    "email_opt_out": frozenset({"boolean"}),
}
_WRITE_TYPES: Final[Mapping[str, frozenset[str]]] = {
    "score": _NUMBER,
    "owner": frozenset({"reference"}),
    "stage": frozenset({"picklist", "string"}),
    "temperature": frozenset({"picklist", "string"}),
    "stage_entered_at": _WHEN,
    "reasons": frozenset({"textarea", "string"}),
    "email_opt_out": frozenset({"boolean"}),
}
Describe = Mapping[str, Mapping[str, Any]]  # field name -> describe entry


def schema_report(client: SalesforceClient, crm: str, mapping: CrmMapping) -> SchemaReport:
    """Every problem with the credentials or the mapping against the org; never raises for them."""
    file = str(mapping.file)
    objects = sorted({*mapping.people, *mapping.write, *mapping.activities})
    described: dict[str, Describe] = {}
    problems: list[Problem] = []
    for sobject in objects:
        try:
            answer = client.restful(f"describe {sobject}", f"sobjects/{sobject}/describe")
        except AuthError as exc:
            return SchemaReport(crm, (Problem(f"crm.{crm}", "credentials", str(exc), "renew them"),))
        except AdapterError as exc:
            section = "people" if sobject in mapping.people else "activities"
            if sobject in mapping.write:
                section = "write"
            problems.append(
                Problem(
                    file,
                    f"{section}.{sobject}",
                    f"cannot describe {sobject}: {exc}",
                    "check the object's API name and the integration user's access",
                )
            )
            continue
        described[sobject] = {str(f["name"]): f for f in answer.get("fields", [])}
    problems += [p for sobject, fields in described.items() for p in _people(file, mapping, sobject, fields)]
    problems += [
        p for sobject, fields in described.items() for p in _activities(file, mapping, sobject, fields)
    ]
    problems += [p for sobject, fields in described.items() for p in _writes(file, mapping, sobject, fields)]
    return SchemaReport(crm, tuple(problems))


def _missing(file: str, key: str, sobject: str, field: str, fields: Describe) -> Problem | None:
    """A problem when `field` (or the relationship of `Parent.Field`) is not on `sobject`."""
    head, dot, _ = field.partition(".")
    if dot:
        if any(f.get("relationshipName") == head for f in fields.values()):
            return None  # the parent's own field is checked by the query that reads it
        return Problem(
            file,
            key,
            f"{sobject} has no relationship {head!r} (read as {field!r})",
            f"use a relationship name `leadsync check --live` can describe, or remove {key}",
        )
    if field in fields:
        return None
    return Problem(
        file,
        key,
        f"{sobject} has no field {field!r} the integration user can see",
        missing_field_fix(sobject, field),
    )


def _people(file: str, mapping: CrmMapping, sobject: str, fields: Describe) -> Iterator[Problem]:
    people = mapping.people.get(sobject)
    if people is None:
        return
    for target, rule in people.fields.items():
        key = f"people.{sobject}.fields.{target}"
        problem = _missing(file, key, sobject, rule.source, fields)
        if problem:
            yield problem
            continue
        kind = str(fields[rule.source]["type"]) if rule.source in fields else ""
        allowed = _READ_TYPES.get(
            target, frozenset({"boolean"}) if target.startswith("qualification.") else None
        )
        if allowed is None and not target.startswith("attributes.") and kind:
            allowed = _TEXT
        if kind and allowed is not None and kind not in allowed and not rule.transforms:
            yield Problem(
                file,
                key,
                f"{sobject}.{rule.source} is a {kind} field; {target} needs one of "
                f"{', '.join(sorted(allowed))}",
                "map a field of a compatible type or add a transform",
            )


def _activities(file: str, mapping: CrmMapping, sobject: str, fields: Describe) -> Iterator[Problem]:
    activities = mapping.activities.get(sobject)
    if activities is None:
        return
    for field in activities.source_fields():
        problem = _missing(file, f"activities.{sobject}", sobject, field, fields)
        if problem:
            yield problem


def _writes(file: str, mapping: CrmMapping, sobject: str, fields: Describe) -> Iterator[Problem]:
    write = mapping.write.get(sobject)
    if write is None:
        return
    for managed, targets in write.targets.items():
        key = f"write.{sobject}.{managed}"
        for target in targets:
            problem = _missing(file, key, sobject, target.field, fields)
            if problem:
                yield problem
                continue
            describe = fields[target.field]
            if not describe.get("updateable"):
                why = " (a formula)" if describe.get("calculated") else ""
                yield Problem(
                    file,
                    key,
                    f"{sobject}.{target.field} is not updateable{why}",
                    "write to an editable custom field, or give the integration user edit access",
                )
            kind = str(describe.get("type"))
            if kind not in _WRITE_TYPES[managed]:
                yield Problem(
                    file,
                    key,
                    f"{sobject}.{target.field} is a {kind} field; {managed} needs one of "
                    f"{', '.join(sorted(_WRITE_TYPES[managed]))}",
                    "map a field of a compatible type",
                )
            if kind == "picklist" and target.values:
                active = {
                    str(v["value"]) for v in describe.get("picklistValues", []) if v.get("active", True)
                }
                for canonical, value in target.values.items():
                    if str(value) not in active:
                        yield Problem(
                            file,
                            f"{key}.values.{canonical}",
                            f"{value!r} is not an active value of the {sobject}.{target.field} picklist",
                            f"add it in Setup, or map {canonical} to one of: {', '.join(sorted(active))}",
                        )
