"""Query pages and locators: `nextRecordsUrl` is a path, `/services/data/vXX.X/query/<locator>-<offset>`.

A query returns up to its batch size (2,000 by default; `Sforce-Query-Options: batchSize=N`
asks for 200 to 2,000, clamped to that range) and, when more rows match, a locator for the
rest. The locator holds the matched ids; each page renders those rows as they are when it is
fetched. Like Salesforce, a user keeps at most 10 open locators (the oldest is dropped) and a
finished one is closed; an unknown locator answers 400 INVALID_QUERY_LOCATOR. queryAll's
`nextRecordsUrl` also says `query` (documented), and either path accepts a locator.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from .errors import SalesforceError
from .ids import make_id
from .query import Plan

__all__ = ["DEFAULT_BATCH", "Cursors", "batch_size"]

DEFAULT_BATCH = 2000
_MIN_BATCH = 200
_OPEN_PER_USER = 10
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_LOCATOR = re.compile(r"(01g[0-9A-Za-z]{15})-(\d+)\Z")


def batch_size(header: str | None) -> int:
    """The page size a `Sforce-Query-Options` header asks for, clamped to 200 to 2,000."""
    match = _BATCH.search(header or "")
    if match is None:
        return DEFAULT_BATCH
    return max(_MIN_BATCH, min(DEFAULT_BATCH, int(match.group(1))))


@dataclass(frozen=True, slots=True)
class _Cursor:
    plan: Plan
    ids: list[str]
    user_id: str


class Cursors:
    """Open query locators, per user, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: OrderedDict[str, _Cursor] = OrderedDict()
        self._next = 1_000_000

    def first_page(
        self, plan: Plan, ids: list[str], *, user_id: str, batch: int, version: str
    ) -> dict[str, object]:
        """The first page of a result, opening a locator when more rows remain."""
        if len(ids) <= batch:
            return _page(plan, ids, 0, batch, version=version, locator=None)
        with self._lock:
            locator = make_id("QueryLocator", self._next)
            self._next += 1
            self._open[locator] = _Cursor(plan, ids, user_id)
            mine = [key for key, cursor in self._open.items() if cursor.user_id == user_id]
            for stale in mine[:-_OPEN_PER_USER]:
                del self._open[stale]
        return _page(plan, ids, 0, batch, version=version, locator=locator)

    def next_page(self, locator_and_offset: str, *, batch: int, version: str) -> dict[str, object]:
        """The page a `nextRecordsUrl` names (400 INVALID_QUERY_LOCATOR if it is not open)."""
        match = _LOCATOR.match(locator_and_offset)
        with self._lock:
            cursor = self._open.get(match.group(1)) if match else None
        if match is None or cursor is None or int(match.group(2)) > len(cursor.ids):
            raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        locator, offset = match.group(1), int(match.group(2))
        page = _page(cursor.plan, cursor.ids, offset, batch, version=version, locator=locator)
        if page["done"]:
            with self._lock:
                self._open.pop(locator, None)
        return page


def _page(
    plan: Plan, ids: list[str], offset: int, batch: int, *, version: str, locator: str | None
) -> dict[str, object]:
    end = min(len(ids), offset + batch)
    records = [plan.render(record_id, version) for record_id in ids[offset:end]]
    page: dict[str, object] = {"totalSize": len(ids), "done": end >= len(ids)}
    if end < len(ids):
        page["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
    page["records"] = [record for record in records if record is not None]
    return page
