"""The lead fields as `GET /rest/v1/leads/describe2.json` lists them, for `check --live` and writes.

The answer is `result: [{name: "Lead", searchableFields, fields: [{name, displayName, dataType,
length, updateable, crmManaged}]}]` (swagger-mapi.json, `LeadAttribute2`). A field Marketo's
native CRM sync manages (`crmManaged`) is written in the CRM, not here.
"""

from __future__ import annotations

from typing import Final

from leadsync import kit

from .client import MarketoClient, Row

__all__ = ["KINDS", "lead_fields"]

KINDS: Final = {
    "integer": kit.FieldKind.NUMBER, "float": kit.FieldKind.NUMBER, "currency": kit.FieldKind.NUMBER,
    "score": kit.FieldKind.NUMBER, "percent": kit.FieldKind.NUMBER, "boolean": kit.FieldKind.BOOL,
    "date": kit.FieldKind.WHEN, "datetime": kit.FieldKind.WHEN, "reference": kit.FieldKind.REFERENCE,
}  # fmt: skip


def lead_fields(client: MarketoClient) -> dict[str, kit.CrmField]:
    """Every lead field by its REST name."""
    answer = client.call("lead schema", "GET", "/rest/v1/leads/describe2.json")
    found: dict[str, kit.CrmField] = {}
    for lead in answer.get("result") or ():
        for field in lead.get("fields") or ():
            found[str(field["name"])] = _field(field)
    return found


def _field(field: Row) -> kit.CrmField:
    kind = str(field.get("dataType") or "")
    if field.get("crmManaged"):
        why = "managed by Marketo's native CRM sync (written in the CRM)"
    elif not field.get("updateable", True):
        why = "set by Marketo"
    else:
        why = ""
    return kit.CrmField(str(field["name"]), KINDS.get(kind, kit.FieldKind.TEXT), kind, not why, why)
