"""`PipedriveAdapter`: the adapter contract over Pipedrive's API v2 (v1 where only v1 exists), on the kit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from leadsync import adapter_api as contract
from leadsync import kit
from leadsync.model import Activity, Cursor, Owner, Person, RecordRef

from .client import COSTS, PipedriveClient, Row
from .fields import PersonFields
from .options import missing_options
from .reads import LOWEST, Place, Stream
from .settings import PipedriveSettings
from .writes import Writes

__all__ = ["PipedriveAdapter"]

PERSON: Final = "person"
ACTIVITY: Final = "activity"
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
        self._persons = Stream(self._client, "persons", "/api/v2/persons", settings.page_size)
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
            found = self._person_fields(fresh=True).crm_fields()
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
        """Persons changed after `since` (looking back `lookback`) up to now, in (update_time, id) order."""
        start = since.stamp - self._settings.lookback
        key = int(since.record_id) if since.record_id and not self._settings.lookback else LOWEST
        return map(self._people.page, self._persons.pages(start, key, self._clock.now()))

    def changed_activities(self, since: Cursor) -> Iterator[contract.Page[Activity]]:
        """Activities (calls, meetings, tasks…: sales actions) changed after `since`, typed by the mapping."""
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
        """The managed values these persons hold now (deleted ones left out), 100 a call."""
        fields, names, found = self._person_fields(), sorted(self._mapping.write[PERSON].target_fields()), []
        emails = {str(u["id"]): u["email"] for u in self._user_rows()}
        for n in range(0, len(refs), IDS_PER_READ):
            ids = ",".join(ref.record_id for ref in refs[n : n + IDS_PER_READ])
            answer = self._client.call(
                "persons by id", "GET", "/api/v2/persons", COSTS["list"], params={"ids": ids}
            )
            for row in answer.get("data") or ():
                flat = fields.flat(row)
                held = self._held.keep(str(row["id"]), {name: flat.get(name) for name in names})
                ref = self._ref(PERSON, row["id"])
                found.append(self._values.current(ref, flat, held, email_of=lambda i: emails.get(str(i))))
        return found

    def apply(self, changes: Sequence[contract.Change]) -> Iterable[contract.WriteResult]:
        """One PATCH per changed person, stage and owner first; the rest is left for the next cycle
        when the day's token budget runs out."""
        return self._writes.apply(changes)

    def usage(self) -> contract.ApiUsage:
        """Requests sent so far, retries included."""
        return contract.ApiUsage(self._client.caller.calls)

    def _person(self, place: Place, ref: RecordRef) -> Person:
        return self._mapping.people[PERSON].to_person(self._person_fields().flat(place[2]), ref)

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
