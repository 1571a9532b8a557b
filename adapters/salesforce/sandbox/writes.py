"""Updates: sObject Collections (`PATCH composite/sobjects`) and single records (`PATCH sobjects/T/id`).

The body is read like Salesforce's JSON reader does, before anything is saved: a value of the
wrong JSON type (JSON_PARSER_ERROR), a record without `attributes.type` or more than 200
records (EXCEEDED_ID_LIMIT) fail the whole call with 400. Then each record is saved or
refused on its own, in request order, with Salesforce's codes: INVALID_FIELD for an unknown
field (a per-record error, as recorded in tests/fixtures/recorded/salesforce/
collections_update_all_or_none.json; a single-record PATCH answers 400), MISSING_ARGUMENT,
MALFORMED_ID, INVALID_CROSS_REFERENCE_KEY, ENTITY_IS_DELETED, CANNOT_UPDATE_CONVERTED_LEAD,
UNABLE_TO_LOCK_ROW, INVALID_FIELD_FOR_INSERT_UPDATE, field checks (restricted picklist, length,
e-mail, required, lookups and owners) and the test's validation rule
(FIELD_CUSTOM_VALIDATION_EXCEPTION). A failed record's result has no `id`. With `allOrNone`
any failure saves nothing and the valid records report ALL_OR_NONE_OPERATION_ROLLED_BACK.
Every record saved by one call gets the same stamp.

Records of several types are processed as chunks of consecutive same-type records, at most
10 per request (REST API Developer Guide, sObject Collections usage guidelines): more fail
the whole call. The real envelope of that refusal is not recorded anywhere we found; the
sandbox's (400, `INVALID_BATCH_REQUEST`, the Apex message) is a guess, so adapters must cope
with a whole-request error list as well as per-record errors.

The org's active lead assignment rule runs on every Lead a REST call saves unless the call
carries `Sforce-Auto-Assign: FALSE` (REST API guide, "Assignment Rule Header"; TRUE is the
default): the sandbox's rule sends each such Lead to `Store.assignment_owner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from .errors import SalesforceError, not_found
from .ids import normalize_id, object_of
from .schema import FieldSpec
from .store import Store, Table
from .validation import Error, error, field_errors
from .values import Value, coerce, datetime_text

__all__ = ["MAX_CHUNKS", "MAX_RECORDS", "update_collection", "update_one"]

MAX_RECORDS = 200
MAX_CHUNKS = 10
_ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using AllOrNone header"
)


@dataclass(frozen=True, slots=True)
class _Request:
    """One record of the body, read: its object, raw id and typed changes."""

    table: Table
    raw_id: object
    changes: dict[FieldSpec, Value]
    refused: list[Error] | None = None  # read, but not savable (an unknown field)


def update_collection(
    store: Store, body: object, user_id: str, *, auto_assign: bool
) -> list[dict[str, object]]:
    """Answer `PATCH composite/sobjects`: one result per record, in request order."""
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SalesforceError(
            400, "JSON_PARSER_ERROR", "The request body must be an object with a records list"
        )
    records: list[object] = body["records"]
    if len(records) > MAX_RECORDS:
        raise SalesforceError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
    all_or_none = body.get("allOrNone", False) is True
    requests = [_read(store, record, None) for record in records]
    chunks = sum(1 for _ in groupby(request.table.spec.name for request in requests))
    if chunks > MAX_CHUNKS:
        raise SalesforceError(
            400,
            "INVALID_BATCH_REQUEST",  # unverified: see the module docstring
            "Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce "
            "chunking.",
        )
    with store.lock:
        seen: set[str] = set()
        outcomes = [_check(store, request, seen) for request in requests]
        failed = any(isinstance(outcome, list) for outcome in outcomes)
        stamp = datetime_text(store.clock.now())
        results: list[dict[str, object]] = []
        for request, outcome in zip(requests, outcomes, strict=True):
            if isinstance(outcome, list):
                results.append({"success": False, "errors": outcome})
            elif all_or_none and failed:
                results.append(
                    {
                        "id": outcome,
                        "success": False,
                        "errors": [error("ALL_OR_NONE_OPERATION_ROLLED_BACK", _ROLLED_BACK)],
                    }
                )
            else:
                _apply(store, request, outcome, user_id, stamp, auto_assign=auto_assign)
                results.append({"id": outcome, "success": True, "errors": []})
        return results


def update_one(
    store: Store, sobject: str, record_id: str, body: object, user_id: str, *, auto_assign: bool
) -> None:
    """Answer `PATCH sobjects/<Type>/<Id>`: save, or raise the first error (400, or 404)."""
    table = store.table(sobject)
    normal = normalize_id(record_id)
    if normal is None or object_of(normal) != table.spec.name:
        raise not_found()
    request = _read(store, body, table, raw_id=normal)
    with store.lock:
        outcome = _check(store, request, set())
        if isinstance(outcome, list):
            first = outcome[0]
            status = 404 if first["statusCode"] in ("ENTITY_IS_DELETED", "NOT_FOUND") else 400
            fields = first["fields"]
            code, message = str(first["statusCode"]), str(first["message"])
            raise SalesforceError(status, code, message, fields if isinstance(fields, list) else None)
        _apply(store, request, outcome, user_id, datetime_text(store.clock.now()), auto_assign=auto_assign)


def _read(store: Store, record: object, table: Table | None, *, raw_id: object = None) -> _Request:
    single = table is not None  # `PATCH sobjects/T/id`, else one record of a collection
    if not isinstance(record, dict):
        raise SalesforceError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
    if table is None:
        attributes = record.get("attributes")
        sobject = attributes.get("type") if isinstance(attributes, dict) else None
        if not isinstance(sobject, str):
            raise SalesforceError(400, "INVALID_TYPE", "Must send a concrete entity type.")
        try:
            table = store.table(sobject)
        except KeyError:
            raise SalesforceError(
                400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported."
            ) from None
    changes: dict[FieldSpec, Value] = {}
    unknown: list[str] = []
    for key, raw in record.items():
        if key == "attributes":
            continue
        if key.lower() == "id" and raw_id is None:
            raw_id = raw if raw is not None else ""
            continue
        spec = table.spec.field(key)
        if spec is None:
            unknown.append(f"No such column '{key}' on sobject of type {table.spec.name}")
            continue
        try:
            changes[spec] = coerce(spec.type, raw)
        except ValueError:
            raise SalesforceError(
                400, "JSON_PARSER_ERROR",
                f"Cannot deserialize instance of {spec.type} from {_json_kind(raw)} value {raw} "
                "or request may be missing a required field",
            ) from None  # fmt: skip
    if unknown and single:
        raise SalesforceError(400, "INVALID_FIELD", unknown[0])
    return _Request(table, raw_id, changes, [error("INVALID_FIELD", message) for message in unknown] or None)


def _check(store: Store, request: _Request, seen: set[str]) -> str | list[Error]:
    """The record's 18-character id when it can be saved, else its errors."""
    table, raw = request.table, request.raw_id
    if request.refused:
        return request.refused
    if raw is None or raw == "":
        return [error("MISSING_ARGUMENT", "Id not specified in an update call")]
    normal = normalize_id(str(raw))
    if normal is None or object_of(normal) != table.spec.name:
        return [error("MALFORMED_ID", f"{table.spec.label} ID: id value of incorrect type: {raw}", ["Id"])]
    row = table.rows.get(normal)
    if row is None:
        return [error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")]
    if table.value(row, "IsDeleted"):
        return [error("ENTITY_IS_DELETED", "entity is deleted")]
    if normal in seen:
        return [error("DUPLICATE_VALUE", f"Duplicate id in list: {normal}")]
    seen.add(normal)
    if table.spec.name == "Lead" and table.value(row, "IsConverted"):
        return [error("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")]
    if store.is_locked(normal):
        return [
            error(
                "UNABLE_TO_LOCK_ROW",
                f"unable to obtain exclusive access to this record or 1 records: {normal}",
            )
        ]
    errors = field_errors(store, table, request.changes)
    if errors:
        return errors
    rejection = store.rejection(normal)
    return [error("FIELD_CUSTOM_VALIDATION_EXCEPTION", rejection)] if rejection else normal


def _apply(
    store: Store, request: _Request, record_id: str, user_id: str, stamp: str, *, auto_assign: bool
) -> None:
    table = request.table
    row = table.rows[record_id]
    for spec, value in request.changes.items():
        row[table.columns[spec.name]] = (
            normalize_id(str(value)) if spec.type == "reference" and value else value
        )
    if auto_assign and table.spec.name == "Lead" and store.assignment_owner:
        row[table.columns["OwnerId"]] = store.assignment_owner
    store.stamp(table, row, user_id, stamp)


def _json_kind(raw: object) -> str:
    if isinstance(raw, bool):
        return "VALUE_TRUE" if raw else "VALUE_FALSE"
    if isinstance(raw, int):
        return "VALUE_NUMBER_INT"
    if isinstance(raw, float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(raw, str):
        return "VALUE_STRING"
    return "START_OBJECT" if isinstance(raw, dict) else "START_ARRAY"
