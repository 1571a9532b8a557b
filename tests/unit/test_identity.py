"""One person across CRMs: merged records, mirrored activities counted once, human changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from leadsync.identity import counted_once, human_change, merged_person
from leadsync.model import Activity, ActivityKind, Person, RecordRef, SetBy, Stage
from leadsync.store import PersonId, PersonState, RecordValues

AT = datetime(2026, 11, 20, 9, 30, 12, tzinfo=UTC)
SF = RecordRef("salesforce", "Lead", "00Q1")
HS = RecordRef("hubspot", "contacts", "7")
STATE = PersonState(PersonId(1), "ada@example.com", Stage.MQL, SetBy.LEADSYNC, AT, "alice.martin@example.com")


def _activity(ref: RecordRef, person: RecordRef, kind: ActivityKind, at: datetime) -> Activity:
    return Activity(ref, person, kind, at)


def test_an_activity_mirrored_in_two_crms_counts_once_and_repeats_in_one_crm_count() -> None:
    demo_sf = _activity(RecordRef("salesforce", "Task", "1"), SF, ActivityKind.DEMO_REQUEST, AT)
    demo_hs = _activity(
        RecordRef("hubspot", "forms", "9"), HS, ActivityKind.DEMO_REQUEST, AT + timedelta(seconds=20)
    )
    views = [
        _activity(RecordRef("hubspot", "events", str(i)), HS, ActivityKind.PAGE_VIEW, AT) for i in range(3)
    ]
    view_sf = _activity(RecordRef("salesforce", "Task", "2"), SF, ActivityKind.PAGE_VIEW, AT)

    kept = counted_once([demo_sf, demo_hs, *views, view_sf], tolerance_s=120)

    assert [a.kind for a in kept].count(ActivityKind.DEMO_REQUEST) == 1
    assert [a for a in kept if a.kind is ActivityKind.PAGE_VIEW] == views  # the copy pairs with one of them
    assert counted_once(views, tolerance_s=120) == tuple(views)  # one CRM: nothing to mirror


def test_a_mirror_across_a_minute_boundary_counts_once_and_activities_minutes_apart_both_count() -> None:
    minute = datetime(2026, 11, 20, 9, 31, tzinfo=UTC)
    hubspot = _activity(
        RecordRef("hubspot", "forms", "1"),
        HS,
        ActivityKind.DEMO_REQUEST,
        minute + timedelta(milliseconds=400),
    )
    salesforce = _activity(  # whole seconds, and copied a moment earlier: the minute before
        RecordRef("salesforce", "Task", "1"), SF, ActivityKind.DEMO_REQUEST, minute - timedelta(seconds=1)
    )
    later = _activity(
        RecordRef("salesforce", "Task", "2"), SF, ActivityKind.DEMO_REQUEST, minute + timedelta(hours=2)
    )

    kept = counted_once([hubspot, salesforce, later], tolerance_s=120)

    assert [a.ref.record_id for a in kept] == ["1", "2"]
    assert kept[0].crm == "salesforce"  # the earlier of the two stands for the pair


def test_records_merge_oldest_first_with_gaps_filled_and_the_persons_own_stage() -> None:
    older = Person(SF, "Ada@Example.com", first_name="Ada", title="CEO", created_at=AT - timedelta(days=9))
    newer = Person(
        HS,
        "ada@example.com",
        title="Founder",
        company="Lovelace Ltd",
        employees=40,
        created_at=AT,
        stage=Stage.LEAD,
        qualification={"budget": True},
    )

    merged = merged_person(STATE, {HS: newer, SF: older})

    assert merged is not None
    assert (merged.title, merged.company, merged.employees) == ("CEO", "Lovelace Ltd", 40)
    assert merged.created_at == older.created_at
    assert (merged.stage, merged.stage_set_by, merged.owner_email) == (Stage.MQL, SetBy.LEADSYNC, STATE.owner)
    assert merged.qualification == {"budget": True}
    assert merged_person(STATE, {SF: None}) is None


def _values(read: dict[str, object], written: dict[str, object]) -> RecordValues:
    return RecordValues(HS, last_read=MappingProxyType(read), last_written=MappingProxyType(written))


def test_our_echo_is_not_a_human_change_and_a_new_value_is() -> None:
    ours = _values({"stage": "lead"}, {"stage": "mql"})
    assert human_change(HS, {"stage": "mql"}, ours, STATE) is None  # what we wrote came back
    assert human_change(HS, {"stage": "lead"}, ours, STATE) is None  # unchanged since last read
    change = human_change(HS, {"stage": "opportunity", "owner": "bruno.keller@example.com"}, ours, STATE)
    assert change is not None
    assert (change.stage, change.owner) == (Stage.OPPORTUNITY, "bruno.keller@example.com")


def test_a_record_never_seen_only_seeds_or_raises_the_stage() -> None:
    assert human_change(HS, {"stage": "lead"}, None, STATE) is None  # a new record's default
    raised = human_change(HS, {"stage": "customer"}, None, STATE)
    assert raised is not None
    assert raised.stage is Stage.CUSTOMER
    empty = PersonState(PersonId(2), "bob@example.com")
    seeded = human_change(SF, {"stage": "lead", "owner": "alice.martin@example.com"}, None, empty)
    assert seeded is not None
    assert (seeded.stage, seeded.owner) == (Stage.LEAD, "alice.martin@example.com")
