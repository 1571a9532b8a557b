"""`PipedriveAdapter`: the adapter contract over Pipedrive's API v2 (v1 where only v1 exists), on the kit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Final

import msgspec

from leadsync import adapter_api as contract
from leadsync import kit
from leadsync.model import Activity, Cursor, Owner, Person, RecordRef

from .client import COSTS, PipedriveClient, Row
from .deals import DEAL_FIELDS, INCLUDE, STATUS, Deals, with_status
from .fields import PersonFields
from .leads import Leads
from .leads import stamp as lead_stamp
from .merges import Merges
from .options import missing_options
from .reads import LOWEST, SECOND, Place, Stream, stamp_of
from .settings import PipedriveSettings
from .writes import Writes

__all__ = ["PipedriveAdapter"]

PERSON: Final = "person"
ACTIVITY: Final = "activity"
LEAD: Final = "lead"  # the Leads inbox, read as activities only where the mapping names it
IDS_PER_READ: Final = 100  # GET /api/v2/persons?ids=: "up to 100 entity ids"
WORDS: Final = kit.SchemaWords(
    "Pipedrive",
    "person field",
    lambda _, name: f"create a person field labelled {name!r} (Company settings → Data fields → Person)",
    "map another person field",
)


class PipedriveAdapter:
    """One Pipedrive company as leadsync sees it; its plugin's `create`."""

    def __init__(self, context: contract.AdapterContext) -> None:
        self.write_batch_size = 1  # no batch update exists: one PATCH per person
        self.name, self._clock, self._mapping = context.name, context.clock, context.mapping
        self._settings = settings = kit.settings_of(PipedriveSettings, context.name, context.options)
        self._client = PipedriveClient(context, settings)
        self._persons = Stream(
            self._client, "persons", "/api/v2/persons", settings.page_size, {"include_fields": INCLUDE}
        )
        self._deals = Deals(self._client, settings.page_size)
        self._merges = Merges(self._client, settings.page_size)
        self._leads = Leads(self._client, settings.page_size)
        self._activities = Stream(self._client, "activities", "/api/v2/activities", settings.page_size)
        self._fields: PersonFields | None = None
        self._users: list[Row] | None = None
        self._types: dict[str, str] | None = None
        self._values = kit.WriteValues(self._mapping)
        self._held = kit.HeldValues(self.name, self.read_current)
        self._writes = Writes(self._client, self._held, self._values, self._person_fields, self._owner_id)
        self._people: kit.Pages[Place, Person] = kit.Pages(
            lambda place: self._ref(PERSON, place[2]["id"]),
            self._person,
            _cursor,
            lambda p: kit.excerpt(p[2]),
        )

    def check(self) -> contract.SchemaReport:
        """The token works; every mapped field exists by its label, fits, and is writable where written."""
        try:
            found = {**self._person_fields(fresh=True).crm_fields(), **DEAL_FIELDS}
        except contract.AdapterError as e:  # a refused token, say: a problem to report, not a crash
            return contract.SchemaReport(self.name, (contract.Problem(str(self._mapping.file), "", str(e)),))
        problems = kit.schema_problems(self._mapping, {PERSON: found}, WORDS)
        problems += missing_options(self._mapping, PERSON, found)
        return contract.SchemaReport(self.name, tuple(problems))

    def owners(self) -> Iterable[Owner]:
        """The company's users (`GET /v1/users`: one list, v1 only), active or not."""
        return [
            Owner(
                u["email"],
                u.get("name") or "",
                active=bool(u.get("active_flag")),
                crm_ids={self.name: str(u["id"])},
            )
            for u in self._user_rows()
        ]

    def changed_people(self, since: Cursor) -> Iterator[contract.Page[Person]]:
        """The persons whose deals changed since `since` (the cursor kept), then the persons changed
        after `since` (looking back `lookback`) up to now, in (update_time, id) order, then a page of
        the persons merged away meanwhile, each gone into its survivor."""
        start, now = since.stamp - self._settings.lookback, self._clock.now()
        key = int(since.record_id) if since.record_id and not self._settings.lookback else LOWEST
        yield from self._dealt(since, start, now)
        last = since
        for page in map(self._people.page, self._persons.pages(start, key, now)):
            last = page.cursor
            yield page
        if merges := self._merges.since(start):
            gone = (contract.Gone(self._ref(PERSON, m), self._ref(PERSON, s)) for m, s in merges.items())
            yield contract.Page((), last, gone=tuple(gone))

    def _dealt(self, since: Cursor, start: datetime, now: datetime) -> Iterator[contract.Page[Person]]:
        """The persons of the deals saved from `start` to now, 100 a page, each page at `since`."""
        ids = [str(n) for n in self._deals.persons(start, now.replace(microsecond=0) + SECOND)]
        for n in range(0, len(ids), IDS_PER_READ):
            rows = self._by_ids(ids[n : n + IDS_PER_READ], include_fields=INCLUDE)
            if places := [(stamp_of(row), int(row["id"]), row) for row in rows]:
                page = self._people.page(places)
                yield contract.Page(page.items, since, page.rejected, page.gone)

    def changed_activities(self, since: Cursor) -> Iterator[contract.Page[Activity]]:
        """Activities (calls, meetings, tasks…: sales actions) changed after `since`, typed by the
        mapping; then, where the mapping names them, the leads saved since, at the same cursor."""
        last = since
        for page in self._sales_actions(since):
            last = page.cursor
            yield page
        mapping = self._mapping.activities.get(LEAD)
        if mapping is None:
            return
        rows = self._leads.since(since.stamp - self._settings.lookback)
        places = [(lead_stamp(row), 0, row) for row in rows]

        def item(place: Place, ref: RecordRef) -> Activity | None:
            return mapping.to_activity(place[2], ref, self._ref(PERSON, place[2]["person_id"]))

        pages: kit.Pages[Place, Activity] = kit.Pages(
            lambda place: self._ref(LEAD, place[2]["id"]), item, _cursor, lambda p: kit.excerpt(p[2])
        )
        for n in range(0, len(places), self._settings.page_size):
            page = pages.page(places[n : n + self._settings.page_size])
            yield contract.Page(page.items, last, page.rejected, page.gone)

    def _sales_actions(self, since: Cursor) -> Iterator[contract.Page[Activity]]:
        mapping = self._mapping.activities.get(ACTIVITY)
        if mapping is None:
            return iter(())
        types = self._activity_types()

        def item(place: Place, ref: RecordRef) -> Activity | None:
            row = place[2]
            if not row.get("person_id"):
                return None  # no person took part: nothing to score
            person = self._ref(PERSON, row["person_id"])
            return mapping.to_activity({**row, "type_name": types.get(str(row.get("type")), "")}, ref, person)

        pages: kit.Pages[Place, Activity] = kit.Pages(
            lambda place: self._ref(ACTIVITY, place[2]["id"]), item, _cursor, lambda p: kit.excerpt(p[2])
        )
        key = int(since.record_id) if since.record_id else LOWEST
        return map(pages.page, self._activities.pages(since.stamp, key, self._clock.now()))

    def read_current(self, refs: Sequence[RecordRef]) -> Iterable[contract.CurrentValues]:
        """The managed values these persons hold now (deleted ones left out), 100 a call; the stage
        their deals give, with a lost deal's reason, when the mapping reads one and writes none."""
        fields, names, found = self._person_fields(), sorted(self._mapping.write[PERSON].target_fields()), []
        emails = {str(u["id"]): u["email"] for u in self._user_rows()}
        people, write = self._mapping.people[PERSON], self._mapping.write[PERSON]
        dealt = "stage" in people.fields and "stage" not in write.targets
        for n in range(0, len(refs), IDS_PER_READ):
            ids = [ref.record_id for ref in refs[n : n + IDS_PER_READ]]
            for row in self._by_ids(ids, **({"include_fields": INCLUDE} if dealt else {})):
                flat = with_status(fields.flat(row))
                held = self._held.keep(str(row["id"]), {name: flat.get(name) for name in names})
                ref = self._ref(PERSON, row["id"])
                current = self._values.current(ref, flat, held, email_of=lambda i: emails.get(str(i)))
                found.append(self._with_deal_stage(current, flat) if dealt else current)
        return found

    def _with_deal_stage(self, current: contract.CurrentValues, flat: Row) -> contract.CurrentValues:
        """`current` with the stage the person's deals give, and why when a lost deal gives it."""
        try:
            stage = self._mapping.people[PERSON].to_person(flat, current.ref).stage
        except contract.ModelError:
            stage = None  # a person the mapping cannot read is quarantined when read
        lost = self._deals.lost_reason(int(current.ref.record_id)) if flat.get(STATUS) == "lost" else None
        return msgspec.structs.replace(
            current,
            values={**current.values, "stage": stage.value if stage else None},
            reasons={"stage": f"deal lost: {lost}"} if stage and lost else {},
        )

    def apply(self, changes: Sequence[contract.Change]) -> Iterable[contract.WriteResult]:
        """One PATCH per changed person, stage and owner first; the rest is left for the next cycle
        when the day's token budget runs out."""
        return self._writes.apply(changes)

    def estimate(self, records: int) -> contract.CostEstimate:
        """Tokens: those the read so far spent, one PATCH per record to write, the day's share."""
        notes = ["one PATCH per person written (no batch update)"]
        if LEAD in self._mapping.activities:
            notes.append(
                f"Leads inbox: a full scan every read ({self._leads.scan_tokens()} tokens at "
                f"{self._leads.seen} leads): v1 only, no update-time filter"
            )
        budget = self._client.budget
        return contract.CostEstimate(
            "tokens", budget.spent, records * COSTS["update"], budget.allowed, tuple(notes)
        )

    def usage(self) -> contract.ApiUsage:
        """Requests sent so far, retries included."""
        return contract.ApiUsage(self._client.caller.calls)

    def _by_ids(self, ids: list[str], **params: str) -> list[Row]:
        """These persons (at most 100, deleted ones left out): `GET /api/v2/persons?ids=`."""
        query = {"ids": ",".join(ids), **params}
        answer = self._client.call("persons by id", "GET", "/api/v2/persons", COSTS["list"], params=query)
        return list(answer.get("data") or ())

    def _person(self, place: Place, ref: RecordRef) -> Person:
        flat = with_status(self._person_fields().flat(place[2]))
        return self._mapping.people[PERSON].to_person(flat, ref)

    def _person_fields(self, *, fresh: bool = False) -> PersonFields:
        """The person fields, read once (`GET /api/v2/personFields`, cursor-paged)."""
        if self._fields is None or fresh:
            rows = kit.every_row(self._fields_page)
            self._fields = PersonFields.of(rows)
        return self._fields

    def _fields_page(self, cursor: str | None) -> tuple[list[Row], str | None]:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        answer = self._client.call(
            "person fields", "GET", "/api/v2/personFields", COSTS["list"], params=params
        )
        token = kit.json_at(answer, "additional_data", "next_cursor")
        return list(answer.get("data") or ()), str(token) if token else None

    def _user_rows(self) -> list[Row]:
        if self._users is None:
            self._users = list(
                self._client.call("users", "GET", "/v1/users", COSTS["v1 list"]).get("data") or ()
            )
        return self._users

    def _owner_id(self, email: str) -> int | None:
        """The id of the active user with this e-mail (owners are matched by e-mail)."""
        wanted = email.casefold()
        return next(
            (
                int(u["id"])
                for u in self._user_rows()
                if u.get("active_flag") and str(u["email"]).casefold() == wanted
            ),
            None,
        )

    def _activity_types(self) -> dict[str, str]:
        """Activity type key (`key_string`) -> its name (`GET /v1/activityTypes`, v1 only)."""
        if self._types is None:
            rows = self._client.call("activity types", "GET", "/v1/activityTypes", COSTS["v1 list"]).get(
                "data"
            )
            self._types = {str(t["key_string"]): str(t["name"]) for t in rows or ()}
        return self._types

    def _ref(self, object_type: str, record_id: object) -> RecordRef:
        return RecordRef(self.name, object_type, str(record_id))


def _cursor(place: Place) -> Cursor:
    return Cursor(place[0], str(place[1]))
