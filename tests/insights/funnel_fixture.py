"""A small hand-made funnel: nine people in two CRMs, their histories, activities and read values.

Day n means T0 + n days. `NOW` is day 30. Every figure the tests expect is worked out by hand
in the test module from the table below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from leadsync.model import Activity, ActivityKind, Person, RecordRef, SetBy, Stage
from leadsync.store import PersonUpdate, StageChange, Store

T0 = datetime(2026, 11, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=30)


def day(n: float, hours: float = 0) -> datetime:
    return T0 + timedelta(days=n, hours=hours)


@dataclass(frozen=True)
class Record:
    ref: RecordRef
    source: str
    created: datetime | None
    read: tuple[str, str, datetime] | None  # (stage, temperature) last read, and when


@dataclass(frozen=True)
class Someone:
    email: str
    stage: Stage
    records: tuple[Record, ...]
    history: tuple[tuple[Stage, datetime], ...]  # (to_stage, at), oldest first
    owner: str | None = None
    activities: tuple[tuple[str, datetime], ...] = ()  # (kind, occurred_at)
    entered: datetime | None = field(default=None)  # stage_entered_at (default: last past change)


def sf(n: int) -> RecordRef:
    return RecordRef("salesforce", "Lead", f"00Q{n}")


def hs(n: int) -> RecordRef:
    return RecordRef("hubspot", "contact", f"90{n}")


L, M, S, OPP, C, D = Stage.LEAD, Stage.MQL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.DISQUALIFIED

PEOPLE = (
    Someone(  # P1: the whole funnel in ten days; two records, the hubspot one read last
        "ann@example.com",
        C,
        (
            Record(sf(1), "webinar", day(1), ("customer", "hot", day(11))),
            Record(hs(1), "ads", day(3), ("customer", "warm", day(12))),
        ),
        ((L, day(1)), (M, day(2)), (S, day(4)), (OPP, day(5)), (C, day(11))),
    ),
    Someone(  # P2: stays mql; a change after NOW is not counted
        "bob@example.com",
        M,
        (Record(sf(2), "webinar", day(2), ("mql", "warm", day(3))),),
        ((L, day(2)), (M, day(3)), (S, day(31))),
        entered=day(3),
    ),
    Someone(  # P3: lead straight to sql; followed up after 30 h (an e-mail open is no follow-up)
        "cat@example.com",
        S,
        (Record(hs(3), "", day(10), ("sql", "hot", day(12))),),
        ((L, day(10)), (S, day(12))),
        activities=(("email_open", day(12, 1)), ("meeting_booked", day(12, 30))),
    ),
    Someone(  # P4: called 5 h after becoming sql; salesforce still holds mql
        "dan@example.com",
        S,
        (Record(sf(4), "ads", day(20), ("mql", "hot", day(22))),),
        ((L, day(20)), (M, day(21)), (S, day(22))),
        owner="owner@example.com",
        activities=(("call", day(22, 5)),),
    ),
    Someone(  # P5: sql for 48 h, never followed up (the call came before sql)
        "eve@example.com",
        S,
        (Record(hs(5), "ads", day(25), ("sql", "cold", day(28))),),
        ((L, day(25)), (M, day(26)), (S, day(28))),
        owner="sam@example.com",
        activities=(("call", day(27)),),
    ),
    Someone(  # P6: entered the funnel as a customer; no values read
        "fay@example.com",
        C,
        (Record(sf(6), "webinar", day(5), None),),
        ((C, day(5)),),
    ),
    Someone(  # P7: disqualified; no creation stamp, arrives with its first stage change
        "gus@example.com",
        D,
        (Record(hs(7), "referral", None, ("disqualified", "cold", day(8))),),
        ((L, day(6)), (D, day(8))),
    ),
    Someone(  # P8: sql for 10 h, within the SLA
        "hal@example.com",
        S,
        (Record(sf(8), "ads", day(29), ("sql", "hot", day(29, 14))),),
        ((S, day(29, 14)),),
    ),
    Someone(  # P9: the whole funnel in four days
        "ivy@example.com",
        C,
        (Record(hs(9), "ads", day(0), ("customer", "hot", day(4))),),
        ((L, day(0)), (M, day(1)), (S, day(2)), (OPP, day(3)), (C, day(4))),
    ),
)


def fill(store: Store) -> None:
    """Put `PEOPLE` into the store through its public methods."""
    for someone in PEOPLE:
        store.persons.save_records(
            [
                Person(ref=r.ref, email=someone.email, source=r.source, created_at=r.created)
                for r in someone.records
            ]
        )
        person = store.links.person_of(someone.records[0].ref)
        assert person is not None
        entered = someone.entered or someone.history[-1][1]
        store.persons.update(
            [PersonUpdate(person, someone.stage, SetBy.LEADSYNC, entered, someone.owner, None)]
        )
        previous: Stage | None = None
        changes = []
        for stage, at in someone.history:
            changes.append(StageChange(person, previous, stage, at, SetBy.LEADSYNC, "fixture"))
            previous = stage
        store.stage_history.append(changes)
        ref = someone.records[0].ref
        store.persons.save_activities(
            [
                Activity(RecordRef(ref.crm, "task", f"{ref.record_id}-{i}"), ref, ActivityKind(kind), at)
                for i, (kind, at) in enumerate(someone.activities)
            ]
        )
        for record in someone.records:
            if record.read is not None:
                held, temperature, read_at = record.read
                values = {record.ref: {"stage": held, "temperature": temperature}}
                store.values.remember_read(values, at=read_at)
