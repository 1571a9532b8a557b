"""The transforms a mapping may name (`transform = [...]`), applied to CRM values in order.

Each raises `ModelError` with a message about the value alone, cut to 80 characters; the
caller adds which CRM field it came from.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Final

from leadsync.exceptions import ModelError

__all__ = ["TRANSFORMS", "Convert", "shown", "to_bool", "to_date", "to_datetime", "to_float", "to_int"]

Convert = Callable[[object], object]

_SHOWN_CHARS: Final = 80
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ANSWERS: Final = {
    **dict.fromkeys(("true", "yes", "1", "oui"), True),
    **dict.fromkeys(("false", "no", "0", "non"), False),
}
_DIGITS: Final = re.compile(r"^[0-9]+$")


def shown(value: object) -> str:
    """`value` as quoted in a message, cut so a 1 MB value cannot flood a log line."""
    if isinstance(value, str) and len(value) > _SHOWN_CHARS:
        return repr(value[: _SHOWN_CHARS - 3] + "...")
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _trim(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def to_int(value: object) -> int:
    """A whole number from an int, an integral float or its text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if number.is_integer():
            return int(number)
    raise ModelError(f"{shown(value)} is not a whole number")


def to_float(value: object) -> float:
    """A finite number from an int, a float or its text."""
    number = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):  # an int past 1e308
            number = float(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value.strip())
    if not math.isfinite(number):
        raise ModelError(f"{shown(value)} is not a number")
    return number


def to_bool(value: object) -> bool:
    """True or false from a boolean, 1/0, or true/false/yes/no/oui/non in any case."""
    if isinstance(value, str):
        answer = _ANSWERS.get(value)  # as HubSpot spells it: "true", "false"
        if answer is None:
            answer = _ANSWERS.get(value.strip().casefold())
        if answer is not None:
            return answer
    elif isinstance(value, bool):
        return value
    elif isinstance(value, int) and value in (0, 1):
        return value == 1
    raise ModelError(f"{shown(value)} is not a yes/no value: use true/false, yes/no, 1/0 or oui/non")


def _from_epoch_ms(value: int | str) -> datetime:
    try:
        return _EPOCH + timedelta(milliseconds=int(value))
    except (OverflowError, ValueError):
        raise ModelError(f"{shown(value)} is out of range for epoch milliseconds") from None


def _in_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise ModelError(f"{shown(value)} is out of range once converted to UTC") from None


def to_datetime(value: object) -> datetime:
    """An aware UTC datetime from ISO 8601 text (with an offset or `Z`), a date, or epoch milliseconds.

    Accepts Salesforce's `2026-11-01T09:30:00.000+0000` and HubSpot's epoch milliseconds (an
    int or its digits); a date alone means midnight UTC; a time without an offset is refused.
    """
    if type(value) is str and not value.isdigit():  # the usual case first: ISO text with an offset
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed if parsed.tzinfo is UTC else _in_utc(parsed)
    return _other_datetime(value)


def _other_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ModelError(f"{shown(value)} has no UTC offset")
        return _in_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_epoch_ms(value)
    if not isinstance(value, str):
        raise ModelError(f"{shown(value)} is not a date and time")
    text = value.strip()
    if _DIGITS.match(text):
        return _from_epoch_ms(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ModelError(f"{shown(value)} is not an ISO 8601 date and time") from None
    if parsed.utcoffset() is not None:
        return _in_utc(parsed)
    if "T" in text or " " in text or ":" in text:
        raise ModelError(f"{shown(value)} has no UTC offset: add Z or +00:00")
    return parsed.replace(tzinfo=UTC)


def to_date(value: object) -> datetime:
    """Midnight UTC of the calendar date as written (a date, a datetime, its text, epoch milliseconds)."""
    if isinstance(value, date):  # datetimes too, whatever their zone
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = value.strip() if isinstance(value, str) else ""
    if (isinstance(value, int) and not isinstance(value, bool)) or _DIGITS.match(text):
        stamp = to_datetime(value)
    else:
        try:
            stamp = datetime.fromisoformat(text)
        except ValueError:
            raise ModelError(f"{shown(value)} is not an ISO 8601 date") from None
    return datetime(stamp.year, stamp.month, stamp.day, tzinfo=UTC)


TRANSFORMS: Final[Mapping[str, Convert]] = MappingProxyType(
    {
        "trim": _trim,
        "lower": _lower,
        "upper": _upper,
        "int": to_int,
        "float": to_float,
        "bool": to_bool,
        "date": to_date,
        "datetime": to_datetime,
    }
)
"""The transforms a mapping may name, applied in the order given."""
