"""Opaque `after` cursors for the list endpoints (owners, events, participations, email events).

HubSpot documents these cursors as opaque strings; encoding the offset keeps a client
from doing arithmetic on them. (Search's `after` is a plain offset string, as HubSpot's.)

The events API's cursors (`event_cursor`) have the real format: base64 text that HubSpot
returns already URL-encoded in `paging.next.after` (real values end in `%3D%3D`; api-notes,
"Corrections, 2026-12", "HubSpot cursors"), while `paging.next.link` carries it as the server
must receive it. A client that passes `after` to hubspot-api-client as is sends it encoded
twice (`%253D`); `event_offset_of` then sees `...%3D%3D`, a cursor it never issued, and
answers 400 — so a double-encoding bug fails loudly. The 400's message is the sandbox's own
(HubSpot's text for a bad cursor is not recorded).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote

from .errors import invalid_input

__all__ = ["cursor", "event_cursor", "event_cursor_as_returned", "event_offset_of", "offset_of"]

_PREFIX = "sandbox:"
_EVENT_PREFIX = "sandbox-events:"


def cursor(offset: int) -> str:
    """The opaque cursor that resumes a listing at `offset`."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def offset_of(after: str | None) -> int:
    """The offset a cursor stands for (0 without one); a 400 for a cursor this sandbox never gave."""
    if not after:
        return 0
    try:
        text = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        if text.startswith(_PREFIX) and text[len(_PREFIX) :].isdigit():
            return int(text[len(_PREFIX) :])
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise invalid_input(f"Invalid paging cursor: {after}")


def event_cursor(offset: int) -> str:
    """The events API's cursor for `offset` as the server reads it: standard base64 ending in `==`."""
    text = f"{_EVENT_PREFIX}{offset}"
    text += "#" * ((1 - len(text)) % 3)  # a length of 1 mod 3: two `=` of padding, as real cursors
    return base64.b64encode(text.encode()).decode()


def event_cursor_as_returned(offset: int, issued: set[int]) -> str:
    """The cursor as `paging.next.after` returns it: URL-encoded once (`...%3D%3D`); remembered."""
    issued.add(offset)
    return quote(event_cursor(offset), safe="")


def event_offset_of(after: str | None, issued: set[int]) -> int:
    """The offset of an issued events cursor as received (decoded once); a 400 for any other text."""
    if not after:
        return 0
    try:
        text = base64.b64decode(after, validate=True).decode()
        number = text.removeprefix(_EVENT_PREFIX).rstrip("#")
        if number.isdigit() and int(number) in issued and event_cursor(int(number)) == after:
            return int(number)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise invalid_input(f"Invalid paging cursor: {after}. Pass the cursor exactly as HubSpot issued it")
