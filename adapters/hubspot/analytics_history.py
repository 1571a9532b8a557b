"""Page views and form submissions on every tier: the history of two contact analytics properties.

Below Enterprise the events API answers 403 (api-notes, "Corrections, 2026-12"), but every
tier keeps `hs_analytics_last_url` (Last Page Seen) and `recent_conversion_event_name` (Recent
Conversion) with their history: one version per page view / form submission, each with its
timestamp (docs/hubspot-tiers.md). Each version becomes one record shaped as the events API's
would be, so the `[activities.page_views]` and `[activities.form_submissions]` rules apply
unchanged (a URL with /pricing is a pricing_page_view, a "Request a demo" form a demo_request).

Incremental: only contacts seen since the cursor's stamp can hold a newer version. They are
found by a search on `hs_analytics_last_timestamp` (Time Last Seen) or `recent_conversion_date`
≥ that stamp (not `lastmodifieddate`: whether analytics updates move it is not documented),
keyset-paged by `hs_object_id` (no 10,000 cap), with no upper bound: a contact seen again after
the cycle's start still holds versions before it. Their history is read by contact batch reads
with `propertiesWithHistory`, ≤ 50 inputs a call (HubSpot refuses more with history). The
versions after the cursor and up to the cycle's start are held, sorted and emitted.

Key and ref: `<padded contact id>-<epoch ms>`, so a record re-read is the same activity.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from hubspot import HubSpot

from leadsync.kit import Answer, by_key, iso_ms, numeric_key, stamp_ms

from .activity_streams import StreamRow
from .batch_reads import batch_read
from .keyset import search_filter, searched, searcher
from .transport import Transport

__all__ = ["HISTORY_STREAMS", "history_rows"]

HISTORY_STREAMS: Final = {
    "analytics_page_views": "page_views",
    "analytics_form_submissions": "form_submissions",
}
"""Each history stream and the mapping section (and events-API stream) it stands in for."""
_PROPERTIES: Final = {  # stream → (property with history, property stamped when it last changed)
    "analytics_page_views": ("hs_analytics_last_url", "hs_analytics_last_timestamp"),
    "analytics_form_submissions": ("recent_conversion_event_name", "recent_conversion_date"),
}
_HISTORY_READS_PER_CALL: Final = 50
_SEARCH_LIMIT: Final = 200
_ID: Final = "hs_object_id"


def history_rows(
    client: HubSpot, transport: Transport, stream: str, after: tuple[int, str], until_ms: int
) -> Iterator[StreamRow]:
    """The stream's versions after `after` up to `until_ms`, in (stamp, key) order."""
    history_property, seen_property = _PROPERTIES[stream]
    ids = _contacts_seen_since(client, transport, seen_property, after[0])
    rows: list[StreamRow] = []
    for contact, value, stamp in _versions(client, transport, history_property, ids):
        key = f"{numeric_key(contact)}-{stamp}"
        if (stamp, key) > after and stamp <= until_ms:
            rows.append(StreamRow(stamp, key, _record(stream, contact, value, stamp), contact))
    rows.sort(key=lambda row: (row.stamp_ms, row.key))
    return iter(rows)


def _record(stream: str, contact: str, value: str, stamp: int) -> dict[str, Any]:
    """A version shaped as the events API's record of the same thing (see `web_events`)."""
    if stream == "analytics_page_views":
        return {"objectId": contact, "occurredAt": iso_ms(stamp), "properties": {"hs_url": value}}
    return {"submittedAt": stamp, "form": {"name": value, "id": None}, "pageUrl": None}


def _contacts_seen_since(
    client: HubSpot, transport: Transport, seen_property: str, since_ms: int
) -> list[str]:
    """Ids of the contacts whose `seen_property` is at or after `since_ms`, by keyset on the id."""
    search = searcher(client, transport, "contacts")

    def above(last_id: int) -> Answer[int]:
        filters = [search_filter(seen_property, "GTE", since_ms), search_filter(_ID, "GT", last_id)]
        return searched(
            search, [filters], _ID, properties=[_ID], limit=_SEARCH_LIMIT, row=lambda found: int(found["id"])
        )

    return [str(number) for page in by_key(above, 0, int) for number in page]


def _versions(
    client: HubSpot, transport: Transport, history_property: str, ids: Sequence[str]
) -> Iterator[tuple[str, str, int]]:
    """(contact id, value, epoch ms) of each version of the property, by batch reads of ≤ 50."""
    body = {"properties": ["hs_object_id"], "propertiesWithHistory": [history_property]}
    what, per_call = "contacts batch read with history", _HISTORY_READS_PER_CALL
    for result in batch_read(client, transport, ids, body, what=what, per_call=per_call):
        versions = (result.get("propertiesWithHistory") or {}).get(history_property) or []
        for version in versions:
            if version.get("value") not in (None, "") and version.get("timestamp"):
                yield str(result["id"]), str(version["value"]), stamp_ms(version["timestamp"])
