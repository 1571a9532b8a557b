"""Every activity stream after one cursor, merged in (stamp, stream, key) order, with its contact.

Streams, in rank order: meetings and calls (keyset search on `hs_lastmodifieddate`, as for
contacts), page views and form submissions (events API, `web_events`: a submission counts once
whatever the event types it shows as), marketing e-mail events, and marketing-event
participations (see `activity_streams`; of the `marketing_event_ids` setting, or else of every
marketing event the portal lists), then page views and forms from contact property history
(`analytics_history`), read only when the events API refused them in this read: it wins where
it answers, so nothing counts twice. A stream whose mapping section is absent costs no call.

The last four are optional: the events API needs an Enterprise portal and every one of them a
scope (api-notes, "Corrections, 2026-12"). One that answers 403 ends there for this read, with
a `stream.skipped` warning and its reason kept for the run summary (`skipped`); the other
streams go on. Asked again each read, so an upgrade or a new scope takes effect by itself.

One cursor, safe across streams: the merged read emits records in (stamp, rank, key) order and
each page's cursor is its last record's (stamp, "<rank>-<stream>:<key>"). Every record before
the cursor in that order was emitted, none after it, so each stream derives its own resume
point from the one cursor (`activity_cursor.resume_keys`): streams ranked before the cursor's
resume after its stamp, its own stream after its key, later streams at its stamp. Every
stream is capped at the cycle's start (read once, at the start of the read), so no page's
cursor passes a record that could still appear in this window. A record HubSpot stamps
earlier than a cursor it has already passed is not read: engagements use their modification
stamp and participations `createdAt` (when recorded, not when attended) to keep that rare.

Contacts are resolved inside each stream, in batches, never one call per record: engagements
by v4 batch association reads of up to 1,000 (the documented maximum: HubSpot developer changelog,
"Bug Fix: Batch Read Limit for HubSpot Associations API", 2025-02-10), one per five search pages
of 200 (first associated contact), e-mail
recipients once per read by contact batch reads with `idProperty=email` (≤ 100 distinct
addresses per call); events and participations name their contact. Resolving per stream,
not per merged page, keeps the calls near the minimum: a merged page mixes every stream.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Final, TypeVar

from hubspot import HubSpot

from leadsync.adapter_api import AdapterContext, Page, StreamUnavailable
from leadsync.kit import (
    AFTER_ALL,
    Pages,
    epoch_ms,
    from_epoch_ms,
    json_at,
    logged,
    numeric_key,
    optional,
    record_id,
    resume_keys,
)
from leadsync.model import Activity, Cursor, RecordRef

from .activity_streams import StreamRow, drained, email_event_rows, marketing_event_ids, participation_rows
from .analytics_history import HISTORY_STREAMS, history_rows
from .batch_reads import batch_read
from .keyset import SearchSpec, rows_after, searcher
from .settings import HubSpotSettings
from .transport import Transport
from .web_events import form_rows, probe_events, web_event_rows

__all__ = ["ENGAGEMENTS", "OPTIONAL", "STREAMS", "changed_activities", "skip_reason"]

ENGAGEMENTS: Final = ("meetings", "calls")
STREAMS: Final = (
    "meetings",
    "calls",
    "page_views",
    "form_submissions",
    "email_events",
    "marketing_event_participations",
    "analytics_page_views",
    "analytics_form_submissions",
)
"""Every stream, in rank order; the rank is part of the cursor: append, never reorder."""
OPTIONAL: Final = {
    "page_views": "the events API (/events/v3/events)",
    "form_submissions": "the events API (/events/v3/events)",
    "email_events": "the marketing e-mail events API (/email/public/v1/events)",
    "marketing_event_participations": "the marketing events API (/marketing/v3/marketing-events)",
}
"""Streams a portal may refuse (403: its tier or the token's scopes): skipped with a warning."""
_HISTORY_NOTE: Final = {
    section: f". Meanwhile {section} come from contact property history ({stream})"
    for stream, section in HISTORY_STREAMS.items()
}
_STAMP: Final = "hs_lastmodifieddate"
_ASSOCIATIONS_PER_CALL: Final = 1000
_NO_ID_ABOVE: Final = 1 << 63

T = TypeVar("T")
_Item = tuple[int, int, str, StreamRow]  # (stamp, rank, key, row): read order
_ORDER: Final = itemgetter(0, 1, 2)  # an item's place in read order


@dataclass(frozen=True, slots=True)
class _Reader:
    """What one read of every stream shares: the adapter's parts and the cycle's cap."""

    context: AdapterContext
    client: HubSpot
    transport: Transport
    settings: HubSpotSettings
    until_ms: int
    skipped: dict[str, str]  # stream -> why it was skipped in this read
    answered: set[str] = field(default_factory=set)  # optional streams whose API answered in this read


def changed_activities(
    context: AdapterContext,
    client: HubSpot,
    transport: Transport,
    settings: HubSpotSettings,
    since: Cursor,
    *,
    skipped: dict[str, str],
) -> Iterator[Page[Activity]]:
    """Pages of activities after `since`, up to the cycle's start; refused streams go to `skipped`."""
    reader = _Reader(context, client, transport, settings, epoch_ms(context.clock.now()), skipped)
    since_ms = epoch_ms(since.stamp)
    keys = resume_keys(STREAMS, since.record_id, bare_number_streams=ENGAGEMENTS)
    streams = [
        _tagged(_rows(reader, stream, (since_ms, keys[stream])), rank)
        for rank, stream in enumerate(STREAMS)
        if HISTORY_STREAMS.get(stream, stream) in context.mapping.activities
    ]
    pages: Pages[_Item, Activity] = Pages(
        ref=lambda item: _ref(reader, item),
        item=lambda item, ref: _activity(reader, item, ref),
        cursor=_cursor,
    )
    return pages.pages(heapq.merge(*streams, key=_ORDER), settings.page_size)


def _tagged(rows: Iterator[StreamRow], rank: int) -> Iterator[_Item]:
    return ((row.stamp_ms, rank, row.key, row) for row in rows)


def _rows(reader: _Reader, stream: str, after: tuple[int, str]) -> Iterator[StreamRow]:
    """One stream's rows, lazily and logged; an optional stream HubSpot refuses (403) ends with a warning."""
    crm = reader.context.name
    rows = _stream_rows(reader, stream, after)
    if stream in OPTIONAL:
        rows = optional(
            crm, stream, rows, skipped=reader.skipped, answered=reader.answered,
            reason=lambda refusal: skip_reason(stream, refusal),
        )  # fmt: skip
    return logged(crm, stream, rows, since=_point(after), point=lambda row: _point((row.stamp_ms, row.key)))


def _point(point: tuple[int, str]) -> str:
    """A stream's (stamp, key) point as the engine's cursors are shown."""
    return str(Cursor(from_epoch_ms(point[0]), point[1]))


def skip_reason(stream: str, exc: StreamUnavailable) -> str:
    """Why a refused optional stream is skipped, and what to do about it."""
    return (
        f"{stream} skipped: {OPTIONAL[stream]} answered 403 {exc.code or 'Forbidden'} "
        f"({exc.detail or 'no message'}); it needs the scopes HubSpot names and, for the events "
        f"API, an Enterprise subscription. Contacts, engagements and writes go on. Fix: grant the "
        f"scopes or upgrade, or remove [activities.{stream}] from the mapping" + _HISTORY_NOTE.get(stream, "")
    )


def _stream_rows(reader: _Reader, stream: str, after: tuple[int, str]) -> Iterator[StreamRow]:
    """One stream's rows, lazily: no call is made before the merge asks for its first row."""
    client, transport, until_ms = reader.client, reader.transport, reader.until_ms
    if stream in ENGAGEMENTS:
        yield from _engagement_rows(reader, stream, after)
    elif stream == "page_views":
        yield from web_event_rows(client, transport, "e_visited_page", after, until_ms)
    elif stream == "form_submissions":
        yield from form_rows(client, transport, after, until_ms)
    elif stream in HISTORY_STREAMS:
        if _events_refused(reader, HISTORY_STREAMS[stream]):  # else the events API counts them
            yield from history_rows(client, transport, stream, after, until_ms)
    elif stream == "email_events":
        rows = email_event_rows(client, transport, after, until_ms, fields=_held_fields(reader, stream))
        contacts = _contacts_by_email(client, transport, rows.people())
        yield from (r._replace(person=contacts.get(_email_key(r.person), "")) for r in drained(rows))
    else:
        event_ids = reader.settings.marketing_event_ids or marketing_event_ids(client, transport)
        yield from participation_rows(
            client, transport, event_ids, after, until_ms, fields=_held_fields(reader, stream)
        )


def _events_refused(reader: _Reader, stream: str) -> bool:
    """Whether the events API refused `stream` in this read (asked once with `limit=1` if not yet read)."""
    if stream in reader.skipped or stream in reader.answered:
        return stream in reader.skipped
    try:
        probe_events(reader.client, reader.transport)
    except StreamUnavailable:
        return True
    return False


def _held_fields(reader: _Reader, stream: str) -> tuple[str, ...]:
    """What a stream read whole keeps of each record: the fields its mapping reads, and the id."""
    return (*reader.context.mapping.activities[stream].source_fields(), "id")


def _engagement_rows(reader: _Reader, object_type: str, after: tuple[int, str]) -> Iterator[StreamRow]:
    mapping = reader.context.mapping.activities[object_type]
    fields = {f for f in mapping.source_fields() if not f.startswith("associations.")}
    search = searcher(reader.client, reader.transport, object_type)
    spec = SearchSpec(_STAMP, sorted(fields | {"hs_object_id", _STAMP}), reader.settings.page_size, search)
    last_id = _NO_ID_ABOVE if after[1] == AFTER_ALL else int(after[1] or 0)
    for rows in _joined(rows_after(spec, after[0], last_id, reader.until_ms), _ASSOCIATIONS_PER_CALL):
        ids = [str(number) for _, number, _ in rows]
        contacts = _contacts_of(reader.client, reader.transport, object_type, ids)
        for stamp_ms, number, record in rows:
            yield StreamRow(stamp_ms, numeric_key(number), record, contacts.get(str(number), ""))


def _joined(pages: Iterable[list[T]], size: int) -> Iterator[list[T]]:
    """Consecutive pages joined while they hold fewer than `size` rows together (a page is never split)."""
    held: list[T] = []
    for page in pages:
        if held and len(held) + len(page) > size:
            yield held
            held = []
        held += page
    if held:
        yield held


def _ref(reader: _Reader, item: _Item) -> RecordRef:
    _, rank, key, row = item
    stream = STREAMS[rank]
    return RecordRef(reader.context.name, stream, str(row.record["id"]) if stream in ENGAGEMENTS else key)


def _activity(reader: _Reader, item: _Item, ref: RecordRef) -> Activity | None:
    _, rank, _, row = item
    if not row.person:
        return None  # no contact, no one's signal
    stream = STREAMS[rank]
    values = row.record
    if stream in ENGAGEMENTS:  # its properties, and the contact it names
        values = {**(values.get("properties") or {}), "associations": {"contacts": row.person}}
    mapping = reader.context.mapping.activities[HISTORY_STREAMS.get(stream, stream)]
    return mapping.to_activity(values, ref, RecordRef(reader.context.name, "contacts", row.person))


def _cursor(item: _Item) -> Cursor:
    stamp_ms, rank, key, _ = item
    return Cursor(from_epoch_ms(stamp_ms), record_id(rank, STREAMS[rank], key))


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


def _contacts_by_email(client: HubSpot, transport: Transport, emails: Sequence[str]) -> Mapping[str, str]:
    """Recipient e-mail (as `_email_key`) → contact id, by batch reads of ≤ 100 with `idProperty=email`."""
    wanted = list(dict.fromkeys(map(_email_key, emails)))
    body = {"idProperty": "email", "properties": ["email"]}
    found = batch_read(client, transport, wanted, body, what="contacts batch read by email")
    by_email = {_email_key(json_at(r, "properties", "email") or ""): str(r["id"]) for r in found}
    return {email: contact for email, contact in by_email.items() if email}


def _email_key(email: object) -> str:
    """An e-mail as HubSpot compares them: without case or surrounding spaces."""
    return str(email).strip().lower()
