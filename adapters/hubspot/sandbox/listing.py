"""`GET /crm/v3/objects/{type}`: a type's records by id, or with `archived=true` the deleted ones.

The answer has the recorded list page's shape (tests/fixtures/recorded/hubspot/
list_contacts_page.json: `results`, and `paging.next` with `after` and a `link` repeating the
query). Archived records add `archived: true` and `archivedAt`, the instant of their deletion
(HubSpot-public-api-spec-collection, CRM/Contacts v3, `SimplePublicObjectWithAssociations`),
and are listed while they can be restored: 90 days after their deletion (the spec's
`DELETE /crm/v3/objects/contacts/{contactId}`); after that the deletion is permanent, taken here
as listed no more. `limit`: 10 when absent (the spec's default). The sandbox's own choices:
`after` is the id the next page starts at (the recorded one, "394" after ids 1, 51 and 101, is as
opaque), and `limit` above 100 is a 400 with the sandbox's message (the spec names no maximum;
hubspot-api-client 12.0.0 lists at most 100 a page, `utils/objects.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlencode

from .collection import ObjectCollection, Record
from .errors import invalid_input
from .stamps import iso_ms

__all__ = ["list_page"]

_DEFAULT_LIMIT: Final = 10
_MAX_LIMIT: Final = 100
_RESTORABLE_MS: Final = timedelta(days=90) // timedelta(milliseconds=1)


def list_page(
    collection: ObjectCollection, args: Mapping[str, str], wanted: list[str], *, now_ms: int, base_url: str
) -> dict[str, Any]:
    """One page for query `args` (limit, after, archived), each record with the `wanted` properties."""
    limit, start = _number(args, "limit", _DEFAULT_LIMIT), _number(args, "after", 0)
    if not 1 <= limit <= _MAX_LIMIT:
        raise invalid_input(f"limit must be between 1 and {_MAX_LIMIT}, got {limit}")
    listed: list[tuple[Record, int | None]]
    if args.get("archived", "false").lower() == "true":
        listed = [(r, at) for r, at in collection.archived() if at > now_ms - _RESTORABLE_MS]
    else:
        listed = [(r, None) for r in sorted(collection, key=lambda record: record.number)]
    listed = [(record, at) for record, at in listed if record.number >= start]
    answer: dict[str, Any] = {"results": [_json(collection, r, at, wanted) for r, at in listed[:limit]]}
    if len(listed) > limit:
        after = listed[limit][0].id
        link = f"{base_url}/crm/v3/objects/{collection.object_type}?{urlencode({**args, 'after': after})}"
        answer["paging"] = {"next": {"after": after, "link": link}}
    return answer


def _json(
    collection: ObjectCollection, record: Record, archived_ms: int | None, wanted: list[str]
) -> dict[str, Any]:
    found = collection.to_json(record, wanted)
    return found if archived_ms is None else {**found, "archived": True, "archivedAt": iso_ms(archived_ms)}


def _number(args: Mapping[str, str], name: str, default: int) -> int:
    text = args.get(name, str(default))
    if not text.isdigit():
        raise invalid_input(f"{name} must be a whole number, got {text!r}")
    return int(text)
