"""HubSpot's time formats: ISO 8601 with milliseconds and `Z` out; epoch milliseconds or ISO in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

__all__ = ["EPOCH", "iso_ms", "ms_of", "parse_ms"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def ms_of(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime (sub-millisecond digits dropped)."""
    return (moment - EPOCH) // _MS


def iso_ms(ms: int) -> str:
    """The way HubSpot writes an instant: `2026-11-23T12:00:00.000Z`."""
    return (EPOCH + ms * _MS).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


@lru_cache(maxsize=65_536)
def parse_ms(text: str) -> int | None:
    """Epoch milliseconds from what HubSpot accepts for a datetime: epoch ms or ISO 8601; None if neither.

    A date alone means midnight UTC; extra sub-millisecond digits are dropped, as HubSpot
    compares at millisecond precision.
    """
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        if len(text) <= len("2026-11-23"):
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        else:
            moment = moment.replace(tzinfo=UTC)
    return ms_of(moment)
