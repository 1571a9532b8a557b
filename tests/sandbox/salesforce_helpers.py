"""Helpers for the Salesforce sandbox tests: error bodies, stamps, collections payloads."""

from __future__ import annotations

from typing import Any

from simple_salesforce.exceptions import SalesforceError


def error_body(exc: SalesforceError) -> Any:
    """The decoded error body (simple-salesforce types it as bytes; it holds the parsed JSON)."""
    return exc.content


def error_codes(exc: SalesforceError) -> list[str]:
    """The errorCode of each item of a Salesforce error body."""
    return [item["errorCode"] for item in error_body(exc)]


def patch_records(
    sf: Any, records: list[dict[str, Any]], *, all_or_none: bool = False
) -> list[dict[str, Any]]:
    """Send an sObject Collections update the way the adapter will (simple-salesforce has no helper)."""
    body = {"allOrNone": all_or_none, "records": records}
    result: list[dict[str, Any]] = sf.restful("composite/sobjects", method="PATCH", json=body)
    return result


def where_id(fields: str, sobject: str, field: str, value: str) -> str:
    """A query for the records whose `field` equals `value` (a text or id literal)."""
    literal = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"SELECT {fields} FROM {sobject} WHERE {field} = '{literal}'"  # noqa: S608 - SOQL to the sandbox


def lead(record_id: str, **fields: Any) -> dict[str, Any]:
    """One Lead of a collections payload."""
    return {"attributes": {"type": "Lead"}, "id": record_id, **fields}


def status_codes(result: dict[str, Any]) -> list[str]:
    """The statusCode of each error of one collections result."""
    return [error["statusCode"] for error in result["errors"]]
