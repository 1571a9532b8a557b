"""Incremental reads of several objects merged into one (SystemModstamp, Id) stream with one cursor.

Decision (the issue leaves it open): Lead and Contact (and Task, Event, CampaignMember) are
read as one stream. Each object is queried from the same `since`, ordered by
(SystemModstamp, Id), and the object streams are merged lazily in that order (objects at one
stamp ordered by key prefix, which is how their Ids compare). So after any page, every
record of every object at or before the page's last (stamp, id) has been yielded, and that
pair is a cursor valid for all objects: no per-object positions, one `Cursor` as the contract
has it. Memory holds one page per object; the calls are the same as reading them one by one.

Deletions and merges: people objects are read by QueryAll (`/queryAll?q=`) rather than Query,
which returns records in the recycle bin too, with `IsDeleted` and, for a merge's losers,
`MasterRecordId` (the survivor). A delete moves the record's SystemModstamp, so deletions come
in the same ordered stream and cursor, at no extra call: the "Get Deleted" resource
(`/sobjects/{type}/deleted/?start=&end=`) would cost a call per object per cycle, keep its own
time window (`latestDateCovered`), and name no survivor. Both see what was deleted in the last
15 days at most (the recycle bin): a record purged before it was read is found gone by the first
write to it (ENTITY_IS_DELETED), which unlinks it too.

Optional objects (the activities): one Salesforce refuses to the integration user (INVALID_TYPE:
out of its profile's sight) ends there for this read, with a `stream.skipped` warning and its
reason kept for the run summary; the other objects go on. Asked again each read, so access
granted later takes effect by itself.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from leadsync.adapter_api import Gone, Page
from leadsync.kit import Pages, excerpt, optional
from leadsync.model import Cursor, RecordRef

from .client import SalesforceClient
from .options import SalesforceOptions
from .soql import changed_since, parse_stamp, select_list

__all__ = ["DELETION_FIELDS", "Convert", "ObjectRead", "Row", "merged_pages"]

T = TypeVar("T")
DELETION_FIELDS: Final = ("IsDeleted", "MasterRecordId")
"""What QueryAll tells of a deleted Lead or Contact: deleted, and the survivor of a merge (empty
for a plain delete). REST guide, "QueryAll" and SOAP guide, "queryAll()"/"merge()" (see README)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One record as read: its position in the stream, its object and its raw fields."""

    stamp: datetime
    record_id: str
    sobject: str
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ObjectRead:
    """What to read of one object: the fields and an extra condition (e.g. leads not converted).

    `include_deleted`: read by QueryAll, so records deleted or merged away since the cursor come
    in the same (SystemModstamp, Id) stream (a delete moves the stamp) and are reported as gone.
    `optional`: a refusal of the object (INVALID_TYPE) skips it for this read.
    """

    sobject: str
    fields: tuple[str, ...]
    where: str = ""
    include_deleted: bool = False
    optional: bool = False


Convert = Callable[[Row, RecordRef], T | None]
"""Turns a row into an item (None: not one of ours); a ValueError rejects the row."""


def _rows(
    client: SalesforceClient, read: ObjectRead, since: Cursor, until: datetime, *, options: SalesforceOptions,
    skipped: MutableMapping[str, str],
) -> Iterator[Row]:  # fmt: skip
    structural = ("Id", "SystemModstamp", *(DELETION_FIELDS if read.include_deleted else ()))
    fields = select_list(structural, read.fields)
    overlap = timedelta(seconds=options.lookback_s)
    soql = changed_since(read.sobject, fields, since, until, overlap=overlap, where=read.where)
    records = client.records(soql, page_size=options.page_size, include_deleted=read.include_deleted)
    if read.optional:
        records = optional(
            client.crm, read.sobject, records, skipped=skipped,
            reason=lambda refusal: f"{read.sobject} skipped: {refusal}. Leads, Contacts, other activities "
            "and writes go on",
        )  # fmt: skip
    for raw in records:
        yield Row(parse_stamp(raw["SystemModstamp"]), str(raw["Id"]), read.sobject, raw)


def merged_pages(
    client: SalesforceClient,
    options: SalesforceOptions,
    reads: tuple[ObjectRead, ...],
    since: Cursor,
    until: datetime,
    *,
    convert: Convert[T],
    skipped: MutableMapping[str, str],
) -> Iterator[Page[T]]:
    """Pages of mapped records of every object, in (SystemModstamp, key prefix, Id) order; records
    deleted or merged away (`IsDeleted`, read by QueryAll) are the page's `gone`; an optional object
    Salesforce refuses goes to `skipped` with its reason."""
    streams = [_rows(client, read, since, until, options=options, skipped=skipped) for read in reads]
    merged = heapq.merge(*streams, key=lambda row: (row.stamp, row.record_id[:3]))
    pages: Pages[Row, T] = Pages(
        ref=lambda row: RecordRef(client.crm, row.sobject, row.record_id),
        item=convert,
        cursor=lambda row: Cursor(row.stamp, row.record_id),
        excerpt=lambda row: excerpt(row.raw),
        gone=_gone,
    )
    return pages.pages(merged, options.page_size)


def _gone(row: Row, ref: RecordRef) -> Gone | None:
    """A row that is no person any more: deleted or merged into its `MasterRecordId` (read by
    QueryAll), or a Lead converted into its `ConvertedContactId`, which carries its Tasks on."""
    raw = row.raw
    if raw.get("IsDeleted") is True:
        survivor, sobject = raw.get("MasterRecordId"), row.sobject
    elif raw.get("IsConverted") is True:
        survivor, sobject = raw.get("ConvertedContactId"), "Contact"
    else:
        return None
    return Gone(ref, RecordRef(ref.crm, sobject, str(survivor)) if survivor else None)
