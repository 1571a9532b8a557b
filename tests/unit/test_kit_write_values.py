"""The kit's write values: changes in CRM terms before a write, records in model terms after a read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from leadsync.adapter_api import Change, UnmappedFieldError
from leadsync.kit import Refused, WriteValues, instant_of
from leadsync.mapping import ABSENT, CrmMapping, FieldRule, PeopleMapping, WriteMapping, WriteTarget
from leadsync.model import RecordRef

FILE = Path("mappings/toy.toml")
LEAD_STAGES = {"lead": "Open", "mql": "Working", "nurture": "Nurturing"}
MAPPING = CrmMapping(
    FILE,
    people={
        "Lead": PeopleMapping(
            "Lead",
            {
                "email": FieldRule("email", "Email"),
                "stage": FieldRule(
                    "stage", "Status", values={"open": "lead", "qualified": "sql", "converted": ABSENT}
                ),
            },
        )
    },
    activities={},
    write={
        "Lead": WriteMapping(
            "Lead",
            {
                "stage": (WriteTarget("stage", "Status", LEAD_STAGES, skip_unmapped=True),),
                "score": (WriteTarget("score", "Score"),),
                "owner": (WriteTarget("owner", "OwnerId"),),
                "temperature": (WriteTarget("temperature", "Rating", {"cold": "Cold", "hot": "Hot"}),),
                "stage_entered_at": (WriteTarget("stage_entered_at", "StageDate"),),
                "email_opt_out": (WriteTarget("email_opt_out", "OptedOut"),),
            },
        ),
        # Two properties per stage, some left unwritten: a contact's state may read as several.
        "contacts": WriteMapping(
            "contacts",
            {
                "stage": (
                    WriteTarget("stage", "lifecycle", {"lead": "lead", "customer": "customer"}, True),
                    WriteTarget("stage", "status", {"lead": "NEW", "nurture": "LATER"}, True),
                ),
            },
        ),
    },
)
LEAD = RecordRef("toy", "Lead", "1")
OTHER = RecordRef("toy", "Lead", "2")
OWNERS = {"005A": "ada@example.com"}


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _as_given(value: object) -> object:
    return value


def _owner_ids(managed: str, value: object) -> object:
    if managed == "owner" and value is not None:
        return {email: user for user, email in OWNERS.items()}.get(str(value)) or Refused(
            "UNKNOWN_OWNER", f"no user has the e-mail {value}"
        )
    return value


def test_a_change_becomes_crm_values_converted_by_the_adapter() -> None:
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    change = Change(LEAD, {"stage": "mql", "score": 41, "stage_entered_at": at}, properties={"Rating": "Hot"})
    [prepared] = WriteValues(MAPPING).prepared([change], lambda _managed, value: _text(value), _text)
    assert prepared.failure is None
    assert prepared.fields == {
        "Status": "Working", "Score": "41", "StageDate": "2026-03-01 09:00:00+00:00", "Rating": "Hot",
    }  # fmt: skip


def test_a_stage_the_map_skips_writes_nothing_and_none_clears_every_field() -> None:
    changes = [Change(LEAD, {"stage": "customer"}), Change(OTHER, {"stage": None, "owner": None})]
    skipped, cleared = WriteValues(MAPPING).prepared(changes, _owner_ids, _as_given)
    assert skipped.fields == {}
    assert cleared.fields == {"Status": None, "OwnerId": None}


@pytest.mark.parametrize(
    ("change", "key", "named"),
    [
        (Change(LEAD, {"reasons": "pricing x3"}), "[write.Lead.reasons]", "'reasons'"),
        (Change(LEAD, {"Email": "x"}), "[write.Lead.Email]", "'Email'"),
        (Change(LEAD, {}, properties={"Email": "x", "Phone": "1"}), "[write.Lead]", "'Email', 'Phone'"),
        (Change(RecordRef("toy", "Account", "9"), {"score": 1}), "[write.Account]", "toy:Account/9"),
    ],
)
def test_anything_the_mapping_does_not_name_is_refused_before_any_conversion(
    change: Change, key: str, named: str
) -> None:
    converted: list[str] = []

    def convert(managed: str, value: object) -> object:
        converted.append(managed)
        return value

    with pytest.raises(UnmappedFieldError) as raised:
        WriteValues(MAPPING).prepared(
            [Change(OTHER, {"owner": "ada@example.com"}), change], convert, _as_given
        )
    text = str(raised.value)
    assert text.startswith(f"{FILE} {key}: ")
    assert named in text
    assert "nothing was sent" in text
    assert "Fix: " in text
    assert converted == []


def test_a_value_that_is_no_id_or_an_unknown_owner_fails_its_record_only() -> None:
    changes = [
        Change(LEAD, {"stage": "maybe"}),
        Change(OTHER, {"owner": "bob@example.com"}),
        Change(OTHER, {"owner": "ada@example.com", "score": 7}),
    ]
    bad_stage, unknown, good = WriteValues(MAPPING).prepared(changes, _owner_ids, _as_given)
    assert bad_stage.failure is not None
    assert bad_stage.failure.code == "INVALID_VALUE"
    assert f"{FILE} [write.Lead.stage]: 'maybe' is not a stage id" in bad_stage.failure.message
    assert unknown.failure is not None
    assert not unknown.failure.ok
    assert (unknown.failure.ref, unknown.failure.code) == (OTHER, "UNKNOWN_OWNER")
    assert "bob@example.com" in unknown.failure.message
    assert (good.failure, good.fields) == (None, {"OwnerId": "005A", "Score": 7})


def test_a_record_reads_back_in_model_terms() -> None:
    values = {
        "Status": "WORKING", "Score": 41.6, "OwnerId": "005A", "Rating": "hot",
        "StageDate": "2026-03-01T09:00:00.000+0000", "OptedOut": False,
    }  # fmt: skip
    current = WriteValues(MAPPING).current(
        LEAD, values, {"Score": 41.6}, email_of=OWNERS.get, modified_by="x@y.z"
    )
    assert current.values == {
        "stage": "mql", "score": 42, "owner": "ada@example.com", "temperature": "hot",
        "stage_entered_at": datetime(2026, 3, 1, 9, tzinfo=UTC), "email_opt_out": False,
    }  # fmt: skip
    assert (current.modified_by, current.properties, current.alternatives) == ("x@y.z", {"Score": 41.6}, {})


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        ("Nurturing", "nurture"),  # the write map's value
        ("open", "lead"),  # the write map's "Open", whatever the case
        ("Qualified", "sql"),  # the read map's
        ("Converted", None),  # the read map's "" (ABSENT): no stage
        ("Customer", "customer"),  # neither: the value is a stage id
        ("Someday", None),
        ("", None),
    ],
)
def test_a_stage_reads_through_the_write_map_then_the_read_map_then_as_an_id(
    status: str, stage: str | None
) -> None:
    current = WriteValues(MAPPING).current(LEAD, {"Status": status}, {}, email_of=OWNERS.get)
    assert current.values["stage"] == stage


def test_empty_or_unknown_values_read_as_none() -> None:
    values = {"Status": None, "Score": "n/a", "OwnerId": "00GQueue", "Rating": "", "StageDate": "soon"}
    current = WriteValues(MAPPING).current(LEAD, values, {}, email_of=OWNERS.get)
    assert set(current.values.values()) == {None}


def test_stages_a_state_cannot_tell_apart_are_alternatives_in_funnel_order() -> None:
    writes = WriteValues(MAPPING)
    both = writes.current(
        RecordRef("toy", "contacts", "3"), {"lifecycle": "lead", "status": "NEW"}, {}, email_of=OWNERS.get
    )
    assert (both.values["stage"], both.alternatives) == ("lead", {})
    # "customer" leaves the status unwritten and "nurture" the lifecycle: both hold.
    either = writes.current(
        RecordRef("toy", "contacts", "4"),
        {"lifecycle": "customer", "status": "LATER"},
        {},
        email_of=OWNERS.get,
    )
    assert (either.values["stage"], either.alternatives) == ("customer", {"stage": ("nurture",)})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-01T09:00:00.000+0000", datetime(2026, 3, 1, 9, tzinfo=UTC)),
        ("2026-03-01T09:00:00Z", datetime(2026, 3, 1, 9, tzinfo=UTC)),
        ("2026-03-01T10:00:00+01:00", datetime(2026, 3, 1, 9, tzinfo=UTC)),
        ("2026-03-01T09:00:00", datetime(2026, 3, 1, 9, tzinfo=UTC)),  # no offset: UTC
        ("1772355600000", datetime(2026, 3, 1, 9, tzinfo=UTC)),  # epoch milliseconds
        (datetime(2026, 3, 1, 10, tzinfo=timezone(timedelta(hours=1))), datetime(2026, 3, 1, 9, tzinfo=UTC)),
        ("yesterday", None),
    ],
)
def test_instants_are_aware_utc(raw: object, expected: datetime | None) -> None:
    instant = instant_of(raw)
    assert instant == expected
    assert instant is None or instant.utcoffset() == timedelta(0)
