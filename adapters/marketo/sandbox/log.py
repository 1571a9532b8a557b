"""The activity log and its paging tokens, as the activity endpoints read it.

Activities get ids in the order they are written, whatever their `activityDate`. A paging token
holds its `sinceDatetime` and the last id scanned; each call scans the next `batchSize`
activities of every type from there (the first id dated at or after the token's instant) and
answers those of the asked types, so a page may hold none with `moreResult: true`
(`activities.md`). Tokens here are base64 text of our own; Marketo's are opaque too.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from .shapes import iso

__all__ = ["ActivityLog", "Scan"]

Row = dict[str, Any]
Scan = tuple[list[Row], str, bool]  # the rows found, the next token, whether more follow


class ActivityLog:
    """Every activity, in id order."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(
        self,
        lead: int,
        type_id: int,
        at: datetime,
        primary: object,
        attributes: dict[str, object],
        **extra: object,
    ) -> Row:
        """Write one activity now (the next id), dated `at`."""
        n = len(self.rows) + 1
        listed = [{"name": k, "value": v} for k, v in attributes.items()]
        row = {
            "id": n, "marketoGUID": str(n), "leadId": lead, "activityDate": iso(at),
            "activityTypeId": type_id, "primaryAttributeValueId": lead, "primaryAttributeValue": str(primary),
            "attributes": listed, **extra,
        }  # fmt: skip
        self.rows.append(row)
        return row

    def token(self, since: datetime) -> str:
        """The token of `since`: before the first activity dated at or after it."""
        stamp = iso(since)
        first = next((r["id"] for r in self.rows if r["activityDate"] >= stamp), len(self.rows) + 1)
        return _token(stamp, first - 1)

    def scan(self, token: str, batch: int, wanted: set[int] | None) -> Scan:
        """The next `batch` activities after the token's, those of the `wanted` types (None: all)."""
        stamp, after = _read(token)
        start = after  # ids are 1, 2, 3…: the rows after id `after` start at that index
        window = self.rows[start : start + batch]
        found = [
            r for r in window
            if r["activityDate"] >= stamp and (wanted is None or r["activityTypeId"] in wanted)
        ]  # fmt: skip
        last = window[-1]["id"] if window else after
        return found, _token(stamp, last), start + batch < len(self.rows)


def _token(stamp: str, after: int) -> str:
    return base64.urlsafe_b64encode(f"{stamp}|{after}".encode()).decode().rstrip("=")


def _read(token: str) -> tuple[str, int]:
    text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    stamp, after = text.split("|")
    datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)  # a malformed token raises
    return stamp, int(after)
