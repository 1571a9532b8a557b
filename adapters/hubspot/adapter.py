"""`HubSpotAdapter`: the adapter contract over HubSpot's CRM API (contacts, engagements, owners)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import chain
from operator import itemgetter
from typing import Any, Final

import msgspec
from hubspot import HubSpot
from urllib3 import Retry

from leadsync.adapter_api import (
    AdapterContext,
    ApiUsage,
    Change,
    CurrentValues,
    Gone,
    Page,
    SchemaReport,
    WriteResult,
)
from leadsync.kit import Pages, RecentRows, epoch_ms, excerpt, from_epoch_ms, merged_pages
from leadsync.model import Activity, Cursor, Owner, OwnerKind, Person, RecordRef

from .activities import changed_activities
from .batch_reads import BATCH
from .consent import Consent
from .deletions import deleted_rows
from .keyset import Row, SearchSpec, rows_after, searcher
from .schema import schema_report
from .settings import HubSpotSettings
from .transport import Transport
from .writes import Writer

__all__ = ["HubSpotAdapter"]

CONTACTS: Final = "contacts"
_STRUCTURAL: Final = ("hs_object_id", "lastmodifieddate", "hs_merged_object_ids")
_SHOWN: Final = ("properties.hs_object_id", "properties.email")  # a quarantined contact shows no more
_SHOWN_CHARS: Final = 80
_PLACE: Final = itemgetter(0, 1)  # a row's (stamp, id): read order


class HubSpotAdapter:
    """One HubSpot portal as leadsync sees it."""

    write_batch_size: int = BATCH

    def __init__(self, context: AdapterContext, settings: HubSpotSettings) -> None:
        self.name = context.name
        self._context, self._settings = context, settings
        self._people = context.mapping.people[CONTACTS]
        self._client = HubSpot(
            access_token=settings.access_token.get_secret_value(),
            host=settings.base_url.rstrip("/"),
            retry=Retry(total=0, respect_retry_after_header=False),
        )
        self._transport = Transport(context.name, settings, clock=context.clock, sleep=context.sleep)
        self._owners: list[Owner] | None = None
        self._page_values: RecentRows[Mapping[str, Any]] = RecentRows()  # for read_current
        self._skipped: dict[str, str] = {}  # optional streams HubSpot refused in the last read, and why
        self._writer = Writer(context, self._client, self._transport, self._owner_ids)
        self._consent = Consent(context, self._client, self._transport)

    # -- the contract -------------------------------------------------------------------------

    def check(self) -> SchemaReport:
        """Auth works; every mapped property exists, fits and is writable where written."""
        return schema_report(self._context, self._client, self._transport)

    def owners(self) -> Iterable[Owner]:
        """Active and archived owners, by e-mail; `crm_ids` holds the owner's id (not userId)."""
        if self._owners is None:
            api = self._client.crm.owners.owners_api
            pages = [
                self._transport.listed("owners", api.get_page, limit=100, archived=a) for a in (False, True)
            ]
            self._owners = [_owner(raw, self.name) for raw in chain(*pages) if raw.get("email")]
        return list(self._owners)

    def changed_people(self, since: Cursor) -> Iterator[Page[Person]]:
        """Contacts changed strictly after `since` and up to the cycle's start, in (stamp, id) order;
        those deleted (archived) in that span are the pages' `gone` (`deletions`)."""
        self._page_values.clear()  # rows a stopped read left are no one's current values now
        until_ms = epoch_ms(self._context.clock.now())
        after = (epoch_ms(since.stamp), int(since.record_id) if since.record_id.isdigit() else 0)
        if until_ms < after[0]:
            return
        search = searcher(self._client, self._transport, CONTACTS)
        spec = SearchSpec("lastmodifieddate", self._people_properties(), self._settings.page_size, search)
        changed = rows_after(spec, *after, until_ms)
        deleted = deleted_rows(self._client, self._transport, after, until_ms)
        owners = cache(  # asked for with the first person: a read of no one costs no owners call
            lambda: {o.crm_ids[self.name]: o.email for o in self.owners() if self.name in o.crm_ids}
        )
        pages: Pages[Row, Person] = Pages(
            ref=lambda row: RecordRef(self.name, CONTACTS, str(row[1])),
            item=lambda row, ref: self._person(row[2], ref, owners()),
            cursor=lambda row: Cursor(from_epoch_ms(row[0]), str(row[1])),
            excerpt=lambda row: excerpt(row[2], only=_SHOWN),
            gone=lambda row, ref: Gone(ref) if row[2].get("archived") is True else None,
        )
        for rows in merged_pages(changed, deleted, _PLACE, size=self._settings.page_size):
            page = pages.page(rows)
            self._page_values.keep({str(row[1]): row[2].get("properties") or {} for row in rows})
            yield page

    def changed_activities(self, since: Cursor) -> Iterator[Page[Activity]]:
        """Every activity stream (engagements, web, e-mail, marketing events) after `since`, merged.

        An optional stream HubSpot refuses (403: tier or scopes) is skipped; `usage()` says why.
        """
        self._skipped.clear()  # a new read: what the last one skipped is told no more
        return changed_activities(
            self._context, self._client, self._transport, self._settings, since, skipped=self._skipped
        )

    def read_current(self, refs: Sequence[RecordRef]) -> Iterable[CurrentValues]:
        """The managed values HubSpot holds now for these contacts: as the people page just read gave
        them (its search asked for them too), the others by batch reads of 100."""
        known = self._page_values.take(ref.record_id for ref in refs)
        return self._consent.read(self._writer.read_current(refs, known))

    def apply(self, changes: Sequence[Change]) -> Iterable[WriteResult]:
        """Write in batch updates of 100, an opt-out through the subscriptions API; one result per change."""
        return self._consent.apply(changes, self._writer.apply)

    def usage(self) -> ApiUsage:
        """HTTP calls made by this adapter, HubSpot's daily count when its headers gave one, and the
        streams the last read skipped."""
        t = self._transport
        return ApiUsage(t.calls, t.daily.used, t.daily.limit, skipped=tuple(self._skipped.values()))

    # -- inside -------------------------------------------------------------------------------

    def _people_properties(self) -> list[str]:
        """What a people read asks for: the mapped properties, and the written ones (`read_current`)."""
        write = self._context.mapping.write.get(CONTACTS)
        managed = write.target_fields() if write else ()
        return sorted({*self._people.source_fields(), *_STRUCTURAL, *managed})

    def _person(self, record: Mapping[str, Any], ref: RecordRef, owners: Mapping[str, str]) -> Person:
        values = record.get("properties") or {}
        person = self._people.to_person(values, ref)
        extra: dict[str, Any] = {}
        owner_property = self._writer.owner_property or ""
        owner_id = values.get(owner_property)
        if owner_id is not None and not isinstance(owner_id, str):  # HubSpot sends every property as text
            shown = repr(owner_id)[:_SHOWN_CHARS]
            raise ValueError(f"contacts field {owner_property!r} (owner): {shown} is not an owner id")
        if owner_id and owner_id in owners:
            extra["owner_email"] = owners[owner_id]
        merged = values.get("hs_merged_object_ids")
        if merged:  # the survivor speaks for the merged-away ids, which are no people of their own
            ids = tuple(i for i in str(merged).split(";") if i)
            extra["attributes"] = {**person.attributes, "merged_record_ids": ids}
        return msgspec.structs.replace(person, **extra) if extra else person

    def _owner_ids(self) -> Mapping[str, str]:
        return {o.email: o.crm_ids[self.name] for o in self.owners() if o.active and self.name in o.crm_ids}


def _owner(raw: Mapping[str, Any], crm: str) -> Owner:
    """An owner of `/crm/v3/owners`: `type` is PERSON or QUEUE (hubspot-api-client 12.0.0
    `PublicOwner.type`, generated from the public spec); a private app is never an owner."""
    name = " ".join(part for part in (raw.get("firstName"), raw.get("lastName")) if part)
    kind = OwnerKind.QUEUE if raw.get("type") == "QUEUE" else OwnerKind.PERSON
    return Owner(
        str(raw["email"]),
        name,
        active=not raw.get("archived", False),
        crm_ids={crm: str(raw["id"])},
        kind=kind,
    )
