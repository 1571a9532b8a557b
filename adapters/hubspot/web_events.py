"""Page views and form submissions from the events API (`GET /events/v3/events/`), after a point.

Each event type is one query: `occurredAfter` (exclusive: asked for 1 ms before the stamp) and
`occurredBefore` (the cap + 1 ms), sorted ascending, paged by `after` inside that one query.
HubSpot orders ties in no known way, so the records of one stamp are held until the next stamp
shows, then sorted by event id (the kit's `stamp_groups`).

Cursors: `paging.next.after` comes back already URL-encoded (real values end in `%3D%3D`), and
hubspot-api-client encodes what it is given, so it is decoded once before it is passed on: the
server then receives what `paging.next.link` carries (api-notes, "Corrections, 2026-12").

Form submissions: one submission shows as several event types that together describe it
(`e_submitted_form`, `e_form_submission_v2`, `e_form_submission_metadata_v2`; api-notes,
"Corrections, 2026-12"). All three are read, and the events of one contact at one instant are
one submission: their properties are merged (first value of each wins) and the submission's key
is its smallest event id. Grouping happens before the resume point is applied, so a submission
whose first event was emitted is never emitted again. Which type carries which property is not
recorded anywhere we found; the reshaped record takes `hs_form_title`, `hs_form_id`, `hs_url`
from whichever has them.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any, Final
from urllib.parse import unquote

from hubspot import HubSpot

from leadsync.kit import iso_ms, stamp_groups, stamp_ms

from .activity_streams import StreamRow
from .transport import Transport

__all__ = ["FORM_EVENT_TYPES", "form_rows", "probe_events", "web_event_rows"]

FORM_EVENT_TYPES: Final = ("e_submitted_form", "e_form_submission_v2", "e_form_submission_metadata_v2")
_EVENTS_PER_PAGE: Final = 100
_ORDER: Final = attrgetter("stamp_ms", "key")  # a row's place in read order
_PERSON: Final = attrgetter("person")


def probe_events(client: HubSpot, transport: Transport) -> None:
    """Ask the events API for one event: ForbiddenError when the portal or token may not read it."""
    transport.call("events", client.events.events_api.get_page, object_type="contact", limit=1)


def web_event_rows(
    client: HubSpot, transport: Transport, event_type: str, after: tuple[int, str], until_ms: int
) -> Iterator[StreamRow]:
    """Events of one type (`e_visited_page`) after `after`, in (stamp, id) order."""
    rows = _rows(client, transport, event_type, after[0], until_ms)
    return (row for group in stamp_groups(rows, _ORDER) for row in group if _ORDER(row) > after)


def form_rows(
    client: HubSpot, transport: Transport, after: tuple[int, str], until_ms: int
) -> Iterator[StreamRow]:
    """Form submissions after `after`, each once whatever the event types it shows as."""
    typed = [_rows(client, transport, kind, after[0], until_ms) for kind in FORM_EVENT_TYPES]
    for group in stamp_groups(heapq.merge(*typed, key=_ORDER), _ORDER):
        submissions = [_submission(e) for _, e in itertools.groupby(sorted(group, key=_PERSON), _PERSON)]
        yield from (row for row in sorted(submissions, key=_ORDER) if _ORDER(row) > after)


def _rows(
    client: HubSpot, transport: Transport, event_type: str, from_ms: int, until_ms: int
) -> Iterator[StreamRow]:
    """Every event of one type from `from_ms` (inclusive) to `until_ms`, in stamp order."""
    listed = transport.listed(
        "events", client.events.events_api.get_page, unquote,  # cursors come URL-encoded; the client encodes
        object_type="contact", event_type=event_type, occurred_after=iso_ms(from_ms - 1),
        occurred_before=iso_ms(until_ms + 1), sort=["ASCENDING"], limit=_EVENTS_PER_PAGE,
    )  # fmt: skip
    return (
        StreamRow(stamp_ms(raw["occurredAt"]), str(raw["id"]), raw, str(raw.get("objectId") or ""))
        for raw in listed
    )


def _submission(events: Iterable[StreamRow]) -> StreamRow:
    """One form submission from its events (same contact, same instant), reshaped for the mapping."""
    ordered = sorted(events, key=_ORDER)
    properties: dict[str, Any] = {}
    for row in ordered:
        for name, value in (row.record.get("properties") or {}).items():
            if value not in (None, "") and name not in properties:
                properties[name] = value
    first = ordered[0]
    record = {
        "submittedAt": first.stamp_ms,
        "form": {"name": properties.get("hs_form_title"), "id": properties.get("hs_form_id")},
        "pageUrl": properties.get("hs_url"),
    }
    return StreamRow(first.stamp_ms, first.key, record, first.person)
