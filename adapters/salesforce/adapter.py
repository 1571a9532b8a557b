"""`SalesforceAdapter`: the adapter contract over the Salesforce REST API (simple-salesforce)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

from leadsync.adapter_api import (
    AdapterContext,
    ApiUsage,
    Change,
    CurrentValues,
    Page,
    SchemaReport,
    WriteResult,
)
from leadsync.kit import RecentRows
from leadsync.model import Activity, Cursor, Owner, Person, RecordRef

from .client import SalesforceClient
from .options import SalesforceOptions, parse_options
from .own_echoes import OwnEchoes
from .owners import OwnerDirectory
from .reads import Convert, ObjectRead, Row, merged_pages
from .schema import schema_report
from .soql import KEY_PREFIXES, lead_filter
from .writes import Writer

__all__ = ["SalesforceAdapter", "create"]

# A converted Lead is read-only: its person lives on as the Contact the conversion made. Leads
# converted lately are read to be reported gone (see `soql.lead_filter`), older ones skipped.
_CONVERSION_FIELDS: Final = {"Lead": ("IsConverted", "ConvertedContactId")}
_PERSON_TYPES: Final = {KEY_PREFIXES["Lead"]: "Lead", KEY_PREFIXES["Contact"]: "Contact"}
_QUEUE: Final = KEY_PREFIXES["Group"]
T = TypeVar("T")


def create(context: AdapterContext) -> SalesforceAdapter:
    """The adapter for one configured Salesforce CRM (`[crm.<name>]`); no call is made yet."""
    return SalesforceAdapter(context, parse_options(context.name, context.options))


class SalesforceAdapter:
    """Reads people, activities and owners incrementally; writes managed values back in batches."""

    def __init__(self, context: AdapterContext, options: SalesforceOptions) -> None:
        self.name = context.name
        self.write_batch_size = options.write_batch_size
        self._context, self._options, self._mapping = context, options, context.mapping
        self._client = SalesforceClient(context.name, options, clock=context.clock, sleep=context.sleep)
        self._owners = OwnerDirectory(self._client, context.name, page_size=options.page_size)
        self._writer = Writer(self._client, self._mapping, self._owners, options, context.sleep)
        self._own_echoes = OwnEchoes(
            self._client, self._owners, enabled=options.skip_own_echoes, config_file=context.config_file
        )
        self._skipped: dict[str, str] = {}  # activity objects Salesforce refused in the last read, and why
        self._page_rows: RecentRows[dict[str, Any]] = RecentRows()  # for read_current

    def check(self) -> SchemaReport:
        """Credentials work, every mapped field exists, has a compatible type and is writable, and
        `skip_own_echoes`, when on, has a user only leadsync can use (API only)."""
        report = schema_report(self._client, self.name, self._mapping)
        return SchemaReport(self.name, (*report.problems, *self._own_echoes.problems()))

    def owners(self) -> Iterable[Owner]:
        """Users and queues with an e-mail, each of its kind (inactive users flagged)."""
        return self._owners.refresh()

    def changed_people(self, since: Cursor) -> Iterator[Page[Person]]:
        """Leads not converted and Contacts changed after `since`, merged in (stamp, id) order; those
        deleted, merged away or converted since are each page's `gone`. With `skip_own_echoes`,
        records last saved by leadsync's own user are left out (`own_echoes`)."""
        own = self._own_echoes.condition(since)
        where = {"Lead": lead_filter(since, self._context.clock.now())}
        reads = tuple(
            ObjectRead(
                sobject,
                (
                    *people.source_fields(),
                    "OwnerId",
                    *_CONVERSION_FIELDS.get(sobject, ()),
                    *self._managed(sobject),
                ),
                " AND ".join(c for c in (where.get(sobject, ""), own) if c),
                include_deleted=True,
            )
            for sobject, people in self._mapping.people.items()
        )
        return self._people_pages(reads, since)

    def changed_activities(self, since: Cursor) -> Iterator[Page[Activity]]:
        """Tasks, Events and CampaignMembers changed after `since`, mapped to activity kinds; an
        object refused (INVALID_TYPE: out of the integration user's sight) is skipped: `usage()` says why."""
        self._skipped.clear()
        reads = tuple(
            ObjectRead(sobject, activities.source_fields(), optional=True)
            for sobject, activities in self._mapping.activities.items()
        )
        return self._pages(reads, since, self._activity)

    def read_current(self, refs: Sequence[RecordRef]) -> Iterable[CurrentValues]:
        """The managed values Salesforce holds now for these records, in model terms: as the people
        page just read gave them (its query selected them too), the others by queries of 200 ids."""
        known = self._page_rows.take(ref.record_id for ref in refs)
        return list(self._writer.read_current(refs, known))

    def apply(self, changes: Sequence[Change]) -> Iterable[WriteResult]:
        """Write by sObject Collections, 200 a call; refuse the whole lot if one value is unmapped."""
        return self._writer.apply(changes)

    def usage(self) -> ApiUsage:
        """Calls this adapter made, Salesforce's daily count from the last Sforce-Limit-Info, and
        the activity objects the last read skipped."""
        client = self._client
        return ApiUsage(client.calls, client.used, client.limit, skipped=tuple(self._skipped.values()))

    # -- reading -------------------------------------------------------------------------------
    def _managed(self, sobject: str) -> tuple[str, ...]:
        """The fields written to an object and who saved it last: what `read_current` reads."""
        write = self._mapping.write.get(sobject)
        return (*sorted(write.target_fields()), "LastModifiedById") if write else ()

    def _people_pages(self, reads: tuple[ObjectRead, ...], since: Cursor) -> Iterator[Page[Person]]:
        """People pages; each page's rows are kept for the `read_current` that follows it."""
        rows: dict[str, dict[str, Any]] = {}
        self._page_rows.clear()  # rows a stopped read left are no one's current values now

        def person(row: Row, ref: RecordRef) -> Person:
            rows[ref.record_id] = row.raw
            return self._person(row, ref)

        for page in self._pages(reads, since, person):
            self._page_rows.keep(rows)
            rows.clear()
            yield page

    def _pages(self, reads: tuple[ObjectRead, ...], since: Cursor, convert: Convert[T]) -> Iterator[Page[T]]:
        until = self._context.clock.now()  # the cap: no new cursor passes the cycle's start
        return merged_pages(
            self._client, self._options, reads, since, until, convert=convert, skipped=self._skipped
        )

    def _person(self, row: Row, ref: RecordRef) -> Person:
        raw = row.raw
        if str(raw.get("OwnerId") or "").startswith(_QUEUE):
            raw = {**raw, "Owner": None}  # a queue's e-mail is not an owner's
        return self._mapping.people[row.sobject].to_person(raw, ref)

    def _activity(self, row: Row, ref: RecordRef) -> Activity | None:
        mapping = self._mapping.activities[row.sobject]
        who = str(row.raw.get(mapping.person) or "")
        person_type = _PERSON_TYPES.get(who[:3])
        if person_type is None:
            return None  # no person, or an Account / Opportunity: not a person's activity
        return mapping.to_activity(row.raw, ref, RecordRef(self.name, person_type, who))
