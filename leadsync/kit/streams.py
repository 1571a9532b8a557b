"""Incremental streams: rows read in cursor order become pages; each stream logged, optional ones skippable.

An adapter reads each stream as an iterator of its own rows in (stamp, key) order; the kit
- `logged`: one `stream.started` and one `stream.finished` event (records, last point, whether
  the stream was read to its end) around it;
- `optional`: ends a stream the CRM refuses to this account (`StreamUnavailable`: tier, scope)
  with a `stream.skipped` warning and its reason kept for the run summary; asked again next
  read, so an upgrade or a new scope takes effect by itself. It can note the streams whose API
  answered, so a stream standing in for a refused one reads only when it was refused;
- `Pages`: cuts rows into pages, maps each row (a `ValueError` quarantines it with its reason
  and an excerpt, never the whole record), reports rows that are no record any more (`Gone`),
  and gives each page the cursor of its last row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping, MutableSet
from dataclasses import dataclass, field
from itertools import islice
from typing import Final, Generic, TypeVar

import structlog

from leadsync.adapter_api import Gone, Page, Rejection, StreamUnavailable
from leadsync.model import Cursor, RecordRef

__all__ = ["Pages", "logged", "optional"]

R = TypeVar("R")
T = TypeVar("T")
_REASON_CHARS: Final = 300

_log = structlog.get_logger("leadsync.kit.streams")


def logged(crm: str, stream: str, rows: Iterable[R], *, since: str, point: Callable[[R], str]) -> Iterator[R]:
    """`rows`, lazily, between `stream.started` and `stream.finished`."""
    _log.info("stream.started", crm=crm, stream=stream, since=since)
    count, last, complete = 0, None, False
    try:
        for row in rows:
            count, last = count + 1, row
            yield row
        complete = True
    finally:  # also when the read ends early: `complete` says which
        cursor = since if last is None else point(last)
        _log.info("stream.finished", crm=crm, stream=stream, records=count, cursor=cursor, complete=complete)


def optional(
    crm: str,
    stream: str,
    rows: Iterable[R],
    *,
    skipped: MutableMapping[str, str],
    reason: Callable[[StreamUnavailable], str],
    answered: MutableSet[str] | None = None,
) -> Iterator[R]:
    """`rows`, ended by a refusal of the stream's endpoint, which goes to `skipped` with its reason;
    the stream goes to `answered` with its first row, or its end."""
    noted = set() if answered is None else answered
    try:
        for row in rows:
            noted.add(stream)
            yield row
    except StreamUnavailable as refusal:
        skipped[stream] = reason(refusal)
        _log.warning("stream.skipped", crm=crm, stream=stream, category=refusal.code, reason=skipped[stream])
        return
    noted.add(stream)


def _no_gone(_row: object, _ref: RecordRef) -> Gone | None:
    return None


def _no_excerpt(_row: object) -> str:
    return ""


@dataclass(frozen=True, slots=True)
class Pages(Generic[R, T]):
    """How one adapter's rows become pages of items."""

    ref: Callable[[R], RecordRef]
    item: Callable[[R, RecordRef], T | None]
    """The row mapped (None: not one of ours); a ValueError rejects it."""
    cursor: Callable[[R], Cursor]
    excerpt: Callable[[R], str] = field(default=_no_excerpt)
    gone: Callable[[R, RecordRef], Gone | None] = field(default=_no_gone)

    def page(self, rows: Iterable[R]) -> Page[T]:
        """One page of these rows (at least one), its cursor the last row's."""
        items: list[T] = []
        rejected: list[Rejection] = []
        gone: list[Gone] = []
        last: R | None = None
        for row in rows:
            last = row
            ref = self.ref(row)
            if (left := self.gone(row, ref)) is not None:
                gone.append(left)
                continue
            try:
                item = self.item(row, ref)
            except ValueError as exc:  # ModelError: the mapping names the bad field
                rejected.append(Rejection(ref, str(exc)[:_REASON_CHARS], self.excerpt(row)))
                continue
            if item is not None:
                items.append(item)
        if last is None:
            raise ValueError("a page needs at least one row")
        return Page(tuple(items), self.cursor(last), tuple(rejected), tuple(gone))

    def pages(self, rows: Iterable[R], page_size: int) -> Iterator[Page[T]]:
        """Rows cut into pages of `page_size`."""
        it = iter(rows)
        while chunk := list(islice(it, page_size)):
            yield self.page(chunk)
