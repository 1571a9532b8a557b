"""The engine killed at every step of a cycle, then run again: the result is a crash-free run's.

Each case runs one cycle that dies at one step (an injected exception: the engine's own step
raises once; CRMs, clients and store stay real), then restarts at the same moment, as a
supervisor would. The outcome is compared with one crash-free cycle over the same seed:
the same values in both CRMs, the same people in the store, every value sent exactly as
often (what reached a sandbox is logged per record and field by a spy around each
adapter's `apply`), one applied audit entry per value that reached a CRM, no stage taken
for a human's, and a record edited between the crash and the restart read by the restart.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import structlog
import tomli_w
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.adapter_api import Change, WriteResult
from leadsync.cli import app
from leadsync.clock import SystemClock
from leadsync.engine import SyncEngine
from leadsync.engine.evaluating import batches, evaluations
from leadsync.engine.writing import Writer
from leadsync.logs import configure_logging
from leadsync.model import RecordRef, SetBy
from leadsync.store import LeaseHeld, RunStatus, Store
from leadsync.testing.sandbox_server import Fault
from tests.engine.conftest import MakePipeline, Pipeline, make_pipeline
from tests.store.conftest import postgres, store_url  # noqa: F401 - the state-store fixtures

PEOPLE = 60
# Enough that Salesforce's changes fill a flush (5 calls of 10) mid-cycle: its first write call
# goes before any HubSpot one (a flush of 5 calls of 100).
KILLED_PEOPLE = 100
SENT_BEFORE_CRASH = 15  # records of Salesforce's first write call that reach it before the crash
_SETTINGS: dict[str, Any] = {"crm": {"salesforce": {"write_batch_size": 10}}}  # several calls a flush

Sent = Counter[tuple[RecordRef, str, str]]


class Crash(Exception):  # noqa: N818 - the process "dies"; not a fault leadsync handles
    """The injected death of the process."""


def _spy(engine: SyncEngine, sent: Sent) -> None:
    """Log each value that a sandbox accepted, per record and field."""
    for connection in engine.connections:
        real = connection.adapter.apply

        def apply(changes: Sequence[Change], real: Callable[..., Iterable[WriteResult]] = real) -> list[Any]:
            results = list(real(changes))
            for change, result in zip(changes, results, strict=True):
                if result.ok:
                    sent.update((change.ref, name, repr(value)) for name, value in change.values.items())
            return results

        connection.adapter.apply = apply  # type: ignore[method-assign]


def _once(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    *,
    after: bool,
    when: Callable[..., bool] = lambda *_args, **_kwargs: True,
) -> None:
    """Make `owner.name` raise Crash the first time `when` holds, before or after doing its work."""
    real = getattr(owner, name)
    fired: list[bool] = []

    def dying(*args: Any, **kwargs: Any) -> Any:
        if fired or not when(*args, **kwargs):
            return real(*args, **kwargs)
        fired.append(True)
        if after:
            real(*args, **kwargs)
        raise Crash(f"killed {'after' if after else 'at'} {name}")

    monkeypatch.setattr(owner, name, dying)


def _adapter(engine: SyncEngine, crm: str) -> Any:
    return next(c.adapter for c in engine.connections if c.name == crm)


def _after_read(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    _once(monkeypatch, engine, "_read_all", after=True)


def _after_compute(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    real = evaluations

    def evaluated_then_dead(*args: Any) -> Any:
        evaluated = list(real(*args))  # everyone decided and planned, nothing sent
        raise Crash(f"killed after evaluating {len(evaluated)} people")

    monkeypatch.setattr("leadsync.engine.cycle.evaluations", evaluated_then_dead)


def _mid_batch(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = _adapter(engine, "salesforce")
    real = adapter.apply

    def part_then_dead(changes: Sequence[Change]) -> Any:
        assert len(changes) > SENT_BEFORE_CRASH
        list(real(changes[:SENT_BEFORE_CRASH]))
        raise Crash(f"killed after {SENT_BEFORE_CRASH} of {len(changes)} records reached Salesforce")

    monkeypatch.setattr(adapter, "apply", part_then_dead)


def _between_crms(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    applied: list[str] = []
    for connection in engine.connections:
        real = connection.adapter.apply

        def second_dies(changes: Sequence[Change], real: Any = real, crm: str = connection.name) -> Any:
            if applied and crm not in applied:
                raise Crash(f"killed before {crm}'s first write, after {applied[0]}'s")
            applied.append(crm)
            return real(changes)

        monkeypatch.setattr(connection.adapter, "apply", second_dies)


def _after_writes(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    _once(
        monkeypatch,
        pipeline.store.audit,
        "append_intents",  # the writer audits what it declared before the send
        after=False,
        when=lambda refs, **_kwargs: bool(refs),
    )


def _after_audit(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    _once(monkeypatch, pipeline.store.values, "remember_sent", after=False)


def _after_remember(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    _once(
        monkeypatch,
        Writer,
        "_settle",
        after=False,
        when=lambda writer: bool(writer._decided) and writer._decided[0].waiting == 0,
    )


def _before_cursor_commit(pipeline: Pipeline, engine: SyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    _once(monkeypatch, pipeline.store.cursors, "commit", after=False)


Injector = Callable[[Pipeline, SyncEngine, pytest.MonkeyPatch], None]
STEPS: dict[str, Injector] = {
    "after read": _after_read,
    "after compute": _after_compute,
    "mid write batch": _mid_batch,
    "between the CRMs' writes": _between_crms,
    "after writes, before audit": _after_writes,
    "after audit, before remembering": _after_audit,
    "after remembering, before settling people": _after_remember,
    "before the cursor commit": _before_cursor_commit,
}


@dataclasses.dataclass
class Outcome:
    """What a user could check after the cycles: CRM values, the store's people, sends, audit."""

    held: dict[RecordRef, dict[str, object]]
    people: dict[str, tuple[object, ...]]
    first_names: dict[RecordRef, str]
    sent: Sent
    audited: Sent
    human_stage_changes: int


def _outcome(pipeline: Pipeline, sent: Sent) -> Outcome:
    store = pipeline.store
    people: dict[str, tuple[object, ...]] = {}
    first_names: dict[RecordRef, str] = {}
    for ids in batches(store, None):
        for file in store.persons.files(ids):
            state = file.state
            people[state.email] = (state.stage, state.stage_set_by, state.stage_entered_at, state.owner)
            first_names.update({ref: p.first_name for ref, p in file.records.items() if p is not None})
    held: dict[RecordRef, dict[str, object]] = {}
    for connection in pipeline.engine().connections:
        mine = [ref for ref in first_names if ref.crm == connection.name]
        held.update({v.ref: dict(v.values) for v in connection.adapter.read_current(mine)})
    audited: Sent = Counter()
    human = 0
    for run in store.runs.recent(limit=100):
        audited.update((e.ref, e.field, repr(e.new)) for e in store.audit.of_run(run.id) if e.applied)
    for person in {file.state.id for ids in batches(store, None) for file in store.persons.files(ids)}:
        human += sum(change.set_by is SetBy.HUMAN for change in store.stage_history.of_person(person))
    return Outcome(held, people, first_names, sent, audited, human)


@pytest.fixture(autouse=True)
def _plain_logs() -> Iterator[None]:
    """Log as the daemon does (JSON, tracebacks as text): the console's rendering of every local
    of every frame of a crash costs seconds per crash."""
    configure_logging(json=True, stream=io.StringIO())
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="module")
def crash_free(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """One crash-free cycle over the same seed, at the same moment."""
    factory = make_pipeline.__wrapped__  # type: ignore[attr-defined] # the fixture's own function
    with contextlib.contextmanager(factory)(tmp_path_factory.mktemp("crash_free")) as make:
        pipeline = make(PEOPLE, crm=_SETTINGS["crm"])
        pipeline.clock.advance(minutes=1)
        sent: Sent = Counter()
        engine = pipeline.engine()
        _spy(engine, sent)
        assert engine.sync().status is RunStatus.SUCCEEDED
        return _outcome(pipeline, sent)


@pytest.mark.parametrize("step", list(STEPS))
def test_a_crash_then_a_restart_ends_as_a_crash_free_cycle(
    step: str, make_pipeline: MakePipeline, crash_free: Outcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = crash_free
    crashed = make_pipeline(PEOPLE, crm=_SETTINGS["crm"])
    crashed.clock.advance(minutes=1)

    sent: Sent = Counter()
    engine = crashed.engine()
    _spy(engine, sent)
    with monkeypatch.context() as patch:
        STEPS[step](crashed, engine, patch)
        with pytest.raises(Crash):
            engine.sync()
    dead = crashed.store.runs.recent(limit=1)[0]
    assert dead.status is RunStatus.FAILED  # `leadsync runs` does not show it running

    # Between the crash and the restart, someone edits a record the crashed cycle had read.
    edited = min(str(record["Id"]) for record in crashed.salesforce.store.records("Lead"))
    user = next(str(u["Id"]) for u in crashed.salesforce.store.records("User") if u["IsActive"])
    crashed.salesforce.store.update_as_user("Lead", edited, user, FirstName="Renamed")

    restart = crashed.engine()
    _spy(restart, sent)
    report = restart.sync()  # the same moment: restarted at once
    assert report.status is RunStatus.SUCCEEDED, report.as_dict()
    got = _outcome(crashed, sent)

    assert got.held == expected.held  # no lost update
    assert got.people == expected.people  # no stage taken for a human's, none decided twice
    assert got.human_stage_changes == expected.human_stage_changes
    assert got.sent == expected.sent  # nothing written twice
    assert got.audited == got.sent  # every value that reached a CRM audited exactly once
    assert expected.audited == expected.sent
    ref = RecordRef("salesforce", "Lead", edited)
    assert got.first_names[ref] == "Renamed"  # the cursors did not skip the edit


def test_a_rollback_killed_after_its_writes_is_read_back_as_leadsyncs_own_not_a_humans(
    make_pipeline: MakePipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = make_pipeline(PEOPLE)
    first = pipeline.sync()
    stages = [e for e in pipeline.store.audit.of_run(first.run_id) if e.field == "stage" and e.old]
    assert stages  # seeded records whose stage the first cycle moved: the rollback moves them back

    with monkeypatch.context() as patch:
        _once(patch, pipeline.store.audit, "append", after=False)  # the CRMs took it; the store never heard
        with pytest.raises(Crash):
            pipeline.engine().rollback(first.run_id)
    rolled_back = pipeline.store.runs.recent(limit=1)[0]
    pipeline.clock.advance(minutes=1)
    pipeline.sync()

    people = pipeline.store.links.people_of(e.ref for e in stages)
    humans = [
        change
        for person in set(people.values())
        for change in pipeline.store.stage_history.of_person(person)
        if change.set_by is SetBy.HUMAN and change.at > rolled_back.started_at  # not the seed's
    ]
    assert humans == []
    audited = {(e.ref, e.field) for e in pipeline.store.audit.of_run(rolled_back.id)}
    first_written = next(e.ref.crm for e in pipeline.store.audit.of_run(first.run_id))
    restored = {(e.ref, "stage") for e in stages if e.ref.crm == first_written}  # rolled back first
    assert restored
    assert restored <= audited  # recovered from the intents, under the rollback's run


# -- a real process killed with SIGKILL in the middle of a write -----------------------------------


def _wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _stamps(sandbox: SalesforceSandbox) -> dict[RecordRef, object]:
    """Each lead's and contact's SystemModstamp: what changed since a snapshot was written."""
    return {
        RecordRef("salesforce", sobject, str(record["Id"])): record["SystemModstamp"]
        for sobject in ("Lead", "Contact")
        for record in sandbox.store.records(sobject)
    }


def _lease_free(store: Store, pipeline: str) -> bool:
    """Whether the lease can be taken (a file lock, or PostgreSQL's advisory lock)."""
    try:
        with store.lease(pipeline):
            return True
    except LeaseHeld:
        return False


def test_sync_killed_by_sigkill_mid_write_leaves_the_lease_free_and_the_next_run_completes_it(
    store_url: str,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    pipeline = f"killed-{uuid.uuid4().hex[:8]}"  # PostgreSQL advisory locks are database-wide
    with (
        SalesforceSandbox(people=KILLED_PEOPLE, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=KILLED_PEOPLE, clock=SystemClock(), rate_limits=False) as hubspot,
    ):
        state_url = store_url
        config = tmp_path / "leadsync.toml"
        salesforce_settings = {"adapter": "salesforce", **salesforce.settings(), "write_batch_size": 10}
        raw = {
            "sync": {"state_url": state_url},
            "crm": {
                "salesforce": salesforce_settings,
                "hubspot": {"adapter": "hubspot", **hubspot.settings()},
            },
        }
        config.write_text(tomli_w.dumps(raw), encoding="utf-8")
        # Salesforce holds the first write call back (then applies it): the process dies meanwhile.
        before = _stamps(salesforce)
        salesforce.faults.push(Fault("timeout", path="composite/sobjects", method="PATCH", delay_s=1.5))
        process = subprocess.Popen(
            [sys.executable, "-m", "leadsync", "sync", "--config", str(config), "--format", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(lambda: salesforce.calls.count("PATCH", "composite/sobjects") > 0, "the first write")
        finally:
            process.kill()
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL

        # The calls of 10 records sent together (the held one among them) reach Salesforce after
        # all, whole; their process never knew.
        def landed() -> set[RecordRef]:
            return {ref for ref, stamp in _stamps(salesforce).items() if before[ref] != stamp}

        salesforce.calls.wait_idle(timeout_s=60)
        written = landed()
        assert len(written) in {10, 20, 30, 40, 50}
        with Store.open(state_url) as store:
            (killed,) = store.runs.recent()
            assert killed.status is RunStatus.RUNNING  # what the dead process left behind
            _wait_for(lambda: _lease_free(store, pipeline), "the lease to be free")  # the OS or the server

        result = CliRunner().invoke(app, ["sync", "--config", str(config), "--format", "json"])
        assert result.exit_code == 0, (result.stderr, result.exception)
        rerun = json.loads(result.stdout)
        assert rerun["status"] == "succeeded"
        quiet = json.loads(
            CliRunner().invoke(app, ["sync", "--config", str(config), "--format", "json"]).stdout
        )
        assert all(figures["writes"] == 0 for figures in quiet["crms"].values())  # converged

        with Store.open(state_url) as store:
            runs = {run.id: run for run in store.runs.recent()}
            assert runs[killed.id].status is RunStatus.FAILED  # marked by the next run, not running forever
            assert runs[killed.id].finished_at is not None
            by_ref: Counter[tuple[RecordRef, str]] = Counter()
            for run in runs.values():
                by_ref.update((e.ref, e.field) for e in store.audit.of_run(run.id) if e.applied)
            killed_audit = {e.ref for e in store.audit.of_run(killed.id)}
            rerun_audit = {e.ref for e in store.audit.of_run(rerun["run_id"])}
            human = [
                change
                for ids in batches(store, None)
                for file in store.persons.files(ids)
                for change in store.stage_history.of_person(file.state.id)
                if change.set_by is SetBy.HUMAN and change.at > killed.started_at  # not the seed's
            ]
    assert killed_audit == written  # what reached Salesforce is audited under the killed run
    assert not rerun_audit & written  # and was not sent again
    assert set(by_ref.values()) == {1}  # one applied entry per record and field
    assert human == []  # leadsync's own unrecorded write was not taken for a human's change
