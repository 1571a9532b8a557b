"""Opaque `after` cursors for the list endpoints (owners, events, participations, email events).

HubSpot documents these cursors as opaque strings; encoding the offset keeps a client
from doing arithmetic on them. (Search's `after` is a plain offset string, as HubSpot's.)
"""

from __future__ import annotations

import base64
import binascii

from .errors import invalid_input

__all__ = ["cursor", "offset_of"]

_PREFIX = "sandbox:"


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
