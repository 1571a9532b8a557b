"""Contacts deleted after a cursor: HubSpot's list of archived contacts, as rows of the people read.

CRM search leaves archived (deleted) contacts out, so they come from `GET /crm/v3/objects/contacts?
archived=true`, whose results carry `archived: true` and `archivedAt` (the spec's
`SimplePublicObjectWithAssociations`; HubSpot-public-api-spec-collection @ 000fd96, CRM/Contacts v3).
The list takes no date filter and promises no order, so each read pages through all of it and
keeps the contacts archived after the cursor (the people read has no lookback), up to the cycle's
start, in (archivedAt, id) order: the people read's order and cursor, which merges them in. Pages of
100, as hubspot-api-client 12.0.0 reads every object list (`utils/objects.py`, `PAGE_MAX_SIZE`); the
spec gives a default of 10 and no maximum. The list stays short: a deleted contact can be restored
within 90 days of its deletion (the spec's `DELETE /crm/v3/objects/contacts/{contactId}`), then the
deletion is permanent. Cost: ceil(contacts archived in the last 90 days / 100) calls a read, at
least one. A cursor older than that misses the deletions before; a write to such a contact still
answers OBJECT_NOT_FOUND, which reports it gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Final

from hubspot import HubSpot

from leadsync.kit import stamp_ms

from .keyset import Row
from .transport import Transport

__all__ = ["deleted_rows"]

_PER_CALL: Final = 100


def deleted_rows(
    client: HubSpot, transport: Transport, since: tuple[int, int], until_ms: int
) -> Iterator[Row]:
    """Contacts archived strictly after `since` (epoch ms, id) and up to `until_ms`, in that order."""
    listed = transport.listed(
        "archived contacts list", client.crm.contacts.basic_api.get_page,
        limit=_PER_CALL, archived=True, properties=["hs_object_id"],
    )  # fmt: skip
    archived = (raw for raw in listed if raw.get("archived") is True)  # as asked: only those
    rows = [(stamp_ms(raw.get("archivedAt") or raw["updatedAt"]), int(raw["id"]), raw) for raw in archived]
    yield from sorted((row for row in rows if since < row[:2] and row[0] <= until_ms), key=itemgetter(0, 1))
