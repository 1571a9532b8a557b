"""SOQL text for incremental reads, and Salesforce's date-time format both ways."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Final

from leadsync.model import Cursor

__all__ = [
    "CONVERSION_WINDOW",
    "KEY_PREFIXES",
    "changed_since",
    "lead_filter",
    "parse_stamp",
    "position_filter",
    "salesforce_datetime",
    "select_list",
    "soql_string",
]

KEY_PREFIXES: Final = {
    "Lead": "00Q", "Contact": "003", "Task": "00T", "Event": "00U", "CampaignMember": "00v",
    "User": "005", "Group": "00G",
}  # fmt: skip
"""The first three characters of every Id of a standard object (its key prefix)."""
CONVERSION_WINDOW: Final = timedelta(days=15)


def parse_stamp(value: object) -> datetime:
    """An aware UTC datetime from Salesforce's `2026-11-23T12:00:00.000+0000` (or `Z`)."""
    if not isinstance(value, str):
        raise ValueError(f"not a Salesforce date-time: {value!r}")
    return datetime.fromisoformat(value).astimezone(UTC)


def salesforce_datetime(value: datetime) -> str:
    """A SOQL / REST date-time literal in UTC, to the millisecond (Salesforce's precision)."""
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def soql_string(value: str) -> str:
    """A SOQL string literal: quoted, its backslashes and quotes escaped (SOQL reference, "Quoted
    String Escape Sequences")."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def select_list(structural: Iterable[str], mapped: Iterable[str]) -> str:
    """Fields to select, each once (SOQL refuses a repeated field), structural ones first."""
    seen: dict[str, str] = {}
    for name in (*structural, *mapped):
        seen.setdefault(name.casefold(), name)
    return ", ".join(seen.values())


def position_filter(sobject: str, since: Cursor, overlap: timedelta) -> str:
    """Records strictly after `since` in (SystemModstamp, Id) order, or from `since - overlap`.

    Stamps are whole milliseconds: a cursor with a finer stamp has no record at its instant,
    so `>` its millisecond is exact. A cursor without a record id sorts before every record at
    its stamp, so that stamp is read in full. Ids of different objects never share a key prefix, so a
    cursor left on another object's Id compares by prefix alone: all of this object's records
    at that stamp come before it, or all after.
    """
    if overlap > timedelta(0):
        return f"SystemModstamp >= {salesforce_datetime(since.stamp - overlap)}"
    stamp = salesforce_datetime(since.stamp)
    if since.stamp.microsecond % 1000:
        return f"SystemModstamp > {stamp}"
    if not since.record_id:  # every Id sorts after "": the whole stamp is still to read
        return f"SystemModstamp >= {stamp}"
    prefix, other = KEY_PREFIXES.get(sobject, ""), since.record_id[:3]
    if prefix and other != prefix:
        return f"SystemModstamp {'>=' if other < prefix else '>'} {stamp}"
    last = soql_string(since.record_id)
    return f"(SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id > {last}))"


def lead_filter(since: Cursor, until: datetime) -> str:
    """Leads not converted, and those converted lately: read to be reported gone (the Contact goes
    on), so a linked Lead is let go when it is converted, not when a write to it is refused.

    `ConvertedDate` is a date (in the org's time zone: a day of margin). "Lately" reaches back
    to the cursor, and at most `CONVERSION_WINDOW`, as QueryAll does for deletions (the recycle
    bin's 15 days): a first read does not page through years of converted Leads.
    """
    start = max(since.stamp - timedelta(days=1), until - CONVERSION_WINDOW)
    return f"(IsConverted = false OR ConvertedDate >= {start.astimezone(UTC):%Y-%m-%d})"


def changed_since(
    sobject: str, fields: str, since: Cursor, until: datetime, *, overlap: timedelta, where: str = ""
) -> str:
    """The query of one object's records changed after `since` and no later than `until`."""
    extra = f" AND {where}" if where else ""
    return (
        f"SELECT {fields} FROM {sobject} WHERE {position_filter(sobject, since, overlap)} "  # noqa: S608
        f"AND SystemModstamp <= {salesforce_datetime(until)}{extra} ORDER BY SystemModstamp, Id"
    )
