from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import bindparam, create_engine, inspect, select, text

from leadsync.model import Cursor, RecordRef, epoch_of
from leadsync.store import Store, StoreError
from leadsync.store.migrate import MIGRATIONS, current_revision, head_revision
from leadsync.store.schema import activities, metadata, people
from leadsync.store.types import UtcDateTime
from tests.store.conftest import T0


def test_open_upgrades_an_empty_database_to_head(store_url):
    with Store.open(store_url) as store:
        assert current_revision(store.engine) == head_revision()
        tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrated_schema_matches_the_tables_the_code_uses(store):
    with store.engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), metadata)
    assert drift == []


def test_reopening_keeps_data_and_migrates_nothing(store_url):
    with Store.open(store_url) as store:
        store.cursors.commit("hubspot", Cursor(T0, "7"))
    with Store.open(store_url) as store:
        assert store.cursors.get("hubspot") == Cursor(T0, "7")
        assert current_revision(store.engine) == head_revision()


def test_aware_datetimes_round_trip_as_utc(store):
    paris = timezone(timedelta(hours=1))
    person = store.links.link(_ref("1"), "ada@example.com")
    store.reevaluation.set(person, datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=paris))
    with store.engine.connect() as conn:
        stored = conn.scalar(select(people.c.reevaluate_at).where(people.c.id == person))
    assert stored == datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_naive_datetimes_are_refused(store):
    person = store.links.link(_ref("1"), "ada@example.com")
    with pytest.raises(Exception, match="timezone-aware"):
        store.reevaluation.set(person, datetime(2026, 11, 24, 10, 30))  # noqa: DTZ001 - on purpose


def test_an_unreachable_database_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="cannot open the state store"):
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'state.db'}")


def test_an_unsupported_database_is_a_store_error():
    with pytest.raises(StoreError, match="not usable"):
        Store.open("nosuchdb://user:hunter2@host/db")


def _ref(record_id: str) -> RecordRef:
    return RecordRef("hubspot", "contact", record_id)


def test_the_epoch_migration_fills_the_activities_already_kept(store_url):
    kept = {f"e{i:05d}": T0 + timedelta(minutes=i, microseconds=i) for i in range(2_500)}  # pages of 1,000
    Store.open(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as conn:  # back to r0004, then activities kept as r0004 kept them
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "r0004")
        conn.execute(
            text(
                "INSERT INTO activities (crm, object_type, record_id, person_crm, person_object_type,"
                " person_record_id, kind, occurred_at, detail) VALUES ('hubspot', 'event', :id, 'hubspot',"
                " 'contact', '1', 'page_view', :at, '')"
            ).bindparams(bindparam("at", type_=UtcDateTime)),
            [{"id": record_id, "at": at} for record_id, at in kept.items()],
        )
    engine.dispose()
    with Store.open(store_url) as store, store.engine.connect() as conn:
        assert current_revision(store.engine) == head_revision()
        filled = {row.record_id: row.occurred_epoch for row in conn.execute(select(activities))}
        assert filled == {record_id: epoch_of(at) for record_id, at in kept.items()}
