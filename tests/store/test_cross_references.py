"""Records linked by the ids they hold of each other before e-mail, as the state store keeps them."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, select
from structlog.testing import capture_logs

from leadsync.model import Person, RecordRef, SetBy, Stage
from leadsync.store import PersonState, StageChange, Store
from leadsync.store.migrate import MIGRATIONS, current_revision, head_revision
from leadsync.store.schema import cross_references
from tests.store.conftest import T0

CONTACT = RecordRef("salesforce", "Contact", "0035e0000004C92AAE")
LEAD = RecordRef("salesforce", "Lead", "00Q5e0000004C92AAE")
HS_54 = RecordRef("hubspot", "contacts", "54")
HS_100 = RecordRef("hubspot", "contacts", "100")


def test_a_record_joins_the_person_of_the_record_it_names_whatever_its_email(store: Store) -> None:
    person = store.links.link(CONTACT, "ada@example.com")

    assert store.links.link(HS_54, "ada@exmaple.com", same_as=[CONTACT]) == person  # a typo
    assert store.links.records_of(person) == [HS_54, CONTACT]
    assert store.links.email_of(person) == "ada@example.com"


def test_a_claim_on_a_record_not_read_yet_counts_when_it_arrives(store: Store) -> None:
    person = store.links.link(HS_54, "ada@exmaple.com", same_as=[CONTACT])

    assert store.links.link(CONTACT, "ada@example.com") == person
    assert store.links.records_of(person) == [HS_54, CONTACT]
    assert store.links.person_by_email("ada@example.com") == person


@pytest.mark.parametrize("salesforce_first", [True, False])
def test_a_claim_and_an_email_that_disagree_make_one_person_whichever_crm_comes_first(
    store: Store, salesforce_first: bool
) -> None:
    # The lead's e-mail changed; the contact synced from it still names it and holds the old address,
    # while another contact holds the new one. The CRMs are read side by side: either may come first.
    lead = [(LEAD, "yulia@example.com", ())]
    contacts = [(HS_54, "yulia.old@example.com", (LEAD,)), (HS_100, "yulia@example.com", ())]
    for ref, email, names in (lead + contacts) if salesforce_first else (contacts + lead):
        store.links.link(ref, email, same_as=list(names))

    person = store.links.person_of(LEAD)
    assert person is not None
    assert store.links.records_of(person) == [HS_100, HS_54, LEAD]


def test_a_cleared_field_clears_its_claim(store: Store) -> None:
    hubspot = store.links.link(HS_54, "ada@exmaple.com", same_as=[CONTACT])
    store.links.link(HS_54, "ada@exmaple.com")  # read again: the connector cleared the id

    assert store.links.link(CONTACT, "ada@example.com") != hubspot


def test_two_people_a_claim_connects_become_the_older_one(store: Store) -> None:
    older = store.links.link(CONTACT, "ada@example.com")
    younger = store.links.link(HS_54, "ada.l@example.com")  # no id yet: a person of its own
    store.persons.set_states([PersonState(older, "ada@example.com", Stage.MQL, SetBy.LEADSYNC, T0)])
    store.persons.set_states(
        [PersonState(younger, "ada.l@example.com", Stage.SQL, SetBy.HUMAN, T0, "bob@x.example")]
    )
    store.stage_history.append([StageChange(younger, None, Stage.SQL, T0, SetBy.HUMAN, "set in hubspot")])

    with capture_logs() as logs:
        assert store.links.link(HS_54, "ada.l@example.com", same_as=[CONTACT]) == older

    assert store.links.records_of(older) == [HS_54, CONTACT]
    assert store.persons.states([younger]) == {}
    state = store.persons.states([older])[older]
    assert (state.stage, state.stage_set_by, state.owner) == (
        Stage.SQL,
        SetBy.HUMAN,
        "bob@x.example",
    )  # a human's
    assert [change.reason for change in store.stage_history.of_person(older)] == ["set in hubspot"]
    assert store.persons.due(None) == [older]
    merged = [entry for entry in logs if entry["event"] == "person.merged"]
    assert merged == [
        {
            "event": "person.merged",
            "log_level": "info",
            "person": older,
            "merged": younger,
            "claim": f"{HS_54} names {CONTACT}",
        }
    ]


def test_one_record_per_crm_keeps_a_target_whichever_comes_first(store: Store) -> None:
    first = [_person(HS_100, "ada.old@example.com", CONTACT), _person(HS_54, "ada@example.com", CONTACT)]
    with capture_logs() as logs:
        linked = store.persons.save_records(first)

    assert linked[HS_54] != linked[HS_100]  # the higher id is overruled: linked by its e-mail
    assert store.links.link(CONTACT, "someone@example.com") == linked[HS_54]
    overruled = [entry for entry in logs if entry["event"] == "claim.overruled"]
    assert [(e["record"], e["kept_by"]) for e in overruled] == [(str(HS_100), str(HS_54))]


def test_a_claim_made_after_a_lower_id_claimed_the_target_is_overruled(store: Store) -> None:
    contact = store.links.link(CONTACT, "ada@example.com")
    assert store.links.link(HS_54, "ada@example.com", same_as=[CONTACT]) == contact

    assert store.links.link(HS_100, "ada.old@example.com", same_as=[CONTACT]) != contact


def test_a_claim_naming_a_merged_away_record_names_its_survivor(store: Store) -> None:
    person = store.links.link(LEAD, "ada@example.com")
    assert store.links.link(HS_54, "ada@exmaple.com", same_as=[LEAD]) == person
    store.links.unlink(LEAD, survivor=CONTACT)  # the Lead was converted

    assert store.links.link(CONTACT, "ada.lovelace@example.com") == person  # named through the Lead
    assert store.links.link(HS_54, "ada@exmaple.com", same_as=[LEAD]) == person  # the connector lags
    with store.engine.connect() as conn:
        named = {(r.target_object_type, r.target_record_id) for r in conn.execute(select(cross_references))}
    assert named == {("Contact", CONTACT.record_id)}


def test_a_merged_away_record_forgets_its_own_claims(store: Store) -> None:
    store.links.link(HS_100, "ada.old@example.com", same_as=[CONTACT])
    store.links.unlink(HS_100, survivor=HS_54)  # HubSpot merged it

    assert store.links.link(HS_54, "ada@example.com", same_as=[CONTACT]) == store.links.link(
        CONTACT, "c@example.com"
    )


def test_a_survivor_naming_the_record_merged_into_it_names_nothing(store: Store) -> None:
    store.links.link(HS_54, "ada@example.com", same_as=[HS_100, CONTACT])
    store.links.unlink(HS_100, survivor=HS_54)

    with store.engine.connect() as conn:
        left = [(r.record_id, r.target_record_id) for r in conn.execute(select(cross_references))]
    assert left == [(HS_54.record_id, CONTACT.record_id)]


def test_forgetting_a_person_forgets_the_ids_their_records_hold_and_are_named_by(store: Store) -> None:
    store.links.link(HS_54, "ada@exmaple.com", same_as=[CONTACT])
    store.links.link(CONTACT, "ada@example.com")
    store.links.link(HS_100, "grace@example.com", same_as=[LEAD])

    store.forget("ada@example.com")

    with store.engine.connect() as conn:
        left = [(r.record_id, r.target_record_id) for r in conn.execute(select(cross_references))]
    assert left == [(HS_100.record_id, LEAD.record_id)]


def test_records_saved_from_a_read_are_linked_by_the_ids_they_hold(store: Store) -> None:
    contact = store.persons.save_records([Person(CONTACT, "ada@example.com")])[CONTACT]

    linked = store.persons.save_records([_person(HS_54, "ada@exmaple.com", CONTACT)])

    assert linked == {HS_54: contact}


def test_the_migration_adds_the_tables_and_keeps_the_links(store_url: str) -> None:
    with Store.open(store_url) as store:
        person = store.links.link(CONTACT, "ada@example.com")
    engine = create_engine(store_url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "r0006")
    assert "cross_references" not in inspect(engine).get_table_names()
    engine.dispose()

    with Store.open(store_url) as store:
        assert current_revision(store.engine) == head_revision()
        assert {"cross_references", "merged_records"} <= set(inspect(store.engine).get_table_names())
        assert store.links.person_of(CONTACT) == person
        assert store.links.link(HS_54, "ada@exmaple.com", same_as=[CONTACT]) == person


def _person(ref: RecordRef, email: str, *same_as: RecordRef) -> Person:
    return Person(ref, email, same_as=same_as)
