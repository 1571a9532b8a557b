"""A streaming synthetic CRM for the memory benchmark: any number of people, made lazily.

`SyntheticAdapter` implements the adapter contract (`leadsync.adapter_api.Adapter`) without
a server: each page of people or activities is generated from its position when asked for,
so the source holds nothing, and the engine's memory is all that grows with N. Writes are
counted and dropped. It is registered for benchmarks only: `synthetic_runner` builds its
`Connection` in the benchmark process (no entry point in the product's pyproject).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

import msgspec

from benchmarks.engine_runner import EngineRunner
from leadsync.adapter_api import (
    AdapterPlugin,
    ApiUsage,
    Change,
    CurrentValues,
    Page,
    SchemaReport,
    WriteResult,
)
from leadsync.clock import ManualClock
from leadsync.config import Settings
from leadsync.connections import Connection
from leadsync.mapping import load_mapping
from leadsync.model import Activity, ActivityKind, Cursor, Owner, Person, RecordRef
from leadsync.registry import ADAPTERS, load_plugin

__all__ = ["SyntheticAdapter", "synthetic_runner"]

NAME: Final = "synthetic"
_TYPE: Final = "contacts"  # written through the HubSpot mapping's contact targets
_PAGE: Final = 2000
_BASE: Final = datetime(2026, 1, 1, tzinfo=UTC)
_NOW: Final = _BASE + timedelta(days=70)  # the cycles' clock: after every stamp and activity
_TITLES: Final = (
    "CEO",
    "VP Sales",
    "Head of Marketing",
    "Software Engineer",
    "Intern",
    "Directeur commercial",
)
_INDUSTRIES: Final = ("Software", "Banking", "Retail", "Education")
_COUNTRIES: Final = ("FR", "DE", "US", "GB")
_EMPLOYEES: Final = (12, 80, 300, 2500)
_KINDS: Final = tuple(ActivityKind)
_OWNERS: Final = ("alice.martin@example.com", "bruno.keller@example.com", "sales-ops@example.com")


class SyntheticAdapter:
    """`people` people with `activities` activities each, generated page by page; with `echo`,
    what is written is held and read back (and the written records come back in the next read),
    as a CRM would, else dropped."""

    name = NAME
    write_batch_size = 100

    def __init__(self, people: int, activities: int, *, echo: bool = False) -> None:
        self.people, self.activities, self.echo = people, activities, echo
        self._held: dict[RecordRef, dict[str, object]] = {}
        self.calls = 0
        self.written = 0
        self._revision = 0
        self._again: dict[int, bool] = {}  # people the next read returns again: touched or echoed

    def touch(self, every: int) -> None:
        """Change the title of every `every`-th person: the next read returns them changed."""
        self._revision += 1
        self._again.update(dict.fromkeys(range(0, self.people, every), True))

    def check(self) -> SchemaReport:
        """Always fine."""
        return SchemaReport(NAME)

    def owners(self) -> Iterable[Owner]:
        """A small sales team."""
        self.calls += 1
        return [Owner(email) for email in _OWNERS]

    def changed_people(self, since: Cursor) -> Iterator[Page[Person]]:
        """People after `since` (their stamp is their position), one page per call."""
        start = int(since.record_id) + 1 if since.record_id else 0
        for first in range(start, self.people, _PAGE):
            self.calls += 1
            items = tuple(_person(i) for i in range(first, min(first + _PAGE, self.people)))
            yield Page(items, Cursor(_stamp(first + len(items) - 1), items[-1].ref.record_id))
        again, self._again = sorted(self._again.items()), {}
        for first in range(0, len(again), _PAGE):
            self.calls += 1
            items = tuple(self._changed(i, touched=t) for i, t in again[first : first + _PAGE])
            yield Page(
                items, Cursor(items[-1].updated_at or _NOW, since.record_id or items[-1].ref.record_id)
            )

    def changed_activities(self, since: Cursor) -> Iterator[Page[Activity]]:
        """Activities after `since`, one page per call."""
        total = self.people * self.activities
        start = int(since.record_id) + 1 if since.record_id else 0
        for first in range(start, total, _PAGE):
            self.calls += 1
            items = tuple(self._activity(j) for j in range(first, min(first + _PAGE, total)))
            yield Page(items, Cursor(_stamp(first + len(items) - 1), items[-1].ref.record_id))

    def read_current(self, refs: Sequence[RecordRef]) -> Iterable[CurrentValues]:
        """The managed fields written to each record (none: empty)."""
        self.calls += 1
        return [CurrentValues(ref, self._held.get(ref, {})) for ref in refs]

    def apply(self, changes: Sequence[Change]) -> Iterable[WriteResult]:
        """Count the writes, in full batches (held with `echo`)."""
        for start in range(0, len(changes), self.write_batch_size):
            self.calls += 1
            self.written += len(changes[start : start + self.write_batch_size])
        for change in changes if self.echo else ():  # the record, stamped anew, comes back next read
            self._held.setdefault(change.ref, {}).update(change.values)
            self._again.setdefault(int(change.ref.record_id), False)
        return [WriteResult(change.ref, ok=True) for change in changes]

    def usage(self) -> ApiUsage:
        """Calls so far."""
        return ApiUsage(self.calls)

    def _changed(self, i: int, *, touched: bool) -> Person:
        """Person `i` read again: the echo of our write (a later stamp), or with a revised title."""
        later = _NOW - timedelta(minutes=10) + timedelta(seconds=self._revision)
        person = msgspec.structs.replace(_person(i), updated_at=later)
        return msgspec.structs.replace(person, title=f"Revised title {self._revision}") if touched else person

    def _activity(self, j: int) -> Activity:
        i = j // self.activities
        return Activity(
            RecordRef(NAME, "events", f"{j:012d}"),
            _ref(i),
            _KINDS[j % len(_KINDS)],
            _BASE + timedelta(minutes=j % 100_000),
            "/pricing",
        )


def _ref(i: int) -> RecordRef:
    return RecordRef(NAME, _TYPE, f"{i:012d}")


def _stamp(i: int) -> datetime:
    return _BASE + timedelta(milliseconds=i)


def _person(i: int) -> Person:
    return Person(
        _ref(i),
        f"person.{i}@company{i % 997}.example",
        first_name="Jane",
        last_name=f"Doe{i}",
        title=_TITLES[i % len(_TITLES)],
        company=f"Company {i % 997}",
        employees=_EMPLOYEES[i % len(_EMPLOYEES)],
        industry=_INDUSTRIES[i % len(_INDUSTRIES)],
        country=_COUNTRIES[i % len(_COUNTRIES)],
        source="Webinar",
        created_at=_stamp(i),
        updated_at=_stamp(i),
    )


def synthetic_runner(
    people: int, activities: int, state_url: str | None = None, *, echo: bool = False
) -> EngineRunner:
    """An engine over the synthetic CRM alone (build it in a benchmark worker process), its state
    in a fresh SQLite file or at `state_url`; `echo`: see `SyntheticAdapter`."""
    plugin = load_plugin(ADAPTERS, "hubspot")
    if not isinstance(plugin, AdapterPlugin):
        raise TypeError("the hubspot entry point is not an adapter plugin")
    crms = {NAME: {"adapter": "hubspot"}}  # the settings' adapter name is not used: no entry point is loaded
    runner = EngineRunner(crms, clock=ManualClock(_NOW), state_url=state_url)
    settings: Settings = runner.settings
    connection = Connection(
        NAME,
        SyntheticAdapter(people, activities, echo=echo),
        load_mapping(plugin.default_mapping),
        settings.enabled_crms()[NAME],
    )
    runner.use_connections([connection])
    return runner
