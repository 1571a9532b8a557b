"""Read one CRM's changes since its cursors into the state store, page by page.

Pages are stored one by one: records linked and kept as snapshots, their managed values read
back (to tell a human's change from our echo, including writes a dead process sent but never
recorded), activities kept, rejected records quarantined. The people touched become due;
nothing is decided here. A CRM's two streams are read side by side, each one page ahead of
what is stored (people pages fetched while the last is stored, activities in batches of
joined pages), and the CRMs of a cycle side by side too: the store is used by one thread at
a time (`store_lock`), the CRMs' answers are waited for meanwhile. A page of people asks the
CRM for their managed values outside that lock. Each stream logs `stream.started` and `stream.finished`
(pages, records, quarantined, the cursor reached), each rejected record `record.quarantined`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from operator import call
from typing import Any, Final, TypeVar

import structlog

from leadsync.adapter_api import BudgetExhausted, CurrentValues, Gone, Page, Rejection, TransientError
from leadsync.connections import Connection
from leadsync.engine.ahead import worked_ahead
from leadsync.engine.coalesce import coalesced
from leadsync.engine.figures import CrmFigures
from leadsync.engine.prefetch import prefetched
from leadsync.identity import HumanChange, human_change, with_human_change
from leadsync.kit import fan_out
from leadsync.model import Activity, Cursor, Person, RecordRef, SetBy
from leadsync.store import PersonId, PersonState, StageChange, Store
from leadsync.systems_of_record import SystemsOfRecord

__all__ = ["ACTIVITIES", "ACTIVITIES_STORED_AT_ONCE", "EPOCH", "PEOPLE", "Progress", "Reader"]

PEOPLE: Final = "people"
ACTIVITIES: Final = "activities"
EPOCH: Final = Cursor(datetime(1970, 1, 1, tzinfo=UTC))
ACTIVITIES_STORED_AT_ONCE: Final = 5_000
"""Activities per store transaction: pages are joined up to this many (see `coalesce`)."""

Progress = Callable[[str, str, int, int | None], None]
"""Told (crm or "all", phase, done, total if known) as a cycle advances."""

T = TypeVar("T")
_ABSENT: Final = object()
_REASON_CHARS: Final = 200
_PEOPLE_PAGES_AHEAD: Final = 2
_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Reader:
    """Reads every stream of a CRM into the store; returns the cursors reached. One reader serves
    all the CRMs of a cycle, each read on a thread of its own."""

    store: Store
    at: datetime
    progress: Progress
    stop: Callable[[], bool]
    systems: SystemsOfRecord = field(default_factory=SystemsOfRecord)
    store_lock: threading.RLock = field(default_factory=threading.RLock)
    """Held by whichever thread uses the store (its work is ours, not the CRM's)."""
    adopted: dict[tuple[PersonId, str], tuple[datetime, str, str]] = field(default_factory=dict)
    """Per person and field ("stage", "owner"), the human edit adopted in this cycle: its record's
    stamp, CRM and id (see `_newest`)."""

    def read_all(
        self, connections: Sequence[Connection], figures: Callable[[str], CrmFigures]
    ) -> list[tuple[dict[str, Cursor], bool]]:
        """`read` each CRM, side by side: its cursors reached and whether it was read to its end."""
        return fan_out(lambda c: self.read(c, figures(c.name)), connections, at_once=len(connections))

    def read(self, connection: Connection, figures: CrmFigures) -> tuple[dict[str, Cursor], bool]:
        """Read people and activities side by side: the cursors reached, and whether every stream was
        read to its end. A spent budget or a transient error ends a stream early (what was stored stays).
        """
        reached: dict[str, Cursor] = {}
        adapter = connection.adapter
        with self.store_lock:
            held = _Held(self.store, connection.name, self.at)
            people_since = self.store.cursors.get(connection.name, PEOPLE) or EPOCH
            activities_since = self.store.cursors.get(connection.name, ACTIVITIES) or EPOCH
        people = _Stream(
            PEOPLE,
            people_since,
            # Pages fetched one ahead; each one's managed values asked for while the next are fetched.
            lambda since: worked_ahead(
                prefetched(adapter.changed_people(since)),
                lambda page: self._people(connection, page, figures, held, since=people_since),
                depth=_PEOPLE_PAGES_AHEAD,
            ),
        )
        first_read = activities_since == EPOCH
        activities = _Stream(
            ACTIVITIES,
            activities_since,
            # Joined on the read-ahead thread: the next batch is fetched while one is stored.
            lambda since: (
                (page, partial(self._activities, page, figures, held, first_read=first_read))
                for page in prefetched(
                    coalesced(adapter.changed_activities(since), ACTIVITIES_STORED_AT_ONCE)
                )
            ),
        )
        ended = fan_out(
            call,
            [
                lambda: self._ended(connection.name, people, figures, reached),
                lambda: self._ended(connection.name, activities, figures, reached),
            ],
            at_once=2,
        )
        return reached, all(ended)

    def _ended(self, crm: str, stream: _Stream, figures: CrmFigures, reached: dict[str, Cursor]) -> bool:
        """Whether the stream was read to its end (a stop, a spent budget or a failed call end it early)."""
        try:
            return self._drain(crm, stream.name, stream.since, stream.read, reached)
        except (BudgetExhausted, TransientError) as exc:
            with self.store_lock:
                figures.errors.append(f"{stream.name} reads stopped: {type(exc).__name__}: {exc}")
            return False

    def _drain(
        self,
        crm: str,
        stream: str,
        since: Cursor,
        read: Callable[[Cursor], Iterator[_Read]],
        reached: dict[str, Cursor],
    ) -> bool:
        """Store every page of one stream read from `since`, in order; False when a stop was requested."""
        _log.info("stream.started", crm=crm, stream=stream, since=str(since))
        pages = records = rejected = 0
        complete = False
        try:
            for page, store in read(since):
                pages, records, rejected = pages + 1, records + len(page.items), rejected + len(page.rejected)
                done = store()
                with self.store_lock:
                    reached[stream] = page.cursor
                    self.progress(crm, stream, done, None)
                if self.stop():
                    return False
            complete = True
            return True
        finally:  # a stop or an error ends it too: `complete` says which
            _log.info(
                "stream.finished", crm=crm, stream=stream, pages=pages, records=records,
                quarantined=rejected, cursor=str(reached.get(stream, since)), complete=complete,
            )  # fmt: skip

    def _people(
        self, connection: Connection, page: Page[Person], figures: CrmFigures, held: _Held, *, since: Cursor
    ) -> _Read:
        """The page, with its people's managed values fetched, and how it is stored (on a worker)."""
        with self.store_lock:
            items = self._fresh_people(connection.name, page, figures, held, since)
        refs = [person.ref for person in items]
        fetched = {values.ref: values for values in connection.adapter.read_current(refs)} if refs else {}
        return page, partial(self._store_people, items, fetched, figures)

    def _fresh_people(
        self, crm: str, page: Page[Person], figures: CrmFigures, held: _Held, since: Cursor
    ) -> list[Person]:
        """The page's people not read before as they are now (quarantine and unlinks done), released
        from quarantine."""
        _quarantine(page, figures, held)
        unique = list({person.ref: person for person in page.items}.values())
        items = _not_read_again(self.store, unique, since)
        gone = [
            *page.gone,  # deleted or merged away: never written again
            *(
                Gone(RecordRef(crm, person.ref.object_type, str(record_id)), person.ref)
                for person in items
                for record_id in _merged_ids(person)
            ),
        ]
        for record in gone:
            self.store.links.unlink(record.ref, survivor=record.survivor)
            _log.info(
                "record.unlinked", crm=record.ref.crm, object_type=record.ref.object_type,
                record_id=record.ref.record_id, merged_into=record.survivor and record.survivor.record_id,
            )  # fmt: skip
        held.release(person.ref for person in items)
        return items

    def _store_people(
        self, items: list[Person], fetched: Mapping[RecordRef, CurrentValues], figures: CrmFigures
    ) -> int:
        with self.store_lock:
            if items:
                self._store_fetched(items, fetched)
            figures.read += len(items)
            return figures.read

    def _store_fetched(self, items: list[Person], fetched: Mapping[RecordRef, CurrentValues]) -> None:
        refs = [person.ref for person in items]
        self._settle_intents(refs, fetched)
        remembered = self.store.values.of(refs)
        current = {
            ref: _as_written(values, remembered[ref].last_written if ref in remembered else {})
            for ref, values in fetched.items()
        }
        moved = [
            ref for ref in refs if ref not in remembered or current.get(ref) != remembered[ref].last_read
        ]
        linked = self.store.persons.save_records(items, changed=moved)
        states = self.store.persons.states(sorted(set(linked.values())))
        changed: dict[PersonId, PersonState] = {}
        history: list[StageChange] = []
        present = self.store.links.crms_of(states) if self.systems else {}
        stamps = {person.ref: person.updated_at for person in items}
        for ref in refs:
            person = linked[ref]
            state = changed.get(person) or states[person]
            # A field a native sync carries here is changed by a human in its system of record.
            read = self.systems.without_carried(current.get(ref, {}), ref.crm, present.get(person, ()))
            found = human_change(ref, read, remembered.get(ref), state)
            if found is not None and ref in remembered:  # an edit; a new record's seed goes by rank
                found = self._newest(person, found, stamps[ref])
            if found is None:
                continue
            adopted = with_human_change(state, found, at=self.at)
            if adopted.stage is not state.stage and adopted.stage is not None:
                why = fetched[ref].reasons.get("stage") if ref in fetched else None
                reason = f"set in {ref}" + (f": {why}" if why else "")
                history.append(StageChange(person, state.stage, adopted.stage, self.at, SetBy.HUMAN, reason))
            changed[person] = adopted
        self.store.persons.set_states(changed.values())
        self.store.stage_history.append(history)
        self.store.values.remember_read(current, at=self.at)

    def _newest(self, person: PersonId, found: HumanChange, stamp: datetime | None) -> HumanChange | None:
        """`found` without the fields a newer human edit of the person, adopted from another record in
        this cycle, overrules. The CRMs are stored side by side in no set order: whichever comes
        first, the edit made last wins (its record's stamp; at one instant, the CRM and record id
        sorted last)."""
        key = (stamp or EPOCH.stamp, found.ref.crm, found.ref.record_id)
        newest = {name: self._adopt(person, name, key) for name in ("stage", "owner") if getattr(found, name)}
        kept = replace(
            found,
            stage=found.stage if newest.get("stage") else None,
            owner=found.owner if newest.get("owner") else None,
        )
        return None if kept.stage is None and kept.owner is None else kept

    def _adopt(self, person: PersonId, name: str, key: tuple[datetime, str, str]) -> bool:
        """Whether the edit at `key` is the newest of the person's `name` seen this cycle (then kept)."""
        if self.adopted.get((person, name), key) > key:
            return False
        self.adopted[(person, name)] = key
        return True

    def _settle_intents(self, refs: list[RecordRef], current: Mapping[RecordRef, CurrentValues]) -> None:
        """Settle writes a dead process sent but never recorded: a value the record holds is
        leadsync's own (audited once and remembered as written, so it is not taken for a human's
        change); a value it does not hold was never written, and its person is still due."""
        intents = self.store.intents.of(refs)
        if not intents:
            return
        landed = [
            i
            for i in intents
            if i.ref in current
            and _as_written(current[i.ref], {i.field: i.new}).get(i.field, _ABSENT) == i.new
        ]
        self.store.audit.append(self.store.audit.missing(landed))
        written: dict[RecordRef, dict[str, object]] = {}
        for intent in landed:
            written.setdefault(intent.ref, {})[intent.field] = intent.new
        self.store.values.remember_written(written, at=self.at)
        self.store.intents.drop({intent.ref for intent in intents})

    def _activities(self, page: Page[Activity], figures: CrmFigures, held: _Held, *, first_read: bool) -> int:
        with self.store_lock:
            return self._store_activities(page, figures, held, first_read=first_read)

    def _store_activities(
        self, page: Page[Activity], figures: CrmFigures, held: _Held, *, first_read: bool
    ) -> int:
        _quarantine(page, figures, held)
        # A lookback window re-reads some as they were kept (nothing is kept before the first read).
        items = list(page.items) if first_read else self.store.persons.unseen_activities(page.items)
        if items:
            self.store.persons.save_activities(items)
            held.release(activity.ref for activity in items)
        figures.activities += len(items)
        return figures.activities


_Read = tuple[Page[Any], Callable[[], int]]
"""A page read, and how it is stored: the count of records stored so far is returned."""


@dataclass(frozen=True, slots=True)
class _Stream:
    """One stream of a CRM: its name, where it starts, and its pages as read from a cursor."""

    name: str
    since: Cursor
    read: Callable[[Cursor], Iterator[_Read]]


class _Held:
    """One CRM's quarantined records while it is read: learnt once, then kept up to date with the
    read's own rejections, so a clean page releases just those among its records (most pages:
    none, and no statement at all)."""

    def __init__(self, store: Store, crm: str, at: datetime) -> None:
        self._quarantine = store.quarantine
        self._at = at
        self._refs = self._quarantine.refs(crm)

    def put(self, rejections: Sequence[Rejection]) -> None:
        self._quarantine.put(rejections, at=self._at)
        self._refs.update(rejection.ref for rejection in rejections)

    def release(self, refs: Iterable[RecordRef]) -> None:
        clean = [ref for ref in refs if ref in self._refs]
        if clean:
            self._quarantine.clear(clean)
            self._refs.difference_update(clean)


def _not_read_again(store: Store, people: list[Person], since: Cursor) -> list[Person]:
    """`people` without those a lookback window read again: at or before the cursor, and at the
    stamp they were read at last time (a stamp moves with every change: nothing changed)."""
    before = [p for p in people if p.updated_at and Cursor(p.updated_at, p.ref.record_id) <= since]
    if not before:
        return people
    again = store.persons.read_again(before)
    return [p for p in people if p.ref not in again]


def _quarantine(page: Page[Person] | Page[Activity], figures: CrmFigures, held: _Held) -> None:
    if page.rejected:
        held.put(page.rejected)
        figures.quarantined += len(page.rejected)
        for rejection in page.rejected:
            ref = rejection.ref
            _log.warning(
                "record.quarantined", crm=ref.crm, object_type=ref.object_type, record_id=ref.record_id,
                reason=rejection.reason[:_REASON_CHARS],
            )  # fmt: skip


def _as_written(current: CurrentValues, written: Mapping[str, object]) -> Mapping[str, object]:
    """The record's managed values, a field its CRM cannot tell apart from the value leadsync
    wrote there read as that value (its own echo, not a human's change)."""
    ours = {
        name: written[name]
        for name, others in current.alternatives.items()
        if name in written and written[name] in others
    }
    return {**current.values, **ours} if ours else current.values


def _merged_ids(person: Person) -> tuple[object, ...]:
    """Ids of records merged into this one (the survivor speaks for them)."""
    merged = person.attributes.get("merged_record_ids")
    return tuple(merged) if isinstance(merged, tuple | list) else ()
