"""`check()`: the mapping against the portal's contact properties (the properties API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from hubspot import HubSpot

from leadsync.adapter_api import (
    AdapterContext,
    AdapterError,
    AuthError,
    Problem,
    SchemaReport,
    WriteTarget,
)

from .refusals import refused_streams
from .transport import Transport

__all__ = ["schema_report"]


_CONTACTS: Final = "contacts"


_TYPES: Final[Mapping[str, frozenset[str]]] = {
    "score": frozenset({"number"}),
    "temperature": frozenset({"enumeration", "string"}),
    "stage": frozenset({"enumeration", "string"}),
    "owner": frozenset({"enumeration", "string"}),
    "stage_entered_at": frozenset({"date", "datetime"}),
    "reasons": frozenset({"string"}),
    "email_opt_out": frozenset({"bool"}),
}
_FIX_LIST: Final = (
    "`leadsync check --live` lists the portal's properties; "
    "create it under Settings → Properties or fix the name"
)


def schema_report(context: AdapterContext, client: HubSpot, transport: Transport) -> SchemaReport:
    """Every problem of the mapping against the portal; a refused token is a problem too."""
    file = str(context.mapping.file)
    api = client.crm.properties.core_api
    try:
        body = transport.call("properties", api.get_all, object_type=_CONTACTS).body
    except AuthError as exc:
        return SchemaReport(
            context.name, (Problem(file, "", f"HubSpot refused the access token ({exc})", "renew the token"),)
        )
    except AdapterError as exc:
        return SchemaReport(
            context.name, (Problem(file, "", f"the properties API failed: {exc}", "retry later"),)
        )
    properties = {str(p["name"]): p for p in body.get("results", [])}
    problems: list[Problem] = []
    people = context.mapping.people.get(_CONTACTS)
    for target, rule in people.fields.items() if people else ():
        name = rule.source.split(".")[0]
        if name not in properties:
            problems.append(
                Problem(
                    file,
                    f"people.{_CONTACTS}.fields.{target}",
                    f"{name!r} is not a contact property",
                    _FIX_LIST,
                )
            )
    write = context.mapping.write.get(_CONTACTS)
    for managed, targets in write.targets.items() if write else ():
        for n, write_target in enumerate(targets):
            key = f"write.{_CONTACTS}.{managed}" + (
                f"[{n}]" if len(targets) > 1 or managed == "stage" else ""
            )
            problems.extend(
                _target_problems(
                    file,
                    key=key,
                    managed=managed,
                    target=write_target,
                    prop=properties.get(write_target.field),
                )
            )
    problems.extend(refused_streams(context, client, transport))
    return SchemaReport(context.name, tuple(problems))


def _target_problems(
    file: str,
    *,
    key: str,
    managed: str,
    target: WriteTarget,
    prop: Mapping[str, Any] | None,
) -> list[Problem]:
    if prop is None:
        return [Problem(file, key, f"{target.field!r} is not a contact property", _FIX_LIST)]
    found: list[Problem] = []
    meta = prop.get("modificationMetadata") or {}
    # email_opt_out is written through the subscriptions API (consent.py): read-only is expected
    if (prop.get("calculated") or meta.get("readOnlyValue")) and managed != "email_opt_out":
        found.append(
            Problem(
                file,
                key,
                f"{target.field!r} is read-only in HubSpot",
                "write to a custom property instead, e.g. leadsync_score",
            )
        )
    kind = str(prop.get("type", ""))
    if kind not in _TYPES.get(managed, frozenset({kind})):
        wanted = " or ".join(sorted(_TYPES[managed]))
        found.append(
            Problem(
                file,
                key,
                f"{target.field!r} has type {kind}, {managed} needs {wanted}",
                f"map {managed} to a {wanted} property",
            )
        )
    options = {str(o.get("value")) for o in prop.get("options") or []}
    if target.values and kind == "enumeration":
        for model_value, crm_value in target.values.items():
            if str(crm_value) not in options:
                found.append(
                    Problem(
                        file,
                        f"{key}.values.{model_value}",
                        f"{crm_value!r} is not an option of {target.field!r}",
                        f"use one of: {', '.join(sorted(options))}",
                    )
                )
    return found
