"""`ToyAdapter`: the adapter contract over the toy CRM's API (docs/write-an-adapter.md), on the kit."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final

from pydantic import Field, SecretStr

from leadsync import adapter_api as contract
from leadsync import kit
from leadsync.model import Activity, Cursor, Owner, Person, RecordRef

PERSON: Final = "person"
Row = dict[str, Any]  # a record as the API answers it: `Any` stops in the adapter
ERRORS: Final = kit.ErrorTable(  # each status and code as the toy CRM's API reference documents it
    kit.ErrorRule(kit.Outcome.BUDGET_EXHAUSTED, 429, "daily-limit", "resumed after 00:00 UTC"),
    kit.ErrorRule(kit.Outcome.TRANSIENT, 429),  # rate-limit: the caller waits as Retry-After says
    kit.ErrorRule(kit.Outcome.TRANSIENT, 0),  # no answer at all
    kit.ErrorRule(kit.Outcome.TRANSIENT, range(500, 600)),
    kit.ErrorRule(kit.Outcome.UNAUTHORIZED, 401, hint="set a valid crm.{crm}.api_key"),
    kit.ErrorRule(kit.Outcome.GONE, code="not-found"),  # an update of a person deleted or merged
)
KINDS: Final = {"text": "TEXT", "number": "NUMBER", "datetime": "WHEN", "choice": "CHOICE"}  # kit.FieldKind
WORDS: Final = kit.SchemaWords("the toy CRM", "field", lambda _, name: f"add {name!r}", "map another one")


class ToySettings(kit.CrmSettings):
    """`[crm.<name>]`: where the account answers, its API key, how to page and retry."""

    base_url: str
    api_key: SecretStr
    page_size: int = Field(100, ge=1, le=500)
    attempts: int = Field(4, ge=1, le=10)
    lookback: timedelta = timedelta(seconds=30)  # the longest save: a save is stamped when it starts


class ToyAdapter:
    """One toy CRM account as leadsync sees it; its plugin's `create`."""

    def __init__(self, context: contract.AdapterContext) -> None:
        self.write_batch_size = 100  # the update endpoint's limit
        self.name, self._clock, self._mapping = context.name, context.clock, context.mapping
        self._settings = settings = kit.settings_of(ToySettings, context.name, context.options)
        rate = kit.RateLimit(max(1, int(100 * settings.budget_share)), 10.0)  # 100 calls in any 10 s
        at_once = settings.max_in_flight  # calls in flight together (the toy CRM documents no cap)
        limiter = kit.Limiter(rate, clock=context.clock, sleep=context.sleep, in_flight=at_once)
        retry = kit.RetryPolicy(settings.attempts)
        self._caller = kit.Caller(self.name, f"toy crm.{self.name}", ERRORS, limiter, retry, context.sleep)
        self._http = kit.http_session(settings.connect_timeout_s, settings.timeout_s)
        self._http.headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        to_person = self._mapping.people[PERSON].to_person  # a row it refuses (ValueError) is quarantined
        self._pages: kit.Pages[Row, Person] = kit.Pages(self._ref, to_person, _cursor, kit.excerpt, _gone)
        self._fields = sorted(self._mapping.write[PERSON].target_fields())
        self._values = kit.WriteValues(self._mapping)
        self._held = kit.HeldValues(self.name, self.read_current)

    def check(self) -> contract.SchemaReport:
        """The API key works; every mapped field exists, fits, and is writable where written."""
        try:
            found = {f["name"]: _field(f) for f in self._call("fields", "GET", "/v1/fields")["data"]}
        except contract.AdapterError as e:  # a refused key, say: a problem to report, not a crash
            return contract.SchemaReport(self.name, (contract.Problem(str(self._mapping.file), "", str(e)),))
        problems = kit.schema_problems(self._mapping, {PERSON: found}, WORDS)
        return contract.SchemaReport(self.name, tuple(problems))

    def owners(self) -> Iterable[Owner]:
        """The account's users (one page: the API lists them all at once)."""
        users = self._call("users", "GET", "/v1/users")["data"]
        return [Owner(u["email"], u["name"], active=u["active"], crm_ids={self.name: u["id"]}) for u in users]

    def changed_people(self, since: Cursor) -> Iterator[contract.Page[Person]]:
        """People changed after `since` (looking back `lookback`) up to now, in (stamp, id) order."""
        window = {"until": self._clock.now().isoformat(), "limit": self._settings.page_size}  # now: the cap
        start = Cursor(since.stamp - self._settings.lookback) if self._settings.lookback else since
        return map(self._pages.page, kit.by_key(lambda at: self._page_after(at, window), start, _cursor))

    def changed_activities(self, since: Cursor) -> Iterator[contract.Page[Activity]]:
        """None: the toy CRM keeps no activities."""
        return iter(())

    def read_current(self, refs: Sequence[RecordRef]) -> Iterable[contract.CurrentValues]:
        """The managed values the toy CRM holds now for these people (deleted ones left out)."""
        found, size = [], self.write_batch_size
        for ids in ([ref.record_id for ref in refs[n : n + size]] for n in range(0, len(refs), size)):
            for row in self._call("people read", "POST", "/v1/people/read", json={"ids": ids})["data"]:
                held = self._held.keep(row["id"], {name: row.get(name) for name in self._fields})
                found.append(self._values.current(self._ref(row), row, held, email_of=str))
        return found

    def apply(self, changes: Sequence[contract.Change]) -> Iterable[contract.WriteResult]:
        """Write in batches of 100, one result per change in order; nothing is sent for an unmapped value."""
        prepared = self._values.prepared(changes, lambda _managed, value: value, lambda value: value)
        ready, answers, size = [p for p in prepared if p.failure is None], [], self.write_batch_size
        self._held.hold([p.ref for p in ready])  # what each write replaces, for the audit
        for batch in (ready[n : n + size] for n in range(0, len(ready), size)):
            updates = {"updates": [{"id": p.ref.record_id, "fields": p.fields} for p in batch]}
            answers += self._call("people update", "POST", "/v1/people/update", json=updates)["results"]
        done = (  # the API answers each record on its own, in the order sent
            self._held.written(contract.WriteResult(p.ref, ok=True), p.fields)
            if answer["status"] == HTTPStatus.OK
            else ERRORS.failed_write(p.ref, answer["problem"]["code"], answer["problem"]["detail"])
            for p, answer in zip(ready, answers, strict=True)
        )
        return [p.failure or next(done) for p in prepared]

    def usage(self) -> contract.ApiUsage:
        """Requests sent so far, retries included."""
        return contract.ApiUsage(self._caller.calls)

    def _page_after(self, point: Cursor, window: Row) -> kit.Answer[Row]:
        query = {**window, "after": point.stamp.isoformat(), "after_id": point.record_id}
        page = self._call("people", "GET", "/v1/people", params=query)
        return kit.Answer(page["data"], page["has_more"])

    def _call(self, what: str, method: str, path: str, **request: Any) -> Row:  # noqa: ANN401 - requests' options
        url = self._settings.base_url + path
        return self._caller.call(what, lambda _record: self._try(method, url, request))

    def _try(self, method: str, url: str, request: Row) -> Row:  # one try: the caller does the rest
        now_s = self._clock.now().timestamp()  # a Retry-After date is read against it
        return kit.json_try(self._http, method, url, now_s=now_s, problem=_problem, **request)

    def _ref(self, row: Row) -> RecordRef:
        return RecordRef(self.name, PERSON, row["id"])


def _problem(body: Row) -> tuple[str, tuple[str, ...]]:  # an RFC 9457 problem, with a `code`
    return str(body.get("detail", "")), (str(body.get("code", "")),)


def _cursor(row: Row) -> Cursor:
    return Cursor(datetime.fromisoformat(row["updated_at"]), row["id"])


def _gone(row: Row, ref: RecordRef) -> contract.Gone | None:  # a tombstone: deleted, or merged into another
    survivor = row.get("merged_into") and RecordRef(ref.crm, PERSON, row["merged_into"])
    return contract.Gone(ref, survivor) if row.get("deleted") else None


def _field(raw: Row) -> kit.CrmField:
    kind, options = kit.FieldKind[KINDS.get(raw["type"], "OTHER")], frozenset(raw["options"])
    return kit.CrmField(raw["name"], kind, raw["type"], not raw["read_only"], options=options)


plugin = contract.AdapterPlugin(create=ToyAdapter, default_mapping=Path(__file__).with_name("mapping.toml"))
