from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from leadsync.emails import normalize_email
from leadsync.exceptions import ModelError
from leadsync.model import (
    Activity,
    ActivityKind,
    Cursor,
    Owner,
    Person,
    RecordRef,
    SetBy,
    Stage,
    epoch_of,
    parse_kind,
)

REF = RecordRef("salesforce", "Lead", "00Q000000000001")
WHEN = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  jane.doe@example.com\t\n", "jane.doe@example.com"),
        ("jane@example.com.", "jane@example.com"),
        ("Jean@Bücher.DE", "jean@xn--bcher-kva.de"),
        ("jean@xn--bcher-kva.de", "jean@xn--bcher-kva.de"),
        ("\u00a0ANNA+crm@Société.fr ", "anna+crm@xn--socit-esab.fr"),
        ("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v"),
    ],
)
def test_emails_normalize_case_whitespace_and_idn(raw: str, normalized: str) -> None:
    assert normalize_email(raw) == normalized


def test_one_person_in_two_spellings_gets_one_key() -> None:
    assert normalize_email(" Jean@BÜCHER.de") == normalize_email("jean@xn--bcher-kva.de")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "jane",
        "jane@",
        "@example.com",
        "jane@localhost",
        "ja ne@example.com",
        "a..b@example.com",
        "jane@-example.com",
        "jane@exa_mple.com",
        "x" * 65 + "@example.com",
        "jane@xn--zz.com",
    ],
)
def test_malformed_emails_are_rejected_with_the_reason(raw: str) -> None:
    with pytest.raises(ModelError, match=r"invalid e-mail"):
        normalize_email(raw)


def test_a_very_long_bad_email_is_cut_in_the_message() -> None:
    with pytest.raises(ModelError) as caught:
        normalize_email("x" * 1_000_000)
    assert len(str(caught.value)) < 300


def test_person_normalizes_emails_and_freezes_mappings() -> None:
    person = Person(REF, " Jane@Example.com", owner_email="Rep@Example.com", qualification={"budget": True})
    assert person.email == "jane@example.com"
    assert person.owner_email == "rep@example.com"
    with pytest.raises(TypeError):
        person.qualification["budget"] = False  # type: ignore[index]
    with pytest.raises(AttributeError, match="immutable"):
        person.email = "other@example.com"  # type: ignore[misc]


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 11, 1, 9, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ModelError, match=r"timezone-aware"):
        Person(REF, "jane@example.com", created_at=naive)
    with pytest.raises(ModelError, match=r"Activity\.occurred_at must be timezone-aware"):
        Activity(REF, REF, ActivityKind.CALL, naive)
    with pytest.raises(ModelError, match=r"Cursor\.stamp"):
        Cursor(naive)


def test_aware_datetimes_are_converted_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    person = Person(REF, "jane@example.com", created_at=datetime(2026, 11, 1, 10, 30, tzinfo=paris))
    assert person.created_at == WHEN
    assert person.created_at is not None
    assert person.created_at.tzinfo is UTC


def test_unknown_activity_kind_is_rejected_with_the_valid_kinds() -> None:
    with pytest.raises(ModelError) as caught:
        parse_kind("webinar")
    message = str(caught.value)
    assert "unknown activity kind 'webinar'" in message
    for kind in ActivityKind:
        assert kind.value in message
    with pytest.raises(ModelError, match="valid kinds"):
        Activity(REF, REF, "pricing_page", WHEN)  # type: ignore[arg-type]


def test_activity_accepts_the_kind_as_text() -> None:
    activity = Activity(REF, REF, "pricing_page_view", WHEN)  # type: ignore[arg-type]
    assert activity.kind is ActivityKind.PRICING_PAGE_VIEW
    assert activity.crm == "salesforce"


def test_an_activity_knows_its_time_in_seconds_since_1970_utc() -> None:
    paris = timezone(timedelta(hours=1))
    activity = Activity(REF, REF, ActivityKind.CALL, datetime(2026, 11, 1, 10, 30, 0, 250_000, tzinfo=paris))
    assert activity.epoch == WHEN.timestamp() + 0.25 == epoch_of(activity.occurred_at)
    kept = Activity(REF, REF, ActivityKind.CALL, WHEN, epoch=activity.epoch - 0.25)  # as the store gives it
    assert kept.epoch == WHEN.timestamp()
    assert kept != activity


def test_stage_set_by_needs_a_stage() -> None:
    with pytest.raises(ModelError, match="without a stage"):
        Person(REF, "jane@example.com", stage_set_by=SetBy.HUMAN)
    assert Person(REF, "jane@example.com", stage=Stage.SQL, stage_set_by=SetBy.HUMAN).stage is Stage.SQL


def test_negative_company_size_is_rejected() -> None:
    with pytest.raises(ModelError, match="employees"):
        Person(REF, "jane@example.com", employees=-1)


def test_record_refs_need_every_part() -> None:
    with pytest.raises(ModelError, match="RecordRef"):
        RecordRef("salesforce", "Lead", "")
    assert str(REF) == "salesforce:Lead/00Q000000000001"


def test_cursors_order_by_stamp_then_record_id() -> None:
    cursors = [Cursor(WHEN, "b"), Cursor(WHEN + timedelta(seconds=1)), Cursor(WHEN, "a"), Cursor(WHEN)]
    assert sorted(cursors) == [
        Cursor(WHEN),
        Cursor(WHEN, "a"),
        Cursor(WHEN, "b"),
        Cursor(WHEN + timedelta(seconds=1)),
    ]


def test_owner_email_is_the_cross_crm_key() -> None:
    owner = Owner(" Rep@Example.com", "Rep", crm_ids={"hubspot": "123"})
    assert owner.email == "rep@example.com"
    assert owner.crm_ids["hubspot"] == "123"


def test_idn_dots_and_invisible_characters_do_not_make_a_second_key() -> None:
    assert normalize_email("a@bücher.de\u3002") == normalize_email("a@bücher.de")
    with pytest.raises(ModelError, match="invisible"):
        normalize_email("\u200ba@example.com")
