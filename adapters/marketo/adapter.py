"""`MarketoAdapter`: the adapter contract over Marketo Engage's REST API, on the kit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from leadsync import adapter_api as contract
from leadsync import kit
from leadsync.model import Activity, Cursor, Owner, Person, RecordRef

from .activities import Activities
from .changes import Change, LeadChanges, cursor_of
from .client import MarketoClient, Row
from .leads import by_ids
from .paging import iso
from .schema import lead_fields
from .settings import MarketoSettings
from .writes import BATCH, Writes

__all__ = ["MarketoAdapter"]

LEAD: Final = "lead"
ACTIVITY: Final = "activity"
Place = tuple[Cursor, Row]  # a lead and where the read stands once it is read
WORDS: Final = kit.SchemaWords(
    "Marketo",
    "lead field",
    lambda _, name: (
        f"create a lead field with the API name {name!r} (Admin → Field Management → New Custom Field)"
    ),
    "map another lead field",
)


class MarketoAdapter:
    """One Marketo Engage instance as leadsync sees it; its plugin's `create`."""

    def __init__(self, context: contract.AdapterContext) -> None:
        self.write_batch_size = BATCH
        self.name, self._clock, self._mapping = context.name, context.clock, context.mapping
        self._settings = settings = kit.settings_of(MarketoSettings, context.name, context.options)
        self._client = MarketoClient(context, settings)
        self._changes = LeadChanges(self._client, settings.page_size, settings.lookback)
        self._activities = Activities(self._client, settings.page_size)
        self._values = kit.WriteValues(self._mapping)
        self._held = kit.HeldValues(self.name, self.read_current)
        self._writes = Writes(self._client, self._held, self._values)
        self._people: kit.Pages[Place, Person] = kit.Pages(
            lambda place: self._ref(LEAD, place[1]["id"]),
            lambda place, ref: self._mapping.people[LEAD].to_person(place[1], ref),
            lambda place: place[0],
            lambda place: kit.excerpt(place[1]),
        )

    def check(self) -> contract.SchemaReport:
        """The custom service works; each mapped field exists (describe2), fits, is writable where written."""
        try:
            found = lead_fields(self._client)
        except contract.AdapterError as e:  # a refused client, say: a problem to report, not a crash
            return contract.SchemaReport(self.name, (contract.Problem(str(self._mapping.file), "", str(e)),))
        return contract.SchemaReport(
            self.name, tuple(kit.schema_problems(self._mapping, {LEAD: found}, WORDS))
        )

    def owners(self) -> Iterable[Owner]:
        """None: a lead's owner is a Sales Person (`externalSalesPersonId`), and no endpoint lists
        them (`GET /rest/v1/salespersons.json` takes the ids asked for); with the native
        Salesforce sync the owner is Salesforce's, read and written there."""
        return ()

    def changed_people(self, since: Cursor) -> Iterator[contract.Page[Person]]:
        """The leads changed after `since` as Get Lead Changes lists them, read by id, a page per
        `page_size` leads; then a page of the leads deleted meanwhile. A lead already read in this read is
        read again only for a change dated at or after that read."""
        fields = self._read_fields()
        changes, deleted = self._changes.read(since, fields)
        last, fetched = since, dict[str, str]()
        for page in changes:
            last = cursor_of(page[-1])
            fresh = [c for c in page if str(c[2]["activityDate"]) >= fetched.get(str(c[2]["leadId"]), "")]
            now = iso(self._clock.now())
            fetched.update((str(c[2]["leadId"]), now) for c in fresh)
            yield self._page(fresh, fields, last)
        if gone := list(deleted):
            if int(gone[-1][1]) > int(last.record_id or -1):
                last = cursor_of(gone[-1])
            refs = dict.fromkeys(self._ref(LEAD, c[2]["leadId"]) for c in gone)
            yield contract.Page((), last, gone=tuple(contract.Gone(ref) for ref in refs))

    def _page(self, page: list[Change], fields: list[str], cursor: Cursor) -> contract.Page[Person]:
        """The leads of these changes as they are now, each stamped no earlier than its last change."""
        changed: dict[str, Change] = {str(c[2]["leadId"]): c for c in page}
        rows = by_ids(self._client, list(changed), fields) if changed else []
        if not rows:
            return contract.Page((), cursor)
        for row in rows:
            at = changed[str(row["id"])][2]["activityDate"]
            row["updatedAt"] = max(str(row.get("updatedAt") or ""), str(at))  # custom-field changes too
        return self._people.page([(cursor, row) for row in rows])

    def changed_activities(self, since: Cursor) -> Iterator[contract.Page[Activity]]:
        """The activities of the types `activity_types` names, after `since`, typed by the mapping."""
        mapping = self._mapping.activities.get(ACTIVITY)
        if mapping is None:
            return
        names = frozenset(self._settings.activity_types)

        def item(c: Change, ref: RecordRef) -> Activity | None:
            return mapping.to_activity(c[2], ref, self._ref(LEAD, c[2]["leadId"]))

        pages: kit.Pages[Change, Activity] = kit.Pages(
            lambda c: self._ref(ACTIVITY, c[1]), item, cursor_of, lambda c: kit.excerpt(c[2])
        )
        yield from pages.pages(self._activities.since(since, names), self._settings.page_size)

    def read_current(self, refs: Sequence[RecordRef]) -> Iterable[contract.CurrentValues]:
        """The managed values these leads hold now (deleted ones left out), 300 a call."""
        names = sorted(self._mapping.write[LEAD].target_fields())
        found = []
        for row in by_ids(self._client, [r.record_id for r in refs], names):
            held = self._held.keep(str(row["id"]), {name: row.get(name) for name in names})
            found.append(
                self._values.current(self._ref(LEAD, row["id"]), row, held, email_of=lambda _i: None)
            )
        return found

    def apply(self, changes: Sequence[contract.Change]) -> Iterable[contract.WriteResult]:
        """leads.json updateOnly by id, 300 leads a call, only the values that differ."""
        return self._writes.apply(changes)

    def estimate(self, records: int) -> contract.CostEstimate:
        """Calls: those made so far, one per 300 leads to write, the day's quota share."""
        quota = self._client.quota
        writes = -(-records // BATCH)
        notes = ("one leads.json call per 300 leads written (updateOnly by id)",)
        return contract.CostEstimate("calls", quota.spent, writes, quota.allowed, notes)

    def usage(self) -> contract.ApiUsage:
        """Requests sent so far, retries included (Identity calls count against no quota)."""
        return contract.ApiUsage(self._client.caller.calls)

    def _read_fields(self) -> list[str]:
        people, write = self._mapping.people[LEAD], self._mapping.write.get(LEAD)
        fields = {*people.source_fields(), *(write.target_fields() if write else ())}
        return sorted(fields - {"id"})

    def _ref(self, object_type: str, record_id: object) -> RecordRef:
        return RecordRef(self.name, object_type, str(record_id))
