from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from leadsync.adapter_api import WriteResult
from leadsync.model import RecordRef
from leadsync.store import Store, WriteFailureEntry
from leadsync.store.migrate import MIGRATIONS, current_revision, head_revision
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
CONTACT = RecordRef("hubspot", "contacts", "901")
OTHER = RecordRef("hubspot", "contacts", "902")


def _failed(ref: RecordRef, code: str, message: str = "") -> WriteResult:
    return WriteResult(ref, ok=False, code=code, message=message)


def test_a_failure_is_kept_per_record_and_counts_its_attempts(store):
    store.write_failures.record(
        [
            _failed(LEAD, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access"),
            _failed(CONTACT, "INVALID_OPTION"),
        ],
        run_id="r1",
        at=T0,
    )
    later = T0 + timedelta(minutes=5)
    store.write_failures.record(
        [_failed(LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "rule")], run_id="r2", at=later
    )

    assert store.write_failures.entries() == [
        WriteFailureEntry(LEAD, "r2", "FIELD_CUSTOM_VALIDATION_EXCEPTION", "rule", T0, later, 2),
        WriteFailureEntry(CONTACT, "r1", "INVALID_OPTION", "", T0, T0, 1),
    ]
    assert [e.ref for e in store.write_failures.entries(crm="hubspot")] == [CONTACT]
    assert len(store.write_failures.entries(limit=1)) == 1


def test_a_successful_write_clears_only_its_record(store):
    store.write_failures.record([_failed(LEAD, "X"), _failed(CONTACT, "Y")], run_id="r1", at=T0)

    store.write_failures.clear([LEAD, OTHER])

    assert [e.ref for e in store.write_failures.entries()] == [CONTACT]


def test_settled_people_lose_the_failures_of_all_their_records(store):
    ada = store.links.link(LEAD, "ada@example.com")
    store.links.link(CONTACT, "ada@example.com")
    store.links.link(OTHER, "grace@example.com")
    assert not store.write_failures.any()
    store.write_failures.record(
        [_failed(LEAD, "X"), _failed(CONTACT, "Y"), _failed(OTHER, "Z")], run_id="r1", at=T0
    )

    store.write_failures.clear_people([ada])

    assert store.write_failures.any()
    assert [e.ref for e in store.write_failures.entries()] == [OTHER]


def test_messages_are_stored_without_secrets_and_cut(store):
    message = 'refused: {"access_token": "pat-na1-0000"} ' + "x" * 5000
    store.write_failures.record([_failed(LEAD, "E", message)], run_id="r1", at=T0)

    (entry,) = store.write_failures.entries()
    assert "pat-na1-0000" not in entry.message
    assert "[redacted]" in entry.message
    assert len(entry.message) <= 1000


def test_forget_erases_the_persons_write_failures(store):
    store.links.link(LEAD, "ada@example.com")
    store.links.link(OTHER, "grace@example.com")
    store.write_failures.record([_failed(LEAD, "E"), _failed(OTHER, "E")], run_id="r1", at=T0)

    assert store.forget("ada@example.com").write_failures == 1
    assert [e.ref for e in store.write_failures.entries()] == [OTHER]


def test_a_r0002_store_is_upgraded_with_the_write_failures_table(store_url):
    engine = create_engine(store_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "r0002")
        assert "write_failures" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()

    with Store.open(store_url) as store:
        assert current_revision(store.engine) == head_revision()
        assert "write_failures" in inspect(store.engine).get_table_names()
        store.write_failures.record([_failed(LEAD, "E")], run_id="r1", at=T0)
        assert len(store.write_failures.entries()) == 1
