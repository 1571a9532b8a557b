"""A merge of Leads or of Contacts, as Salesforce's merge does it (the UI's or the API's).

Salesforce merges up to three records of one object into one, the master: the others (the
"victims") are deleted — in the recycle bin, `IsDeleted` true and `MasterRecordId` the
master's id, found by QueryAll only — and their related records are re-parented to the
master (here: Tasks and Events by `WhoId`, CampaignMembers by `LeadId`/`ContactId`). Every row
the merge changes gets new stamps. Sources: SOAP API guide, "merge()"
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm);
REST guide, "QueryAll" (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md);
Apex guide, "Merging Records" (up to three records, victims deleted, related records re-parented).
Field values the user picks from the victims are not emulated: the master keeps its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .values import datetime_text

if TYPE_CHECKING:  # the store calls this module
    from .store import Store

__all__ = ["MERGEABLE", "merge_records"]

MERGEABLE: Final = ("Lead", "Contact")
_MAX_RECORDS: Final = 3  # the master and at most two victims per merge
_CHILDREN: Final = {"Task": ("WhoId",), "Event": ("WhoId",), "CampaignMember": ("LeadId", "ContactId")}
"""Related objects and the lookups a merge moves from a victim to the master."""


def merge_records(store: Store, sobject: str, master_id: str, loser_ids: tuple[str, ...], *, by: str) -> None:
    """Merge `loser_ids` into `master_id` (one object, up to three records in all) as `by` (a User id)."""
    table = store.table(sobject)
    if table.spec.name not in MERGEABLE or not 1 <= len(loser_ids) < _MAX_RECORDS:
        raise ValueError(
            f"merge takes a Lead or Contact master and one or two others, not {sobject} {loser_ids}"
        )
    with store.lock:
        moment = datetime_text(store.clock.now())
        master = table.rows[master_id]
        if table.value(master, "IsDeleted"):
            raise ValueError(f"{master_id} is deleted: it cannot be a merge's master")
        losers = {loser_id: table.rows[loser_id] for loser_id in loser_ids}
        for row in losers.values():
            row[table.columns["IsDeleted"]] = True
            row[table.columns["MasterRecordId"]] = master_id
            store.stamp(table, row, by, moment)
        store.stamp(table, master, by, moment)
        for child, lookups in _CHILDREN.items():
            _reparent(store, child, lookups, set(losers), master_id, by=by, moment=moment)


def _reparent(
    store: Store,
    sobject: str,
    lookups: tuple[str, ...],
    losers: set[str],
    master_id: str,
    *,
    by: str,
    moment: str,
) -> None:
    table = store.tables[sobject]
    columns = [table.columns[name] for name in (*lookups, "LeadOrContactId") if name in table.columns]
    for row in table.rows.values():
        moved = [column for column in columns if row[column] in losers]
        if not moved:
            continue
        for column in moved:
            row[column] = master_id
        store.stamp(table, row, by, moment)
