"""Helpers for the HubSpot sandbox tests: raw answers, search bodies."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from hubspot.crm.contacts import PublicObjectSearchRequest

from adapters.hubspot.sandbox import HubSpotSandbox

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def body(response: Any) -> Any:
    """The JSON of an answer asked for with `_preload_content=False`."""
    return json.loads(response.data)


def headers(response: Any) -> Any:
    """The headers of an answer asked for with `_preload_content=False` (reads the body: frees the socket)."""
    response.data  # noqa: B018 - reading it releases the connection
    return response.headers


def error_body(exc: Any) -> dict[str, Any]:
    """The JSON body of a client ApiException."""
    return json.loads(exc.body)


def search(
    filters: list[dict[str, Any]] | None = None,
    *,
    groups: list[list[dict[str, Any]]] | None = None,
    sort: Any = None,
    limit: int = 200,
    after: str | None = None,
    properties: list[str] | None = None,
) -> PublicObjectSearchRequest:
    """A search request; `sorts` may be a dict or HubSpot's string form."""
    filter_groups = (
        [{"filters": g} for g in groups] if groups else ([{"filters": filters}] if filters else [])
    )
    return PublicObjectSearchRequest(
        filter_groups=filter_groups,
        sorts=[sort] if sort else None,
        limit=limit,
        after=after,
        properties=properties,
    )


def since_epoch(property_name: str = "lastmodifieddate") -> dict[str, Any]:
    """A filter every record passes: modified after 1970."""
    return {"propertyName": property_name, "operator": "GT", "value": "0"}


def busiest_stamp(sandbox: HubSpotSandbox) -> tuple[str, list[str]]:
    """The `lastmodifieddate` most contacts share, and their ids."""
    values = {cid: sandbox.store.contact(cid) for cid in sandbox.store.ids()}
    stamps = Counter(v["lastmodifieddate"] for v in values.values() if v)
    stamp, _ = stamps.most_common(1)[0]
    return stamp, sorted((cid for cid, v in values.items() if v and v["lastmodifieddate"] == stamp), key=int)
