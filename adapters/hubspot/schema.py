"""`check()`: the mapping against the portal's contact properties (the properties API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from hubspot import HubSpot

from leadsync.adapter_api import AdapterContext, AdapterError, AuthError, Problem, SchemaReport
from leadsync.kit import CrmField, FieldKind, SchemaWords, schema_problems

from .refusals import refused_streams
from .transport import Transport

__all__ = ["schema_report"]

_CONTACTS: Final = "contacts"
_KINDS: Final = {
    "string": FieldKind.TEXT,
    "phone_number": FieldKind.TEXT,
    "number": FieldKind.NUMBER,
    "date": FieldKind.WHEN,
    "datetime": FieldKind.WHEN,
    "bool": FieldKind.BOOL,
    "enumeration": FieldKind.CHOICE,
}
_WORDS: Final = SchemaWords(
    crm="HubSpot",
    noun="property",
    missing_fix=lambda _object, _field: (
        "`leadsync check --live` lists the portal's properties; "
        "create it under Settings → Properties or fix the name"
    ),
    read_only_fix="write to a custom property instead, e.g. leadsync_score",
    # written through the subscriptions API (consent.py): the property itself is read-only
    written_elsewhere=frozenset({"email_opt_out"}),
)


def schema_report(context: AdapterContext, client: HubSpot, transport: Transport) -> SchemaReport:
    """Every problem of the mapping against the portal; a refused token is a problem too."""
    file = str(context.mapping.file)
    api = client.crm.properties.core_api
    try:
        body = transport.call("properties", api.get_all, object_type=_CONTACTS).body
    except AuthError as exc:
        problem = Problem(file, "", f"HubSpot refused the access token ({exc})", "renew the token")
        return SchemaReport(context.name, (problem,))
    except AdapterError as exc:
        problem = Problem(file, "", f"the properties API failed: {exc}", "retry later")
        return SchemaReport(context.name, (problem,))
    properties = {str(p["name"]): _field(p) for p in body.get("results", [])}
    problems = schema_problems(context.mapping, {_CONTACTS: properties}, _WORDS)
    problems.extend(refused_streams(context, client, transport))
    return SchemaReport(context.name, tuple(problems))


def _field(prop: Mapping[str, Any]) -> CrmField:
    """A property in kit terms: an enumeration of external options picks an owner.

    HubSpot's property docs: `externalOptions` "should be set to true with a
    referencedObjectType of OWNER"; `readOnlyValue` marks a value only HubSpot sets.
    """
    native = str(prop.get("type", ""))
    kind = _KINDS.get(native, FieldKind.OTHER)
    if kind is FieldKind.CHOICE and prop.get("externalOptions"):
        kind = FieldKind.REFERENCE
    calculated = bool(prop.get("calculated"))
    return CrmField(
        name=str(prop["name"]),
        kind=kind,
        type_name=native,
        writable=not (calculated or (prop.get("modificationMetadata") or {}).get("readOnlyValue")),
        why_read_only="calculated" if calculated else "",
        options=frozenset(str(o.get("value")) for o in prop.get("options") or []),
    )
