"""Contacts' web events, marketing e-mail events and event participations, and their list endpoints.

- `GET /events/v3/events/`: `objectType` (+ `objectId`), `eventType`, `occurredAfter` /
  `occurredBefore` (exclusive, ISO 8601 or epoch ms), `sort` ASCENDING / DESCENDING (newest
  first by default), `limit` ≤ 100, opaque `after` in the real format: returned URL-encoded,
  taken decoded once, any other text a 400 (`paging.event_cursor`).
- `GET /email/public/v1/events`: `startTimestamp` / `endTimestamp` (epoch ms, inclusive),
  `recipient`, `eventType`, `limit` ≤ 1,000, `offset`; answers `{hasMore, offset, events}`,
  newest first.
- participations breakdown: `state`, `limit` ≤ 100 (default 10), opaque `after`; `total`.
- `GET /marketing/v3/marketing-events/`: every marketing event of the portal, by `objectId`;
  `limit` ≤ 100 (default 10), opaque `after`; no `total` (hubspot-api-client 12.0.0's
  `basic_api.get_all` and its `CollectionResponseMarketingEventPublicReadResponseV2ForwardPaging`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, overload
from urllib.parse import quote

from .activity_json import (
    EMAIL_TYPES,
    MARKETING_EVENTS,
    EmailEvent,
    Participation,
    WebEvent,
    email_event_json,
    marketing_event_id,
    marketing_event_json,
    participation_json,
    web_event_json,
    web_event_type,
)
from .errors import invalid_input
from .paging import cursor, event_cursor_as_returned, event_offset_of, offset_of
from .stamps import parse_ms

__all__ = ["ActivityLog"]

_CONTACT_TYPES = frozenset({"contact", "contacts", "0-1"})
_NEVER = 1 << 62
_MAX_EMAIL_EVENTS = 1_000

ContactInfo: TypeAlias = Callable[[str], Mapping[str, str | None]]
_T = TypeVar("_T")
_K = TypeVar("_K")


class ActivityLog:
    """Activities by contact and by time; not locked (the store is)."""

    def __init__(
        self, web: Iterable[WebEvent], email: Iterable[EmailEvent], participations: Iterable[Participation]
    ) -> None:
        self._web = sorted(web)
        self._email = sorted(email)
        self._participations = sorted(participations, key=lambda p: (p.created_ms, p.seq))
        self._web_by_contact = _grouped(self._web, lambda e: [e.contact_id])
        self._web_times = [e.occurred_ms for e in self._web]
        # Per event type, recipient, marketing event and state, so that a page is a slice of a
        # list made once, not a filter over every activity.
        self._web_by_type = _timed(_grouped(self._web, lambda e: [web_event_type(e)]), _web_time)
        self._email_times = [e.created_ms for e in self._email]
        self._email_by_type = _timed(_grouped(self._email, lambda e: [EMAIL_TYPES[e.kind]]), _email_time)
        self._email_by_recipient = _grouped(self._email, lambda e: [e.recipient])
        self._by_event_and_state = _grouped(
            self._participations,
            lambda p: [(event, state) for event in (None, p.event) for state in ("", p.state)],
        )
        self._participations_by_contact = _grouped(self._participations, lambda p: [p.contact_id])
        self._issued: set[int] = set()  # offsets of the events cursors handed out

    def merge(self, primary_id: str, merged_id: str) -> None:
        """Show a merged-away contact's page views and form submissions on the survivor's timeline."""
        moved = self._web_by_contact.pop(merged_id, [])
        self._web_by_contact[primary_id] = sorted([*self._web_by_contact.get(primary_id, []), *moved])

    def events_page(self, args: Mapping[str, str], base_url: str) -> dict[str, Any]:
        """One page of `GET /events/v3/events/`."""
        object_type, object_id = args.get("objectType", "").lower(), args.get("objectId")
        if object_id and not object_type:
            raise invalid_input("objectType is required with objectId")
        if object_type and object_type not in _CONTACT_TYPES:
            return {"results": []}
        after, before = _instant(args, "occurredAfter"), _instant(args, "occurredBefore")
        wanted_type = args.get("eventType")
        if object_id:  # a contact's own events are few: filter them here
            pool: Sequence[WebEvent] = self._web_by_contact.get(object_id, [])
            pool = [e for e in pool if web_event_type(e) == wanted_type] if wanted_type else pool
            times: Sequence[int] = [e.occurred_ms for e in pool]
        elif wanted_type:
            pool, times = self._web_by_type.get(wanted_type, ([], []))
        else:
            pool, times = self._web, self._web_times
        newest_first = args.get("sort", "DESCENDING").upper() in ("DESCENDING", "-OCCURREDAT")
        chosen = _Window(
            pool,
            bisect_right(times, after if after is not None else -_NEVER),
            bisect_left(times, before if before is not None else _NEVER),
            reverse=newest_first,
        )
        return _listing(
            chosen,
            web_event_json,
            args,
            limit=(100, 100),
            link=f"{base_url}/events/v3/events/",
            issued=self._issued,
        )

    def email_events_page(self, args: Mapping[str, str], *, portal_id: int) -> dict[str, Any]:
        """One page of `GET /email/public/v1/events`."""
        start, end = _integer(args, "startTimestamp", -_NEVER), _integer(args, "endTimestamp", _NEVER)
        recipient, kind = args.get("recipient", "").strip().lower(), args.get("eventType", "").upper()
        if recipient:  # a recipient's own events are few: filter them here
            pool: Sequence[EmailEvent] = self._email_by_recipient.get(recipient, [])
            pool = [e for e in pool if EMAIL_TYPES[e.kind] == kind] if kind else pool
            times: Sequence[int] = [e.created_ms for e in pool]
        elif kind:
            pool, times = self._email_by_type.get(kind, ([], []))
        else:
            pool, times = self._email, self._email_times
        chosen = _Window(pool, bisect_left(times, start), bisect_right(times, end), reverse=True)
        limit = _integer(args, "limit", 100)
        if not 1 <= limit <= _MAX_EMAIL_EVENTS:
            raise invalid_input(f"limit must be between 1 and {_MAX_EMAIL_EVENTS}, got {limit}")
        start_at = offset_of(args.get("offset"))
        page = chosen[start_at : start_at + limit]
        return {
            "hasMore": start_at + limit < len(chosen),
            "offset": cursor(start_at + len(page)),
            "events": [email_event_json(e, portal_id=portal_id) for e in page],
        }

    def participations_page(
        self,
        args: Mapping[str, str],
        contact_info: ContactInfo,
        *,
        contact_id: str | None = None,
        event: int | None = None,
    ) -> dict[str, Any]:
        """One page of a participations breakdown, for a contact or for a marketing event."""
        state = args.get("state", "").upper()
        if contact_id is None:
            chosen: Sequence[Participation] = self._by_event_and_state.get((event, state), [])
        else:  # a contact's own participations are few: filter them here
            chosen = [
                p
                for p in self._participations_by_contact.get(contact_id, [])
                if (event is None or p.event == event) and (not state or p.state == state)
            ]
        page = _listing(
            chosen, lambda p: participation_json(p, contact_info(p.contact_id)), args, limit=(10, 100)
        )
        return {"total": len(chosen), **page}

    def marketing_events_page(self, args: Mapping[str, str], base_url: str) -> dict[str, Any]:
        """One page of `GET /marketing/v3/marketing-events/`, in `objectId` order."""
        events = sorted(range(len(MARKETING_EVENTS)), key=lambda event: int(marketing_event_id(event)))
        return _listing(
            events,
            lambda event: marketing_event_json(event, self._by_event_and_state.get((event, ""), [])),
            args,
            limit=(10, 100),
            link=f"{base_url}/marketing/v3/marketing-events/",
        )

    @staticmethod
    def marketing_event_index(event_id: str) -> int | None:
        """The index of a marketing event from its id, if it is one of ours."""
        return next((i for i in range(len(MARKETING_EVENTS)) if marketing_event_id(i) == event_id), None)


class _Window(Sequence[_T]):
    """Items `lo` to `hi` of a list, oldest first or newest first, read without copying the list."""

    def __init__(self, items: Sequence[_T], lo: int, hi: int, *, reverse: bool) -> None:
        self._items, self._lo, self._hi, self._reverse = items, lo, max(lo, hi), reverse

    def __len__(self) -> int:
        return self._hi - self._lo

    @overload
    def __getitem__(self, index: int) -> _T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[_T]: ...

    def __getitem__(self, index: int | slice) -> _T | Sequence[_T]:
        if isinstance(index, int):
            position = index + len(self) if index < 0 else index
            if not 0 <= position < len(self):
                raise IndexError(index)
            return self._items[self._hi - 1 - position if self._reverse else self._lo + position]
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise ValueError("a window is read in slices of step 1")
        if not self._reverse:
            return self._items[self._lo + start : self._lo + max(start, stop)]
        return self._items[self._hi - max(start, stop) : self._hi - start][::-1]


def _grouped(items: Iterable[_T], keys_of: Callable[[_T], Iterable[_K]]) -> dict[_K, list[_T]]:
    """The items under each of their keys, in the given order."""
    grouped: dict[_K, list[_T]] = {}
    for item in items:
        for key in keys_of(item):
            grouped.setdefault(key, []).append(item)
    return grouped


def _timed(groups: dict[_K, list[_T]], instant: Callable[[_T], int]) -> dict[_K, tuple[list[_T], list[int]]]:
    """Each group with the instants of its items, to bisect."""
    return {key: (items, [instant(item) for item in items]) for key, items in groups.items()}


def _web_time(event: WebEvent) -> int:
    return event.occurred_ms


def _email_time(event: EmailEvent) -> int:
    return event.created_ms


def _instant(args: Mapping[str, str], name: str) -> int | None:
    text = args.get(name)
    if not text:
        return None
    ms = parse_ms(text)
    if ms is None:
        raise invalid_input(f"{name} must be an ISO 8601 instant, got {text!r}")
    return ms


def _integer(args: Mapping[str, str], name: str, default: int) -> int:
    text = args.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise invalid_input(f"{name} must be a whole number, got {text!r}") from None


def _listing(
    items: Sequence[_T],
    render: Callable[[_T], dict[str, Any]],
    args: Mapping[str, str],
    *,
    limit: tuple[int, int],
    link: str = "",
    issued: set[int] | None = None,
) -> dict[str, Any]:
    """One page. With `issued` (the events API): its cursors (`paging`: `after` URL-encoded, only
    those handed out taken) and a `link` repeating the query with the next `after`, as a recorded
    events page has it."""
    encoded = issued is not None
    size = _integer(args, "limit", limit[0])
    if not 1 <= size <= limit[1]:
        raise invalid_input(f"limit must be between 1 and {limit[1]}, got {size}")
    start = event_offset_of(args.get("after"), issued) if issued is not None else offset_of(args.get("after"))
    answer: dict[str, Any] = {"results": [render(item) for item in items[start : start + size]]}
    if start + size < len(items):
        after = event_cursor_as_returned(start + size, issued) if issued is not None else cursor(start + size)
        repeated = args.items() if encoded else ()
        query = "".join(f"{quote(k)}={quote(v, safe='')}&" for k, v in repeated if k != "after" and v)
        answer["paging"] = {"next": {"after": after, "link": f"{link}?{query}after={after}" if link else ""}}
    return answer
