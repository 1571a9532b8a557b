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

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import Any, Final, NamedTuple

from hubspot import HubSpot

from leadsync.kit import HeldRows, numeric_key

from .keyset import instant
from .transport import Transport

__all__ = [
    "StreamRow",
    "drained",
    "email_event_rows",
    "iso",
    "marketing_event_ids",
    "ms",
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


def email_event_rows(
    client: HubSpot, transport: Transport, after: tuple[int, str], until_ms: int, *, fields: Collection[str]
) -> HeldRows:
    """Marketing e-mail events after `after`, each keeping only `fields`; the person is the recipient.

    The legacy API has no client method: its ApiClient calls it.
    """
    api_client = client.events.events_api.api_client
    rows = HeldRows(fields)
    offset: str | None = None
    while True:
        query: list[tuple[str, object]] = [
            ("startTimestamp", after[0]),
            ("endTimestamp", until_ms),
            ("limit", _EMAIL_EVENTS_PER_PAGE),
        ]
        if offset:
            query.append(("offset", offset))
        body = transport.call(
            "email events",
            api_client.call_api,
            resource_path="/email/public/v1/events",
            method="GET",
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["oauth2"],
        ).body
        for raw in body.get("events", []):
            stamp_ms, key = int(raw["created"]), str(raw["id"])
            if (stamp_ms, key) > after:
                rows.add(stamp_ms, key, raw, str(raw.get("recipient") or ""))
        offset = body.get("offset")
        if not body.get("hasMore") or not offset:
            return rows


def marketing_event_ids(client: HubSpot, transport: Transport) -> list[str]:
    """The id of every marketing event of the portal, listed 100 a call."""
    api = client.marketing.events.basic_api
    ids: list[str] = []
    page_after: str | None = None
    while True:
        body = transport.call(
            "marketing-events list", api.get_all, limit=_MARKETING_EVENTS_PER_PAGE, after=page_after
        ).body
        ids.extend(str(raw["objectId"]) for raw in body.get("results", []) if raw.get("objectId"))
        page_after = ((body.get("paging") or {}).get("next") or {}).get("after")
        if not page_after:
            return ids


def participation_rows(
    client: HubSpot,
    transport: Transport,
    event_ids: Iterable[str],
    after: tuple[int, str],
    until_ms: int,
    *,
    fields: Collection[str],
) -> Iterator[StreamRow]:
    """Participations in the given marketing events recorded after `after`, each keeping only `fields`."""
    api = client.marketing.events.retrieve_participant_state_api
    rows = HeldRows(fields)
    for event_id in event_ids:
        page_after: str | None = None
        while True:
            body = transport.call(
                "marketing-event participations",
                api.get_participations_breakdown_by_marketing_event_id,
                marketing_event_id=int(event_id),
                limit=_PARTICIPATIONS_PER_PAGE,
                after=page_after,
            ).body
            for raw in body.get("results", []):
                stamp_ms, key = ms(raw["createdAt"]), numeric_key(raw["id"])
                if (stamp_ms, key) > after and stamp_ms <= until_ms:
                    contact = ((raw.get("associations") or {}).get("contact") or {}).get("contactId")
                    rows.add(stamp_ms, key, raw, str(contact or ""))
            page_after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not page_after:
                break
    return drained(rows)


def drained(rows: HeldRows) -> Iterator[StreamRow]:
    """The held rows, oldest first, each let go of once yielded."""
    return map(StreamRow._make, rows.drained())


def ms(value: object) -> int:
    """An instant (epoch ms or ISO 8601 text) in epoch ms."""
    text = str(value)
    if text.isdigit():
        return int(text)
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def iso(stamp_ms: int) -> str:
    """Epoch ms as ISO 8601 text with milliseconds, as the events API takes it."""
    return instant(stamp_ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")
