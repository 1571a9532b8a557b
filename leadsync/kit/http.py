"""Reading HTTP answers the same way in every adapter: a JSON object body, a value inside it, a
`Retry-After` wait."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import msgspec

__all__ = ["json_at", "json_object", "retry_after_s"]


def json_object(raw: object) -> dict[str, Any]:
    """The body as a JSON object; {} when it is empty, not JSON, or not an object."""
    if not isinstance(raw, bytes | str) or not raw:
        return {}
    try:
        parsed = msgspec.json.decode(raw)  # twice as fast as `json` on a page of records
    except msgspec.DecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def json_at(body: object, *keys: str) -> object:
    """The value at a path of keys into nested JSON objects (`"paging", "next", "after"`); None where
    a key is missing or a step is no object."""
    for key in keys:
        if not isinstance(body, Mapping):
            return None
        body = body.get(key)
    return body


def retry_after_s(value: str | None, *, now_s: float) -> float | None:
    """A `Retry-After` header's wait in seconds (RFC 9110 §10.2.3: a number of seconds, or an
    HTTP date, read against `now_s`); None when absent or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - now_s)
    except (TypeError, ValueError):
        return None
