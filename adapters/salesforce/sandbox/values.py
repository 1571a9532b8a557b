"""Salesforce's value formats: how stamps and dates are written, read and stored.

Datetimes are stored as Salesforce prints them, `2026-11-23T09:30:00.000+0000` (UTC): that
text sorts in time order, so the store compares stamps as strings and answers queries without
reformatting. Dates are `2026-11-23`. Datetime fields, `SystemModstamp` included, hold whole
seconds ("full timestamps with a precision of one second": SOAP API Developer Guide, primitive
data types, dateTime); the API prints them with `.000`, so thousands of records share a stamp.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

__all__ = [
    "Value",
    "coerce",
    "date_text",
    "datetime_text",
    "parse_date",
    "parse_datetime",
    "parse_stamp",
]

Value = str | float | int | bool | None

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})\Z", re.ASCII
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)


def datetime_text(moment: datetime) -> str:
    """Salesforce's text for an instant: UTC, whole seconds (printed `.000`), `+0000`."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="seconds") + ".000+0000"


def date_text(day: date) -> str:
    """Salesforce's text for a date."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def parse_datetime(text: str) -> str | None:
    """The stored form of an ISO 8601 instant with a zone (`Z`, `+hh:mm` or `+hhmm`), or None.

    SOQL literals and JSON values both take these forms; a stored value loses its fraction of
    a second, as Salesforce's does.
    """
    match = _DATETIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0").ljust(6, "0")[:6]),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return datetime_text(moment)


def parse_date(text: str) -> str | None:
    """The stored form of a `YYYY-MM-DD` date, or None."""
    match = _DATE.match(text)
    if match is None:
        return None
    try:
        return date_text(date(*(int(part) for part in match.groups())))
    except ValueError:
        return None


def parse_stamp(text: str) -> datetime:
    """An aware UTC datetime from the stored text (for the sandbox's own arithmetic)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)


def coerce(kind: str, raw: object) -> Value:
    """A JSON value as the store keeps it for a field of that describe type.

    Raises ValueError when Salesforce's JSON reader would refuse the value (it is strict:
    a quoted number is not a number, a number is not text).
    """
    if raw is None:
        return None
    if kind in ("double", "int"):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(kind)
        if kind == "int":
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError(kind)
            return int(raw)
        return float(raw)
    if kind == "boolean":
        if not isinstance(raw, bool):
            raise ValueError(kind)
        return raw
    if not isinstance(raw, str):
        raise ValueError(kind)
    if kind == "datetime":
        parsed = parse_datetime(raw)
    elif kind == "date":
        parsed = parse_date(raw)
    else:
        return raw or None  # Salesforce keeps no empty strings: "" is null
    if parsed is None:
        raise ValueError(kind)
    return parsed
