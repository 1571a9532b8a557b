"""Meetings and calls changed after a cursor, merged in (stamp, id) order, with their contacts.

Each engagement type is read with the same keyset search as contacts, on
`hs_lastmodifieddate`; the streams are merged so one cursor serves both. Contacts come from
one v4 batch association read per type and page (≤ 1,000 inputs), never one call per record.
Not read yet: page views, form submissions, e-mail events, marketing-event participations.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from hubspot import HubSpot

from leadsync.adapter_api import AdapterContext, Page, Rejection
from leadsync.model import Activity, Cursor, RecordRef

from .keyset import SearchSpec, epoch_ms, instant, rows_after
from .settings import HubSpotSettings
from .transport import Response, Transport

__all__ = ["ENGAGEMENTS", "changed_activities"]

ENGAGEMENTS: Final = ("meetings", "calls")
_STAMP: Final = "hs_lastmodifieddate"
_ASSOCIATIONS_PER_CALL: Final = 1000


def changed_activities(
    context: AdapterContext, client: HubSpot, transport: Transport, settings: HubSpotSettings, since: Cursor
) -> Iterator[Page[Activity]]:
    """Pages of activities strictly after `since`, up to the cycle's start."""
    until_ms = epoch_ms(context.clock.now())
    streams = []
    for object_type in ENGAGEMENTS:
        mapping = context.mapping.activities.get(object_type)
        if mapping is None:
            continue
        fields = {f for f in mapping.source_fields() if not f.startswith("associations.")}
        spec = SearchSpec(
            _STAMP,
            sorted(fields | {"hs_object_id", _STAMP}),
            settings.page_size,
            _searcher(client, transport, object_type),
        )
        pages = rows_after(
            spec,
            epoch_ms(since.stamp),
            int(since.record_id or 0) if since.record_id.isdigit() else 0,
            until_ms,
        )
        streams.append((row[0], row[1], object_type, row[2]) for page in pages for row in page)
    batch: list[tuple[int, int, str, dict[str, Any]]] = []
    for item in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
        batch.append(item)
        if len(batch) == settings.page_size:
            yield _page(context, client, transport, batch)
            batch = []
    if batch:
        yield _page(context, client, transport, batch)


def _searcher(
    client: HubSpot, transport: Transport, object_type: str
) -> Callable[[dict[str, Any]], Response]:
    api = getattr(client.crm.objects, object_type).search_api

    def search(body: dict[str, Any]) -> Response:
        return transport.call(
            f"{object_type} search", api.do_search, search=True, public_object_search_request=body
        )

    return search


def _page(
    context: AdapterContext,
    client: HubSpot,
    transport: Transport,
    batch: Sequence[tuple[int, int, str, dict[str, Any]]],
) -> Page[Activity]:
    contacts: dict[tuple[str, str], str] = {}
    for object_type in ENGAGEMENTS:
        ids = [str(number) for _, number, kind, _ in batch if kind == object_type]
        contacts.update(
            ((object_type, k), v) for k, v in _contacts_of(client, transport, object_type, ids).items()
        )
    items: list[Activity] = []
    rejected: list[Rejection] = []
    for _, number, object_type, record in batch:
        ref = RecordRef(context.name, object_type, str(number))
        contact = contacts.get((object_type, str(number)))
        if contact is None:
            continue  # an engagement with no contact is no one's signal
        values = {**(record.get("properties") or {}), "associations": {"contacts": contact}}
        try:
            activity = context.mapping.activities[object_type].to_activity(
                values, ref, RecordRef(context.name, "contacts", contact)
            )
        except ValueError as exc:
            rejected.append(Rejection(ref, str(exc)[:200]))
            continue
        if activity is not None:
            items.append(activity)
    stamp_ms, number = batch[-1][0], batch[-1][1]
    return Page(tuple(items), Cursor(instant(stamp_ms), str(number)), tuple(rejected))


def _contacts_of(
    client: HubSpot, transport: Transport, object_type: str, ids: Sequence[str]
) -> Mapping[str, str]:
    """Each engagement's first associated contact (lowest id), in batch reads of ≤ 1,000."""
    api = client.crm.associations.v4.batch_api
    found: dict[str, str] = {}
    for start in range(0, len(ids), _ASSOCIATIONS_PER_CALL):
        body = {"inputs": [{"id": i} for i in ids[start : start + _ASSOCIATIONS_PER_CALL]]}
        answer = transport.call(
            "associations batch read",
            api.get_page,
            from_object_type=object_type,
            to_object_type="contacts",
            batch_input_public_fetch_associations_batch_request=body,
        )
        for result in answer.body.get("results", []):
            targets = sorted((str(t["toObjectId"]) for t in result.get("to", [])), key=int)
            if targets:
                found[str(result["from"]["id"])] = targets[0]
    return found
