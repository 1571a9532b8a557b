from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadsync.emails import normalize_email
from leadsync.model import ActivityKind
from leadsync.testing.seed import DIRTY_KINDS, SeedActivity, SeedPerson, population, seed_instant
from leadsync.testing.seed_history import BUYING_SIGNALS

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    assert population(300, 7, now=NOW) == population(300, 7, now=NOW)
    assert population(300, 7, now=NOW).people != population(300, 8, now=NOW).people


def test_a_share_of_people_is_in_both_crms_with_the_same_normalized_email() -> None:
    people = population(3000, 7, now=NOW).people
    both = [p for p in people if p.in_salesforce and p.in_hubspot]
    assert 0.25 < len(both) / len(people) < 0.35
    assert all(p.in_salesforce or p.in_hubspot for p in people)
    clean = [p for p in both if p.dirty is None]
    assert all(normalize_email(p.hubspot_email) == normalize_email(p.email) for p in clean)
    assert any(p.hubspot_email != p.email for p in clean)  # case or whitespace differs sometimes


def test_activities_cover_every_kind_up_to_now_skewed_to_recent() -> None:
    people = population(3000, 7, now=NOW).people
    activities = [a for p in people for a in p.activities]
    assert {a.kind for a in activities} == set(ActivityKind)
    assert all(p.created_at <= a.occurred_at <= NOW for p in people for a in p.activities)
    recent = sum(a.occurred_at > NOW - timedelta(days=45) for a in activities)
    assert recent > len(activities) / 3


def _recent(person: SeedPerson, days: int = 90) -> list[SeedActivity]:
    return [a for a in person.activities if a.occurred_at > NOW - timedelta(days=days)]


def _signalled(person: SeedPerson) -> bool:
    return any(a.kind in BUYING_SIGNALS for a in _recent(person))


@pytest.fixture(scope="module")
def database() -> tuple[SeedPerson, ...]:
    return population(10_000, 7, now=NOW).people


def test_most_people_are_quiet_and_few_show_a_buying_signal(database) -> None:
    assert sum(len(_recent(p)) <= 1 for p in database) / len(database) >= 0.6
    assert sum(not p.activities for p in database) / len(database) > 0.3  # imports, badge scans, lists
    assert 0.02 <= sum(map(_signalled, database)) / len(database) <= 0.05


def test_an_engaged_middle_and_content_collectors_without_a_buying_signal(database) -> None:
    unsignalled = [p for p in database if not any(a.kind in BUYING_SIGNALS for a in p.activities)]
    collectors = [p for p in unsignalled if sum(a.kind == "whitepaper_download" for a in p.activities) >= 5]
    engaged = [
        p for p in unsignalled if {"webinar_attended", "product_page_view"} <= {a.kind for a in p.activities}
    ]
    assert 0.005 < len(collectors) / len(database) < 0.05
    assert 0.01 < len(engaged) / len(database) < 0.15


def test_stale_records_old_and_untouched_for_over_a_year(database) -> None:
    stale = [
        p for p in database
        if NOW - p.created_at > timedelta(days=730)
        and all(NOW - a.occurred_at > timedelta(days=365) for a in p.activities)
    ]  # fmt: skip
    assert 0.05 < len(stale) / len(database) < 0.2
    assert any(p.activities for p in stale)


def test_off_target_people_and_students_request_demos_too(database) -> None:
    sectors = {"software", "financial services", "banking", "insurance", "manufacturing"}
    countries = {"FR", "BE", "LU", "CH", "DE", "NL", "GB", "IE", "US", "CA"}
    requesters = [p for p in database if any(a.kind == "demo_request" for a in _recent(p))]
    assert any(p.industry.lower() not in sectors and p.country not in countries for p in requesters)
    assert any("student" in p.title.lower() or "tudiant" in p.title.lower() for p in requesters)


def test_a_third_in_both_crms_and_one_in_a_hundred_dirty_at_scale(database) -> None:
    assert 0.27 < sum(p.in_salesforce and p.in_hubspot for p in database) / len(database) < 0.33
    assert 0.005 < sum(p.dirty is not None for p in database) / len(database) < 0.02


def test_few_have_qualification_answers_mostly_incomplete(database) -> None:
    answered = [p.qualification for p in database if p.qualification]
    complete = [q for q in answered if len(q) == 4 and all(q.values())]
    assert 0.01 < len(answered) / len(database) < 0.06
    assert len(complete) < len(answered) / 4
    assert any(q.get("budget") is False for q in answered)


def test_many_people_share_one_modification_stamp_and_some_are_dirty() -> None:
    people = population(3000, 7, now=NOW).people
    stamps = [p.modified_at for p in people]
    assert max(stamps.count(s) for s in set(stamps)) > 300
    assert {p.dirty for p in people if p.dirty} == set(DIRTY_KINDS)
    assert all(p.created_at.microsecond % 1000 == 0 for p in people)


def test_owners_are_shared_and_one_has_left() -> None:
    owners = population(10, 7, now=NOW).owners
    assert len({o.email for o in owners}) == 9
    assert [o.active for o in owners].count(False) == 1


def test_sandboxes_seed_up_to_one_shared_instant_never_after_their_clock() -> None:
    later = NOW + timedelta(seconds=2, microseconds=345_678)
    assert seed_instant(later, None) == later.replace(microsecond=345_000)  # its clock's now, to the ms
    assert seed_instant(later, NOW) == NOW  # the instant several sandboxes share
    with pytest.raises(ValueError, match="after its clock's now"):
        seed_instant(NOW, later)
