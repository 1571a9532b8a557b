"""What the engine knows of each person between cycles: records, activities, decided stage and owner.

Records read from a CRM are kept as their mapped snapshot and activities as read, so a person
can be evaluated again (decay, a timer, a definitions change) without re-reading any CRM.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import msgspec
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    func,
    select,
    type_coerce,
    update,
)

from leadsync.model import Activity, Person, RecordRef, SetBy, Stage
from leadsync.store.activity_rows import activities_of, unseen_activities, upsert_activities
from leadsync.store.entries import DUE_NOW, PersonId, RecordValues, refs_in, same_record
from leadsync.store.links import Links, link_all
from leadsync.store.schema import activities, people, record_links, record_values
from leadsync.store.schema import round_robin as round_robin_positions
from leadsync.store.upsert import execute_many, upsert
from leadsync.store.values import Values

__all__ = ["DecidedFigures", "PersonFile", "PersonState", "PersonUpdate", "Persons"]


_CHUNK: Final = 500
_MOVED_BY_OUR_WRITES: Final = frozenset({"updated_at", "stage", "stage_set_by", "owner_email"})
_STATE: Final = ("stage", "stage_set_by", "stage_entered_at", "owner", "reevaluate_at")
_DECIDED: Final = ("profile", "grade", "review")


def _set_people(columns: Sequence[str]) -> Any:  # noqa: ANN401 - SQLAlchemy's Update
    """The update of these columns of one person, by parameters named as the columns (`k_id`: the person)."""
    return (
        update(people)
        .where(people.c.id == bindparam("k_id"))
        .values({name: bindparam(f"v_{name}", type_=people.c[name].type) for name in columns})
    )


_SET_STATE: Final = _set_people(_STATE)
_STATE_COLUMNS: Final = (
    people.c.id,
    people.c.email,
    people.c.stage,
    people.c.stage_set_by,
    people.c.stage_entered_at,
    people.c.owner,
)
_STAGES: Final[Mapping[str | None, Stage | None]] = {None: None} | {stage.value: stage for stage in Stage}
_SET_BY: Final[Mapping[str | None, SetBy | None]] = {None: None} | {who.value: who for who in SetBy}
_SET_DECIDED: Final = _set_people(_STATE + _DECIDED)
# A snapshot is plain JSON (`_snapshot`): read as such, for msgspec to convert in one step.
_RECORD_COLUMNS: Final = (
    record_links.c.person_id,
    record_links.c.crm,
    record_links.c.object_type,
    record_links.c.record_id,
    type_coerce(record_links.c.snapshot, JSON).label("snapshot"),
)
_SET_SNAPSHOT: Final = (
    update(record_links)
    .where(
        record_links.c.crm == bindparam("k_crm"),
        record_links.c.object_type == bindparam("k_type"),
        record_links.c.record_id == bindparam("k_id"),
    )
    .values(snapshot=type_coerce(bindparam("k_snapshot"), JSON))  # plain already
)


@dataclass(frozen=True, slots=True)
class PersonState:
    """A person's key e-mail and what leadsync decided (or a human set) for them last."""

    id: PersonId
    email: str
    stage: Stage | None = None
    stage_set_by: SetBy | None = None
    stage_entered_at: datetime | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class PersonFile:
    """Everything needed to evaluate one person: state, record snapshots, activities, values."""

    state: PersonState
    records: Mapping[RecordRef, Person | None] = field(default_factory=dict)
    activities: tuple[Activity, ...] = ()
    values: Mapping[RecordRef, RecordValues] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonUpdate:
    """A person's new decided stage and owner, and when to evaluate them again (None: on change);
    with a decision, its profile, grade and review flag (`decided` false: those stay as they were)."""

    id: PersonId
    stage: Stage | None
    stage_set_by: SetBy | None
    stage_entered_at: datetime | None
    owner: str | None
    reevaluate_at: datetime | None
    decided: DecidedFigures | None = None


@dataclass(frozen=True, slots=True)
class DecidedFigures:
    """What a decision adds to a person's state for the reports: profile, grade, review reason."""

    profile: str
    grade: str
    review: str | None


class Persons:
    """People as the engine sees them: saved from reads, loaded in batches, updated after decisions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save_records(
        self, records: Sequence[Person], *, changed: Collection[RecordRef] = ()
    ) -> dict[RecordRef, PersonId]:
        """Link each record to its person, keep its snapshot, and mark due the people who changed.

        A person is due when one of their records is new, reads differently from its snapshot
        (its modification stamp aside: our own write moves it), or is in `changed` (its managed
        values moved). An echo of our own write marks no one: a quiet cycle costs O(changes).
        """
        snapshots = {p.ref: _snapshot(p) for p in records}
        changed = set(changed)  # looked up once per record: a list would make a page quadratic
        with self._engine.begin() as conn:
            before = _snapshots(conn, list(snapshots))
            same_as = {person.ref: person.same_as for person in records}
            linked = link_all(conn, [(person.ref, person.email) for person in records], same_as=same_as)
            if records:
                execute_many(
                    conn,
                    _SET_SNAPSHOT,
                    [
                        {"k_crm": r.crm, "k_type": r.object_type, "k_id": r.record_id, "k_snapshot": snapshot}
                        for r, snapshot in snapshots.items()
                    ],
                )
            moved = {
                ref
                for ref, snapshot in snapshots.items()
                if ref in changed or ref not in before or _unstamped(before[ref]) != _unstamped(snapshot)
            }
            _mark_due(conn, {linked[ref] for ref in moved})
        return linked

    def read_again(self, records: Sequence[Person]) -> set[RecordRef]:
        """The records read before at their modification stamp: a stamp moves with every change,
        so one re-read at the same stamp (a lookback window, a cursor at a bare stamp) is known."""
        with self._engine.connect() as conn:
            before = _snapshots(conn, [person.ref for person in records])
        return {
            person.ref
            for person in records
            if person.updated_at is not None
            and isinstance(seen := before.get(person.ref), dict)
            and seen.get("updated_at") == msgspec.to_builtins(person.updated_at)
        }

    def unseen_activities(self, items: Sequence[Activity]) -> list[Activity]:
        """The activities not kept already just as they are (a lookback window re-reads some)."""
        with self._engine.connect() as conn:
            return unseen_activities(conn, items)

    def save_activities(self, items: Sequence[Activity]) -> None:
        """Keep these activities (a re-read one replaces itself); mark their linked people due.

        An activity of a record not linked yet marks no one: it waits for its record to be read.
        """
        with self._engine.begin() as conn:
            upsert_activities(conn, items)
            for where in refs_in(record_links, sorted({a.person for a in items})):
                _make_due(conn, people.c.id.in_(select(record_links.c.person_id).where(where)))

    def files(self, ids: Sequence[PersonId]) -> list[PersonFile]:
        """The files of these people (those that still exist), in `ids` order."""
        with self._engine.connect() as conn:
            states = _states(conn, ids)
            records: dict[PersonId, dict[RecordRef, Person | None]] = defaultdict(dict)
            for start in range(0, len(ids), _CHUNK):
                query = select(*_RECORD_COLUMNS).where(
                    record_links.c.person_id.in_(ids[start : start + _CHUNK])
                )
                for row in conn.execute(query.order_by(record_links.c.crm, record_links.c.record_id)):
                    ref = RecordRef(row.crm, row.object_type, row.record_id)
                    records[PersonId(row.person_id)][ref] = _person(row.snapshot)
            refs = {ref: person for person, held in records.items() for ref in held}
            done = activities_of(conn, refs)
        values = Values(self._engine).of(refs)
        return [
            PersonFile(
                state=states[person],
                records=records[person],
                activities=tuple(done.get(person, ())),
                values={ref: values[ref] for ref in records[person] if ref in values},
            )
            for person in ids
            if person in states
        ]

    def file_by_email(self, email: str) -> PersonFile | None:
        """The file of the person with this e-mail (as key or on a record), if any."""
        person = Links(self._engine).person_by_email(email)
        return None if person is None else next(iter(self.files([person])), None)

    def update(
        self, updates: Iterable[PersonUpdate], *, round_robin: Mapping[str, int] | None = None
    ) -> None:
        """Store each person's decided stage, owner and next evaluation time, and with them (in one
        transaction) the round-robin positions their owners were drawn up to."""
        rows: list[dict[str, object]] = []
        decided: list[dict[str, object]] = []
        for u in updates:
            row: dict[str, object] = {
                "k_id": u.id,
                "v_stage": None if u.stage is None else u.stage.value,
                "v_stage_set_by": None if u.stage_set_by is None else u.stage_set_by.value,
                "v_stage_entered_at": u.stage_entered_at,
                "v_owner": u.owner,
                "v_reevaluate_at": u.reevaluate_at,
            }
            if u.decided is None:
                rows.append(row)
            else:
                figures = u.decided
                decided.append(
                    row | {"v_profile": figures.profile, "v_grade": figures.grade, "v_review": figures.review}
                )
        positions = [{"territory": t, "position": p} for t, p in (round_robin or {}).items()]
        if rows or decided or positions:
            with self._engine.begin() as conn:
                execute_many(conn, _SET_STATE, rows)
                execute_many(conn, _SET_DECIDED, decided)
                upsert(conn, round_robin_positions, positions, update=("position",))

    def set_states(self, states: Iterable[PersonState]) -> None:
        """Store the stage and owner of these people as given (a human's change), marking them due."""
        self.update(
            PersonUpdate(s.id, s.stage, s.stage_set_by, s.stage_entered_at, s.owner, DUE_NOW) for s in states
        )

    def states(self, ids: Sequence[PersonId]) -> dict[PersonId, PersonState]:
        """The state of each of these people that exists."""
        with self._engine.connect() as conn:
            return _states(conn, ids)

    def due(
        self, before: datetime | None, *, after: PersonId | None = None, limit: int = 500
    ) -> list[PersonId]:
        """Up to `limit` people due strictly before `before` (None: everyone), by e-mail after `after`'s.

        E-mail order, not id order (ids follow the order CRMs were first read in): round robin
        hands out owners in this order, the same whichever CRM is read first.
        """
        query = select(people.c.id)
        if before is not None:
            query = query.where(people.c.reevaluate_at < before)
        if after is not None:
            query = query.where(
                people.c.email > select(people.c.email).where(people.c.id == after).scalar_subquery()
            )
        with self._engine.connect() as conn:
            return [PersonId(value) for value in conn.scalars(query.order_by(people.c.email).limit(limit))]

    def count_due(self, before: datetime) -> int:
        """How many people are due strictly before `before`."""
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count()).where(people.c.reevaluate_at < before)) or 0)

    def mark_all_due(self) -> int:
        """Make every person with a linked record due in the next cycle (definitions changed)."""
        linked = select(record_links.c.person_id).distinct().scalar_subquery()
        with self._engine.begin() as conn:
            return conn.execute(
                update(people).where(people.c.id.in_(linked)).values(reevaluate_at=DUE_NOW)
            ).rowcount

    def count_written(self, *, due_before: datetime | None = None) -> int:
        """Records leadsync has written to, of every person or of those due before `due_before`."""
        query = (
            select(func.count())
            .select_from(record_links.join(record_values, same_record(record_links, record_values)))
            .where(record_values.c.written_at.is_not(None))
        )
        if due_before is not None:
            query = query.join(people, people.c.id == record_links.c.person_id).where(
                people.c.reevaluate_at < due_before
            )
        with self._engine.connect() as conn:
            return int(conn.scalar(query) or 0)

    def most_active_in_several_crms(self) -> PersonId | None:
        """The person with records in more than one CRM and the most activities (a showcase)."""
        touches = func.count(activities.c.record_id)
        query = (
            select(record_links.c.person_id)
            .select_from(
                record_links.outerjoin(
                    activities,
                    and_(
                        activities.c.person_crm == record_links.c.crm,
                        activities.c.person_object_type == record_links.c.object_type,
                        activities.c.person_record_id == record_links.c.record_id,
                    ),
                )
            )
            .group_by(record_links.c.person_id)
            .having(func.count(record_links.c.crm.distinct()) > 1)
            .order_by(touches.desc(), record_links.c.person_id)
            .limit(1)
        )
        with self._engine.connect() as conn:
            found = conn.scalar(query)
        return None if found is None else PersonId(found)

    def count(self) -> int:
        """How many people have at least one linked record."""
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count(record_links.c.person_id.distinct()))) or 0)


def _snapshots(conn: Connection, refs: list[RecordRef]) -> dict[RecordRef, object]:
    """The stored snapshots of `refs`, as plain JSON (what `_snapshot` makes), not decoded further."""
    found: dict[RecordRef, object] = {}
    for where in refs_in(record_links, refs):
        for row in conn.execute(
            select(
                record_links.c.crm,
                record_links.c.object_type,
                record_links.c.record_id,
                type_coerce(record_links.c.snapshot, JSON).label("snapshot"),
            ).where(where)
        ):
            found[RecordRef(row.crm, row.object_type, row.record_id)] = row.snapshot
    return found


def _unstamped(snapshot: object) -> object:
    """A plain snapshot without what our own writes move: the stamp and the managed stage and owner."""
    if not isinstance(snapshot, dict):
        return snapshot
    return {key: value for key, value in snapshot.items() if key not in _MOVED_BY_OUR_WRITES}


def _snapshot(person: Person) -> Any:  # noqa: ANN401 - plain JSON
    """`person` as plain JSON, just as the database gives it back (so it is stored and compared as
    is): through JSON text, as `to_builtins` would keep a tuple (`same_as`) that comes back a list."""
    return msgspec.json.decode(_ENCODER.encode(person))


def _plain(value: object) -> object:
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise NotImplementedError(f"cannot keep a {type(value).__name__} in a snapshot")


_ENCODER: Final = msgspec.json.Encoder(enc_hook=_plain)


def _person(snapshot: object) -> Person | None:
    if snapshot is None:
        return None
    try:
        return msgspec.convert(snapshot, Person)
    except (msgspec.ValidationError, ValueError):  # a snapshot from an older model: re-read next time
        return None


def _mark_due(conn: Connection, ids: set[PersonId]) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        _make_due(conn, people.c.id.in_(ordered[start : start + _CHUNK]))


def _make_due(conn: Connection, which: ColumnElement[bool]) -> None:
    """Make the people `which` selects due in the next cycle; those already due are left unwritten."""
    conn.execute(
        update(people)
        .where(which, people.c.reevaluate_at.is_distinct_from(DUE_NOW))
        .values(reevaluate_at=DUE_NOW)
    )


def _states(conn: Connection, ids: Sequence[PersonId]) -> dict[PersonId, PersonState]:
    """The states of these people: only the columns a state holds (no other time to parse), each
    enum found by its value in a dict rather than by calling the enum (an unknown value still fails)."""
    found: dict[PersonId, PersonState] = {}
    for start in range(0, len(ids), _CHUNK):
        query = select(*_STATE_COLUMNS).where(people.c.id.in_(ids[start : start + _CHUNK]))
        for person, email, stage, set_by, entered_at, owner in conn.execute(query):
            found[person] = PersonState(person, email, _STAGES[stage], _SET_BY[set_by], entered_at, owner)
    return found
