"""Field-level save checks, worded as Salesforce words them (each error names its field).

Read-only fields fail first, all together (INVALID_FIELD_FOR_INSERT_UPDATE); then each field:
required (REQUIRED_FIELD_MISSING), restricted picklist (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST),
length (STRING_TOO_LONG), e-mail syntax (INVALID_EMAIL_ADDRESS), lookups (MALFORMED_ID for a
non-id, FIELD_INTEGRITY_EXCEPTION for an id of another object, INVALID_CROSS_REFERENCE_KEY
for no such record) and owners (INACTIVE_OWNER_OR_USER for an inactive user).
"""

from __future__ import annotations

import re

from .ids import normalize_id, object_of
from .schema import STRING_TYPES, FieldSpec
from .store import Store, Table
from .values import Value

__all__ = ["Error", "error", "field_errors"]

Error = dict[str, object]
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_READ_ONLY = (
    "Unable to create/update fields: {names}. Please check the security settings of this field and verify "
    "that it is read/write for your profile or permission set."
)


def error(code: str, message: str, fields: list[str] | None = None) -> Error:
    """One per-record error as sObject Collections reports it."""
    return {"statusCode": code, "message": message, "fields": fields or []}


def field_errors(store: Store, table: Table, changes: dict[FieldSpec, Value]) -> list[Error]:
    """What saving these values on a record of `table` fails with (empty: nothing)."""
    read_only = [spec.name for spec in changes if not spec.updateable]
    if read_only:
        return [
            error("INVALID_FIELD_FOR_INSERT_UPDATE", _READ_ONLY.format(names=", ".join(read_only)), read_only)
        ]
    errors = []
    for spec, value in changes.items():
        problem = _field_error(store, table, spec, value)
        if problem is not None:
            errors.append(problem)
    return errors


def _field_error(store: Store, table: Table, spec: FieldSpec, value: Value) -> Error | None:
    if value is None:
        if spec.nillable:
            return None
        return error("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{spec.name}]", [spec.name])
    if spec.type == "picklist" and spec.restricted and value not in spec.picklist:
        message = f"{spec.label}: bad value for restricted picklist field: {value}"
        return error("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message, [spec.name])
    if spec.type in STRING_TYPES and spec.length and len(str(value)) > spec.length:
        message = f"{spec.label}: data value too large: {value} (max length={spec.length})"
        return error("STRING_TOO_LONG", message, [spec.name])
    if spec.type == "email" and not _EMAIL.match(str(value)):
        return error("INVALID_EMAIL_ADDRESS", f"{spec.label}: invalid email address: {value}", [spec.name])
    if spec.type == "reference":
        return _lookup_error(store, table, spec, str(value))
    return None


def _lookup_error(store: Store, table: Table, spec: FieldSpec, value: str) -> Error | None:
    label = spec.label.removesuffix(" ID") + " ID"
    normal = normalize_id(value)
    if normal is None:
        return error("MALFORMED_ID", f"{label}: id value of incorrect type: {value}", [spec.name])
    if object_of(normal) not in spec.reference_to:
        return error(
            "FIELD_INTEGRITY_EXCEPTION", f"{label}: id value of incorrect type: {value}", [spec.name]
        )
    target = store.resolve(normal)
    if target is None:
        return error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [spec.name])
    target_table, target_row = target
    if (
        spec.name == "OwnerId"
        and target_table.spec.name == "User"
        and not target_table.value(target_row, "IsActive")
    ):
        message = f"operation performed with inactive user [{normal}] as owner of {table.spec.name.lower()}"
        return error("INACTIVE_OWNER_OR_USER", message)
    return None
