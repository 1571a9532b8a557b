"""Which records are one person by the ids they hold of each other: pure rules, no store."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadsync.cross_references import Claim, claims_of, honoured, id_order, joined_by, merged_people
from leadsync.exceptions import ModelError
from leadsync.model import Person, RecordRef

CONTACT = RecordRef("salesforce", "Contact", "0035e0000004C92AAE")
LEAD = RecordRef("salesforce", "Lead", "00Q5e0000004C92AAE")
HS_54 = RecordRef("hubspot", "contacts", "54")
HS_100 = RecordRef("hubspot", "contacts", "100")
MARKETO = RecordRef("marketo", "leads", "7")


def test_a_record_claims_the_records_its_mapping_names_in_order_and_once() -> None:
    person = Person(HS_54, "ada@example.com", same_as=(CONTACT, LEAD, CONTACT, HS_54))

    assert person.same_as == (CONTACT, LEAD)  # itself and repeats left out
    assert claims_of(person) == [Claim(HS_54, CONTACT), Claim(HS_54, LEAD)]
    assert str(claims_of(person)[0]) == "hubspot:contacts/54 names salesforce:Contact/0035e0000004C92AAE"


def test_same_as_holds_record_refs_only() -> None:
    with pytest.raises(ModelError, match="same_as holds RecordRefs"):
        Person(HS_54, "ada@example.com", same_as=("0035e0000004C92AAE",))  # type: ignore[arg-type]


def test_ids_sort_as_numbers_when_they_are_numbers() -> None:
    assert sorted([HS_100, HS_54], key=id_order) == [HS_54, HS_100]  # "100" < "54" as text


def test_one_record_per_crm_keeps_a_target_the_lowest_id() -> None:
    late, early = Claim(HS_100, CONTACT), Claim(HS_54, CONTACT)

    kept, overruled = honoured([late, early])

    assert kept == {early}
    assert [(o.claim, o.kept) for o in overruled] == [(late, early)]
    assert "hubspot:contacts/100 names salesforce:Contact/0035e0000004C92AAE as hubspot:contacts/54" in str(
        overruled[0]
    )
    assert "linked by its other ids or its e-mail" in str(overruled[0])


def test_records_of_two_crms_may_both_claim_a_target() -> None:
    claims = [Claim(HS_54, CONTACT), Claim(MARKETO, CONTACT), Claim(HS_54, LEAD)]
    assert honoured(claims) == (set(claims), [])


@given(st.permutations([Claim(HS_100, CONTACT), Claim(HS_54, CONTACT), Claim(MARKETO, CONTACT)]))
def test_which_claim_counts_does_not_depend_on_the_order_claims_come_in(claims: list[Claim]) -> None:
    kept, overruled = honoured(claims)
    assert kept == {Claim(HS_54, CONTACT), Claim(MARKETO, CONTACT)}
    assert [o.claim for o in overruled] == [Claim(HS_100, CONTACT)]


def test_a_new_record_joins_the_person_of_the_first_record_it_names_that_is_linked() -> None:
    claims = [Claim(HS_54, CONTACT), Claim(HS_54, LEAD)]

    assert joined_by(HS_54, claims, {LEAD: 2}) == (2, Claim(HS_54, LEAD))  # the Contact is not read yet
    assert joined_by(HS_54, claims, {CONTACT: 1, LEAD: 2}) == (1, Claim(HS_54, CONTACT))  # listed first


def test_a_new_record_joins_the_person_of_a_record_naming_it() -> None:
    claims = [Claim(HS_100, CONTACT), Claim(MARKETO, CONTACT)]

    assert joined_by(CONTACT, claims, {MARKETO: 3, HS_100: 4}) == (4, Claim(HS_100, CONTACT))  # by id order
    assert joined_by(CONTACT, claims, {MARKETO: 3}) == (3, Claim(MARKETO, CONTACT))


def test_a_record_no_linked_record_names_is_linked_by_email() -> None:
    assert joined_by(HS_54, [Claim(HS_54, CONTACT)], {}) is None
    assert joined_by(HS_54, [], {CONTACT: 1}) is None


def test_people_a_claim_connects_merge_into_the_oldest() -> None:
    assert merged_people([(5, 3), (3, 9), (7, 8)]) == {5: 3, 9: 3, 8: 7}
    assert merged_people([(4, 4)]) == {}


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), max_size=30), st.randoms())
def test_merges_do_not_depend_on_the_order_of_the_joins(joins: list[tuple[int, int]], rng) -> None:
    shuffled = list(joins)
    rng.shuffle(shuffled)
    merged = merged_people(joins)

    assert merged_people(shuffled) == merged
    for first, second in joins:  # both ends end up with one person, the lowest of their group
        assert merged.get(first, first) == merged.get(second, second)
    assert all(stays < gone for gone, stays in merged.items())
