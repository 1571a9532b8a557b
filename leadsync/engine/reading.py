"""Read one CRM's changes since its cursors into the state store, page by page.

Pages are stored one by one: records linked and kept as snapshots, their managed values read
back (to tell a human's change from our echo, including writes a dead process sent but never
recorded), activities kept, rejected records quarantined. The people touched become due;
nothing is decided here. A page of people is stored before the next is asked for (storing it
asks the CRM for their values); activities are stored in batches of joined pages, the next
batch fetched while one is stored. Each stream logs `stream.started` and `stream.finished`
(pages, records, quarantined, the cursor reached), each rejected record `record.quarantined`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, TypeVar

import structlog

from leadsync.adapter_api import BudgetExhausted, CurrentValues, Gone, Page, Rejection, TransientError
from leadsync.connections import Connection
from leadsync.engine.coalesce import coalesced
from leadsync.engine.figures import CrmFigures
from leadsync.engine.prefetch import prefetched
from leadsync.identity import human_change, with_human_change
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
_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Reader:
    """Reads every stream of one CRM into the store; returns the cursors reached."""

    store: Store
    at: datetime
    progress: Progress
    stop: Callable[[], bool]
    systems: SystemsOfRecord = field(default_factory=SystemsOfRecord)

    def read(self, connection: Connection, figures: CrmFigures) -> tuple[dict[str, Cursor], bool]:
        """Read people then activities: the cursors reached, and whether every stream was read to its end.

        A spent budget or a transient error ends this CRM's reads early (what was stored stays).
        """
        reached: dict[str, Cursor] = {}
        complete = False
        adapter = connection.adapter
        held = _Held(self.store, connection.name, self.at)
        people_since = self.store.cursors.get(connection.name, PEOPLE) or EPOCH
        activities_since = self.store.cursors.get(connection.name, ACTIVITIES) or EPOCH
        try:
            complete = self._drain(
                connection.name,
                PEOPLE,
                people_since,
                adapter.changed_people,
                lambda page: self._people(connection, page, figures, held, since=people_since),
                reached,
            ) and self._drain(
                connection.name,
                ACTIVITIES,
                activities_since,
                # Joined on the read-ahead thread: the next batch is fetched while one is stored.
                lambda since: prefetched(
                    coalesced(adapter.changed_activities(since), ACTIVITIES_STORED_AT_ONCE)
                ),  # storing never calls the adapter
                lambda page: self._activities(page, figures, held, first_read=activities_since == EPOCH),
                reached,
            )
        except (BudgetExhausted, TransientError) as exc:
            figures.errors.append(f"reads stopped: {type(exc).__name__}: {exc}")
        return reached, complete

    def _drain(  # noqa: PLR0917 - one stream's name, start, reader, handler and result
        self,
        crm: str,
        stream: str,
        since: Cursor,
        read: Callable[[Cursor], Iterator[Page[T]]],
        handle: Callable[[Page[T]], int],
        reached: dict[str, Cursor],
    ) -> bool:
        """Store every page of one stream read from `since`; False when a stop was requested."""
        _log.info("stream.started", crm=crm, stream=stream, since=str(since))
        pages = records = rejected = 0
        complete = False
        try:
            for page in read(since):
                pages, records, rejected = pages + 1, records + len(page.items), rejected + len(page.rejected)
                done = handle(page)
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
    ) -> int:
        _quarantine(page, figures, held)
        unique = list({person.ref: person for person in page.items}.values())
        items = _not_read_again(self.store, unique, since)
        figures.read += len(items)
        gone = [
            *page.gone,  # deleted or merged away: never written again
            *(
                Gone(RecordRef(connection.name, person.ref.object_type, str(record_id)), person.ref)
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
        if not items:
            return figures.read
        refs = [person.ref for person in items]
        held.release(refs)
        fetched = {values.ref: values for values in connection.adapter.read_current(refs)}
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
        for ref in refs:
            person = linked[ref]
            state = changed.get(person) or states[person]
            # A field a native sync carries here is changed by a human in its system of record.
            read = self.systems.without_carried(current.get(ref, {}), ref.crm, present.get(person, ()))
            found = human_change(ref, read, remembered.get(ref), state)
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
        return figures.read

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
        _quarantine(page, figures, held)
        # A lookback window re-reads some as they were kept (nothing is kept before the first read).
        items = list(page.items) if first_read else self.store.persons.unseen_activities(page.items)
        if items:
            self.store.persons.save_activities(items)
            held.release(activity.ref for activity in items)
        figures.activities += len(items)
        return figures.activities


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
