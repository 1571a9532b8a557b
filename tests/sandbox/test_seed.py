from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadsync.emails import normalize_email
from leadsync.testing.seed import DIRTY_KINDS, population, seed_instant

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


def test_activities_cover_every_kind_within_the_last_180_days_skewed_to_recent() -> None:
    people = population(3000, 7, now=NOW).people
    activities = [a for p in people for a in p.activities]
    assert len({a.kind for a in activities}) == 19
    assert all(NOW - timedelta(days=180) <= a.occurred_at <= NOW for a in activities)
    recent = sum(a.occurred_at > NOW - timedelta(days=45) for a in activities)
    assert recent > len(activities) / 3


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
