"""Instants as epoch milliseconds: exact int stamps for keyset cursors, and the ISO text APIs take.

Many CRM APIs stamp, filter and sort in milliseconds: epoch milliseconds (HubSpot's search
filters and datetime properties) or ISO 8601 with milliseconds (HubSpot's `createdAt`,
Salesforce's `SystemModstamp`, Marketo's `activityDate`). An int stamp sorts and compares
exactly, with none of a float's rounding, so a keyset read over it resumes where it stopped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from .write_values import instant_of

__all__ = ["epoch_ms", "from_epoch_ms", "iso_ms", "stamp_ms"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MS: Final = timedelta(milliseconds=1)
_SHOWN_CHARS: Final = 80


def epoch_ms(moment: datetime) -> int:
    """An aware instant in epoch milliseconds (finer digits dropped)."""
    return (moment - _EPOCH) // _MS


def from_epoch_ms(stamp: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime."""
    return _EPOCH + stamp * _MS


def stamp_ms(raw: object) -> int:
    """Epoch milliseconds of what a CRM stamps with: ISO 8601 text or epoch-ms digits (`instant_of`);
    a ValueError, naming the value, for anything else."""
    if isinstance(raw, int | str) and str(raw).isdigit():
        return int(raw)
    moment = instant_of(raw)
    if moment is None:
        raise ValueError(f"{str(raw)[:_SHOWN_CHARS]!r} is neither ISO 8601 nor epoch milliseconds")
    return epoch_ms(moment)


def iso_ms(stamp: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC text with milliseconds and `Z`: `2026-11-23T12:00:00.000Z`."""
    return from_epoch_ms(stamp).isoformat(timespec="milliseconds").replace("+00:00", "Z")
