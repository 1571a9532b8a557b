"""Each activity stream's records after a (stamp, key) point, up to a cap, in (stamp, key) order.

- Page views and form submissions: `web_events`.
- Marketing e-mail events: legacy `GET /email/public/v1/events` with inclusive
  `startTimestamp`/`endTimestamp`; it answers newest first with offsets, so the window is read
  whole before its oldest event is known (memory grows with the events of one cycle's window).
- Marketing-event participations: the breakdown of each marketing event (the API has no time
  filter: every cycle reads each event's participations, ≤ 100 per call, and keeps those after
  the point). Stamp: `createdAt`, when HubSpot recorded it, so a late record is not lost. The
  events are the configured ones, or else every event of the portal, listed once per read by
  `GET /marketing/v3/marketing-events/` (≤ 100 per call, `objectId` is the breakdown's
  `marketingEventId`; hubspot-api-client 12.0.0 `basic_api.get_all`).

Those two streams are held whole (`held_rows`: each record keeps only the fields its mapping
reads, packed small, and is let go of as soon as it is emitted).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any, Final, NamedTuple

from hubspot import HubSpot

from leadsync.kit import HeldRows, every_row, fan_out, json_at, numeric_key, stamp_ms

from .transport import Transport

__all__ = [
    "StreamRow",
    "drained",
    "email_event_rows",
    "email_events_page",
    "marketing_event_ids",
    "participation_rows",
]

_EMAIL_EVENTS_PER_PAGE: Final = 1000
_PARTICIPATIONS_PER_PAGE: Final = 100
_MARKETING_EVENTS_PER_PAGE: Final = 100


class StreamRow(NamedTuple):
    """One record of a stream: its cursor stamp and key, the record, and who it is about."""

    stamp_ms: int
    key: str
    record: dict[str, Any]
    person: str  # the contact id; for e-mail events, the recipient until resolved


def email_events_page(
    client: HubSpot, transport: Transport, query: list[tuple[str, object]]
) -> Mapping[str, Any]:
    """One page of the legacy marketing e-mail events API, which has no client method: its ApiClient
    calls it."""
    return transport.call(
        "email events",
        client.events.events_api.api_client.call_api,
        resource_path="/email/public/v1/events",
        method="GET",
        query_params=query,
        header_params={"Accept": "application/json"},
        auth_settings=["oauth2"],
    ).body


def email_event_rows(
    client: HubSpot, transport: Transport, after: tuple[int, str], until_ms: int, *, fields: Collection[str]
) -> HeldRows:
    """Marketing e-mail events after `after`, each keeping only `fields`; the person is the recipient."""
    window = [("startTimestamp", after[0]), ("endTimestamp", until_ms), ("limit", _EMAIL_EVENTS_PER_PAGE)]

    def page(offset: str | None) -> tuple[list[dict[str, Any]], str | None]:
        body = email_events_page(client, transport, [*window, *([("offset", offset)] if offset else [])])
        return body.get("events", []), body.get("offset") if body.get("hasMore") else None

    rows = HeldRows(fields)
    for raw in every_row(page, ahead=True):
        stamp, key = int(raw["created"]), str(raw["id"])
        if (stamp, key) > after:
            rows.add(stamp, key, raw, str(raw.get("recipient") or ""))
    return rows


def marketing_event_ids(client: HubSpot, transport: Transport) -> list[str]:
    """The id of every marketing event of the portal, listed 100 a call."""
    api = client.marketing.events.basic_api
    listed = transport.listed("marketing-events list", api.get_all, limit=_MARKETING_EVENTS_PER_PAGE)
    return [str(raw["objectId"]) for raw in listed if raw.get("objectId")]


def participation_rows(
    client: HubSpot,
    transport: Transport,
    event_ids: Iterable[str],
    after: tuple[int, str],
    until_ms: int,
    *,
    fields: Collection[str],
) -> Iterator[StreamRow]:
    """Participations in the given marketing events recorded after `after`, each keeping only `fields`;
    the events' listings are read side by side, as many at once as calls may be in flight."""
    api = client.marketing.events.retrieve_participant_state_api

    def participations(event_id: str) -> list[dict[str, Any]]:
        listed = transport.listed(
            "marketing-event participations", api.get_participations_breakdown_by_marketing_event_id,
            marketing_event_id=int(event_id), limit=_PARTICIPATIONS_PER_PAGE,
        )  # fmt: skip
        return list(listed)

    rows = HeldRows(fields)
    ids, at_once = iter(event_ids), transport.limiter.at_once
    while some := list(itertools.islice(ids, at_once)):  # a few events' listings held at a time
        for raw in itertools.chain.from_iterable(fan_out(participations, some, at_once=at_once)):
            stamp, key = stamp_ms(raw["createdAt"]), numeric_key(raw["id"])
            if (stamp, key) > after and stamp <= until_ms:
                rows.add(stamp, key, raw, str(json_at(raw, "associations", "contact", "contactId") or ""))
    return drained(rows)


def drained(rows: HeldRows) -> Iterator[StreamRow]:
    """The held rows, oldest first, each let go of once yielded."""
    return map(StreamRow._make, rows.drained())
