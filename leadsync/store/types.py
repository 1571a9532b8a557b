"""Column types that keep Python values typed across SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["JsonValue", "UtcDateTime", "from_json", "to_json"]

_DATETIME_TAG: Final = "$datetime"
_SCALARS: Final = frozenset({str, int, float, bool})


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite stores them naive, PostgreSQL as timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], object] | None:
        """On SQLite, one step straight to the text SQLAlchemy's DATETIME stores (a hot path: every
        activity and re-evaluation time), rather than a naive datetime formatted again by the impl."""
        if dialect.name == "sqlite":
            return _sqlite_text
        return super().bind_processor(dialect)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[object], datetime | None] | None:
        """On SQLite, the stored text read as an aware UTC datetime in one step (every activity of
        every person evaluated goes through here)."""
        if dialect.name == "sqlite":
            return _from_sqlite_text
        return super().result_processor(dialect, coltype)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = _utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"the state store takes timezone-aware datetimes, got the naive {value!r}")
    return value.astimezone(UTC)


def _sqlite_text(value: datetime | None) -> str | None:
    """`value` as SQLite's DATETIME stores it ("YYYY-MM-DD HH:MM:SS.ffffff", naive UTC): ordered as text."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # most are UTC already
        value = _utc(value)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _from_sqlite_text(value: object) -> datetime | None:
    """What `_sqlite_text` stored, aware again (UTC)."""
    if value is None:
        return None
    return datetime.fromisoformat(f"{value}+00:00")


def to_json(value: object) -> Any:  # noqa: ANN401 - JSON is untyped by nature
    """`value` as plain JSON; datetimes are tagged so they come back as datetimes."""
    if value is None or type(value) in _SCALARS:  # most values: skip the slower ABC checks below
        return value
    if isinstance(value, datetime):
        return {_DATETIME_TAG: value.astimezone(UTC).isoformat()}
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [to_json(item) for item in items]
    return value


def from_json(value: Any) -> object:  # noqa: ANN401 - JSON is untyped by nature
    """The value `to_json` stored: tagged datetimes aware again, lists as tuples (frozen values)."""
    if isinstance(value, dict):
        if len(value) == 1 and _DATETIME_TAG in value:
            return datetime.fromisoformat(value[_DATETIME_TAG])
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(from_json(item) for item in value)
    return value


class JsonValue(TypeDecorator[object]):
    """Any JSON-able value, datetimes and tuples included, stored as JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: object, dialect: Dialect) -> Any:  # noqa: ANN401
        return to_json(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> object:  # noqa: ANN401
        return from_json(value)
