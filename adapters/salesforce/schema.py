"""`check()`: the credentials work and every mapped field fits the org's schema (describe)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from leadsync.adapter_api import AdapterError, AuthError, CrmMapping, SchemaReport
from leadsync.kit import CallRefused, CrmField, FieldKind, SchemaWords, schema_problems
from leadsync.problems import Problem

from .client import UNSEEN_OBJECT, SalesforceClient
from .setup_fields import missing_field_fix

__all__ = ["schema_report"]

_KINDS: Final = {
    **dict.fromkeys(("string", "textarea", "email", "phone", "url", "combobox"), FieldKind.TEXT),
    **dict.fromkeys(("picklist", "multipicklist"), FieldKind.CHOICE),
    **dict.fromkeys(("id", "reference"), FieldKind.REFERENCE),
    **dict.fromkeys(("int", "double", "currency", "percent", "long"), FieldKind.NUMBER),
    **dict.fromkeys(("datetime", "date"), FieldKind.WHEN),
    "boolean": FieldKind.BOOL,
}
_WORDS: Final = SchemaWords(
    crm="Salesforce",
    noun="field",
    missing_fix=missing_field_fix,
    read_only_fix="write to an editable custom field, or give the integration user edit access",
)
_ACCESS_FIX: Final = "check the object's API name and the integration user's access"


def schema_report(client: SalesforceClient, crm: str, mapping: CrmMapping) -> SchemaReport:
    """Every problem with the credentials or the mapping against the org; never raises for them."""
    described: dict[str, Mapping[str, CrmField]] = {}
    problems: list[Problem] = []
    for sobject in sorted({*mapping.people, *mapping.write, *mapping.activities}):
        try:
            answer = client.restful(f"describe {sobject}", f"sobjects/{sobject}/describe")
        except AuthError as exc:
            return SchemaReport(crm, (Problem(f"crm.{crm}", "credentials", str(exc), "renew them"),))
        except AdapterError as exc:
            problems.append(_undescribed(mapping, sobject, exc))
            continue
        described[sobject] = {str(f["name"]): _field(f) for f in answer.get("fields", [])}
    return SchemaReport(crm, (*problems, *schema_problems(mapping, described, _WORDS)))


def _undescribed(mapping: CrmMapping, sobject: str, exc: AdapterError) -> Problem:
    """An object Salesforce would not describe; one only read as activities and refused (unknown,
    or out of the integration user's sight) is skipped by each read (`reads.py`)."""
    section = "write" if sobject in mapping.write else "people" if sobject in mapping.people else "activities"
    message, fix = f"cannot describe {sobject}: {exc}", _ACCESS_FIX
    if section == "activities" and isinstance(exc, CallRefused):
        message, fix = f"{message}; each cycle skips {sobject} with a warning", UNSEEN_OBJECT
    return Problem(str(mapping.file), f"{section}.{sobject}", message, fix)


def _field(describe: Mapping[str, Any]) -> CrmField:
    """A describe entry in kit terms; only active picklist values are options."""
    native = str(describe.get("type"))
    return CrmField(
        name=str(describe["name"]),
        kind=_KINDS.get(native, FieldKind.OTHER),
        type_name=native,
        writable=bool(describe.get("updateable")),
        why_read_only="a formula" if describe.get("calculated") else "",
        options=frozenset(
            str(v["value"]) for v in describe.get("picklistValues") or [] if v.get("active", True)
        ),
        relationship=describe.get("relationshipName"),
    )
