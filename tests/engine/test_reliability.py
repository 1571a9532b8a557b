"""Stops, spent budgets, two runners, restarts and migrations: each cycle still converges.

(Crashes at every step of a cycle: tests/reliability/test_crashes.py.)

"Converged" is what a user could check: a further cycle plans and writes nothing, and the
records of each person hold the same stage in every CRM (read back by the real adapters).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, insert, inspect

from leadsync.engine import CycleReport, SyncEngine
from leadsync.engine.evaluating import batches
from leadsync.model import RecordRef
from leadsync.store import AuditEntry, LeaseHeld, RunStatus, Store
from leadsync.store.migrate import MIGRATIONS, current_revision, head_revision
from leadsync.store.schema import audit_log, runs
from tests.engine.conftest import MakePipeline, Pipeline


def _everyone(store: Store) -> Iterator[tuple[str | None, list[RecordRef]]]:
    """Each person's decided stage and linked records."""
    for ids in batches(store, None):
        for file in store.persons.files(ids):
            stage = file.state.stage.value if file.state.stage is not None else None
            yield stage, list(file.records)


def _held(pipeline: Pipeline, refs: list[RecordRef]) -> dict[RecordRef, dict[str, object]]:
    """What the sandboxes hold now in these records' managed fields, read by the real adapters."""
    held: dict[RecordRef, dict[str, object]] = {}
    for connection in pipeline.engine().connections:
        mine = [ref for ref in refs if ref.crm == connection.name]
        held.update({v.ref: dict(v.values) for v in connection.adapter.read_current(mine)})
    return held


def _assert_converged(pipeline: Pipeline) -> CycleReport:
    """A further cycle writes nothing; every record holds its person's stage where its CRM can.

    (A Salesforce Lead has no value for opportunity or customer: its stage map skips them.)
    """
    quiet = pipeline.sync()
    assert quiet.status is RunStatus.SUCCEEDED, quiet.as_dict()
    for name, figures in quiet.crms.items():
        assert figures.planned == figures.writes == figures.write_calls == 0, (name, figures.as_dict())
    assert pipeline.store.audit.of_run(quiet.run_id) == []
    connections = {c.name: c for c in pipeline.engine().connections}
    people = list(_everyone(pipeline.store))
    held = _held(pipeline, [ref for _, refs in people for ref in refs])
    agreeing = 0
    for stage, refs in people:
        can_hold = [ref for ref in refs if connections[ref.crm].takes(ref.object_type, {"stage": stage})]
        assert {str(ref): held[ref]["stage"] for ref in can_hold} == {str(ref): stage for ref in can_hold}
        agreeing += len({ref.crm for ref in can_hold}) > 1
    assert agreeing > 0  # the seed puts some people in both CRMs: agreement was really checked
    return quiet


def _written(report: CycleReport) -> int:
    return sum(figures.writes for figures in report.crms.values())


def _audited_refs(entries: list[AuditEntry]) -> set[RecordRef]:
    return {entry.ref for entry in entries}


# -- a stop (SIGTERM in the daemon) -------------------------------------------------------------


def test_a_stop_after_the_first_evaluated_batch_keeps_what_was_written_and_converges(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(600)
    engine = pipeline.engine()
    evaluated: list[int] = []

    def progress(crm: str, phase: str, done: int, _total: int | None) -> None:
        if (crm, phase) == ("all", "evaluate"):
            evaluated.append(done)

    engine.progress = progress
    pipeline.clock.advance(minutes=1)
    stopped = engine.sync(stop=lambda: bool(evaluated))

    assert stopped.status is RunStatus.PARTIAL
    assert stopped.evaluated == 500  # one whole batch, then the stop was seen
    assert pipeline.store.persons.count() > stopped.evaluated  # so some people were left due
    audit = pipeline.store.audit.of_run(stopped.run_id)
    assert len(_audited_refs(audit)) == _written(stopped) > 0  # every written record is audited
    assert all(entry.applied for entry in audit)
    held = _held(pipeline, sorted(_audited_refs(audit), key=str))
    for entry in audit:
        assert held[entry.ref][entry.field] == entry.new
    # The reads had finished before the stop: their cursors are committed.
    for crm in ("salesforce", "hubspot"):
        assert pipeline.store.cursors.get(crm, "people") is not None
        assert pipeline.store.cursors.get(crm, "activities") is not None

    resumed = pipeline.sync()
    assert resumed.status is RunStatus.SUCCEEDED
    assert resumed.evaluated > 0
    # The people the stopped run settled are not written again.
    assert not _audited_refs(pipeline.store.audit.of_run(resumed.run_id)) & _audited_refs(audit)
    _assert_converged(pipeline)


def test_a_stop_during_the_reads_writes_nothing_commits_the_pages_read_and_converges(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(600)
    contacts = len(pipeline.hubspot.store.ids())

    asked = []

    def stop() -> bool:  # asked before the reads and after each stored page: stop after the first
        asked.append(True)
        return len(asked) > 1

    stopped = pipeline.sync(stop=stop)

    assert stopped.status is RunStatus.PARTIAL
    assert stopped.evaluated == 0
    assert _written(stopped) == 0
    assert pipeline.store.audit.of_run(stopped.run_id) == []
    assert pipeline.salesforce.calls.count("PATCH", "composite/sobjects") == 0
    assert pipeline.hubspot.calls.count("POST", "contacts batch/update") == 0
    # The streams (read side by side) each stored at most the page in hand when the stop came,
    # and their cursors moved to it: HubSpot's 200-contact pages leave most contacts unread.
    assert 0 < stopped.crms["hubspot"].read <= 200 < contacts
    assert pipeline.store.cursors.get("hubspot", "people") is not None

    resumed = pipeline.sync()
    assert resumed.status is RunStatus.SUCCEEDED, resumed.as_dict()
    assert resumed.blocked == ""
    assert _written(resumed) > 0
    _assert_converged(pipeline)


# -- a spent API budget ----------------------------------------------------------------------------


def test_a_spent_salesforce_budget_ends_the_cycle_partial_and_the_next_one_resumes(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(120)
    # Only 3 calls remain below the default 90 % budget share: Salesforce stops mid-read.
    pipeline.salesforce.store.set_daily_limit(1000)
    pipeline.salesforce.store.set_api_usage(900 - 3)

    spent = pipeline.sync()

    assert spent.status is RunStatus.PARTIAL
    salesforce = spent.crms["salesforce"]
    assert any("BudgetExhausted" in error and "budget" in error for error in salesforce.errors), (
        salesforce.errors
    )
    # Half-read people are not decided: nothing is written anywhere, they stay due.
    assert spent.evaluated == 0
    assert salesforce.writes == spent.crms["hubspot"].writes == 0
    assert pipeline.store.cursors.get("salesforce", "activities") is None  # never read to the end
    assert pipeline.store.persons.count_due(pipeline.clock.now()) > 0
    stored = pipeline.store.runs.get(spent.run_id)
    assert stored is not None
    assert stored.status is RunStatus.PARTIAL  # what `leadsync runs` shows

    pipeline.salesforce.store.set_daily_limit(100_000)
    pipeline.salesforce.store.set_api_usage(0)
    resumed = pipeline.sync()

    assert resumed.status is RunStatus.SUCCEEDED, resumed.as_dict()
    assert resumed.crms["salesforce"].writes > 0
    audit = [e for e in pipeline.store.audit.of_run(resumed.run_id) if e.ref.crm == "salesforce"]
    held = _held(pipeline, sorted(_audited_refs(audit), key=str))
    for entry in audit:
        assert held[entry.ref][entry.field] == entry.new
    _assert_converged(pipeline)


# -- the lease ------------------------------------------------------------------------------------


def _engine_on_its_own_store(pipeline: Pipeline, url: str) -> tuple[SyncEngine, Store]:
    other = Store.open(url)
    engine = pipeline.engine()
    engine.store = other
    return engine, other


def test_a_second_runner_on_another_connection_is_refused_while_the_lease_is_held(
    make_pipeline: MakePipeline, store_url: str
) -> None:
    # A name of its own: PostgreSQL advisory locks are database-wide.
    pipeline = make_pipeline(80, url=store_url, sync={"pipeline": f"lease-{uuid.uuid4().hex[:8]}"})
    engine, other = _engine_on_its_own_store(pipeline, store_url)
    held, release, released = threading.Event(), threading.Event(), threading.Event()

    def holder() -> None:
        with pipeline.store.lease(engine.pipeline):
            held.set()
            release.wait(timeout=30)
        released.set()

    thread = threading.Thread(target=holder, daemon=True)
    thread.start()
    try:
        assert held.wait(timeout=10)
        runs_before = other.runs.recent(limit=100)
        with pytest.raises(LeaseHeld):
            engine.sync()
        assert other.runs.recent(limit=100) == runs_before  # no run was even started
        assert pipeline.salesforce.calls.count() == pipeline.hubspot.calls.count() == 0
    finally:
        release.set()
        thread.join(timeout=10)
    assert released.is_set()
    try:
        report = engine.sync()
    finally:
        other.close()
    assert report.status is RunStatus.SUCCEEDED
    assert _written(report) > 0


# -- round robin across restarts --------------------------------------------------------------------


_UNOWNED = ("lead", "nurture")  # stages before the default definitions' owners.assign_from


def _round_robin_assignments(pipeline: Pipeline) -> list[tuple[int, str, str]]:
    """(person, e-mail, owner) for everyone whose owner came from a territory pool, not from their records."""
    pools = {member for territory in pipeline.definitions.owners.territories for member in territory.pool}
    assigned: list[tuple[int, str, str]] = []
    for ids in batches(pipeline.store, None):
        for file in pipeline.store.persons.files(ids):
            before = {record.owner_email for record in file.records.values() if record is not None}
            if file.state.owner in pools and file.state.owner not in before:
                assigned.append((file.state.id, file.state.email, file.state.owner))
    return assigned


def test_round_robin_is_even_per_territory_and_resumes_from_the_stored_positions_after_a_restart(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(130)
    territories = pipeline.definitions.owners.territories
    territory_of = {member: t.name for t in territories for member in t.pool}
    pool_of = {t.name: t.pool for t in territories}

    pipeline.sync()

    first = _round_robin_assignments(pipeline)
    per_territory: dict[str, Counter[str]] = {t.name: Counter(dict.fromkeys(t.pool, 0)) for t in territories}
    for *_, owner in first:
        per_territory[territory_of[owner]][owner] += 1
    for name, counts in per_territory.items():
        assert max(counts.values()) - min(counts.values()) <= 1, (name, counts)
    positions = pipeline.store.round_robin.load()
    assert positions == {
        name: sum(counts.values()) % len(pool_of[name])
        for name, counts in per_territory.items()
        if counts.total()
    }
    assert any(positions.values())  # a restart that forgot them would start elsewhere

    # Humans make owner-less HubSpot leads MQLs; owners are assigned from mql on.
    promoted: dict[int, str] = {}
    for ids in batches(pipeline.store, None):
        for file in pipeline.store.persons.files(ids):
            hubspot = [ref for ref in file.records if ref.crm == "hubspot"]
            stage = file.state.stage.value if file.state.stage else None
            if file.state.owner is None and len(file.records) == len(hubspot) == 1 and stage in _UNOWNED:
                promoted[file.state.id] = hubspot[0].record_id
    assert len(promoted) >= 3
    for contact in promoted.values():
        pipeline.hubspot.store.update_as_user(contact, lifecyclestage="marketingqualifiedlead")

    pipeline.store.close()
    pipeline.store = Store.open(pipeline.raw["sync"]["state_url"])  # a restart: a new store, a new engine
    try:
        assert pipeline.store.round_robin.load() == positions
        pipeline.sync()

        owners = {
            (email, person): owner
            for person, email, owner in _round_robin_assignments(pipeline)
            if person in promoted
        }
        assert len(owners) >= 2, (owners, promoted)
        expected = dict(positions)
        for key in sorted(owners):  # a cycle evaluates people in e-mail order (Persons.due)
            name = territory_of[owners[key]]
            pool = pool_of[name]
            at = expected.get(name, 0)
            assert owners[key] == pool[at], (key, name, positions)
            expected[name] = (at + 1) % len(pool)
        assert pipeline.store.round_robin.load() == expected
        _assert_converged(pipeline)
    finally:
        pipeline.store.close()


# -- migrations -------------------------------------------------------------------------------------


def test_an_empty_database_gets_what_r0002_adds(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert current_revision(store.engine) == head_revision()
        schema = inspect(store.engine)
        assert {"activities", "write_failures", "write_intents"} <= set(schema.get_table_names())
        columns = {
            t: {c["name"] for c in schema.get_columns(t)} for t in ("people", "audit_log", "record_links")
        }
        indexes = {i["name"] for i in schema.get_indexes("activities")}
    assert {"stage", "stage_set_by", "stage_entered_at", "owner"} <= columns["people"]
    assert "applied" in columns["audit_log"]
    assert "snapshot" in columns["record_links"]
    assert "ix_activities_person" in indexes


def test_a_r0001_store_is_upgraded_keeping_its_runs_and_audit(store_url: str) -> None:
    at = datetime(2026, 11, 20, 8, tzinfo=UTC)
    engine = create_engine(store_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "r0001")
        with engine.begin() as conn:
            conn.execute(
                insert(runs).values(
                    id="r1", pipeline="default", started_at=at, status="succeeded", counts={}, api_calls={}
                )
            )
            conn.execute(  # the columns r0001 has: no `applied` yet
                insert(audit_log).values(
                    run_id="r1", crm="hubspot", object_type="contacts", record_id="7", field="stage",
                    old_value=None, new_value="mql", definitions_version="v1", at=at,
                )
            )  # fmt: skip
    finally:
        engine.dispose()

    with Store.open(store_url) as store:
        assert current_revision(store.engine) == head_revision()
        entries = store.audit.of_run("r1")
        assert store.runs.get("r1") is not None
    assert [(e.ref, e.field, e.new, e.applied) for e in entries] == [
        (RecordRef("hubspot", "contacts", "7"), "stage", "mql", True)  # written before shadow runs existed
    ]
