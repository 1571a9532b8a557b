"""Faults in each CRM's own dialect at 10 % of calls: cycles converge to a fault-free run's state.

Two identical pipelines go through the same story (a first sync, then rounds of human edits
in both CRMs); one of them meets faults at a seeded 10 % of all calls in both sandboxes.
When the faulty one has converged (a cycle succeeds and plans nothing), both sandboxes hold
the same managed values as the fault-free run, the store the same stages and owners, and
the audit the same writes (a re-sent call adds none). Waits go through the injected sleep,
which moves the test clock: nothing sleeps for real but the sandbox holding a timed-out
answer back (past the clients' short `timeout_s`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from adapters.salesforce.sandbox.faults import FAULT_KINDS
from leadsync.config import Settings
from leadsync.connections import connect_all
from leadsync.engine import CycleReport, SyncEngine
from leadsync.engine.evaluating import batches
from leadsync.store import RunStatus
from leadsync.testing.sandbox_server import Fault
from tests.engine.conftest import MakePipeline, Pipeline

PEOPLE = 80
ROUNDS = 2  # rounds of human edits after the first sync
EDITS = 6  # records edited by a human per CRM and round
SHARE = 0.10
HELD_S = 0.6  # a timed-out answer is held back this long by the sandbox (real time)
TIMEOUT_S = 0.4  # the clients' timeout in this test: below HELD_S, above any real answer's time
RETRY_AFTER_S = 3.0
TEN_SECONDLY_S = 10.0  # the adapter's wait after a 429 of the 10-s policy without Retry-After
MAX_CYCLES = 12
# HubSpot allows 5 searches a second (the adapter spaces them): a cycle reading back its own
# writes (one stamp: a query by stamp, then by id) stays within 5 with pages of 100.
HS_PAGE = 100

_REST = "/services/data/"  # row locks, API limits and sessions are REST API matters, not OAuth's
SALESFORCE_FAULTS = tuple(
    Fault(
        kind,
        path="" if kind in ("server_error", "unavailable", "timeout") else _REST,
        delay_s=HELD_S if kind == "timeout" else 0.0,
    )
    for kind in FAULT_KINDS
)
HUBSPOT_FAULTS = (
    Fault("rate_limit", headers={"Retry-After": f"{RETRY_AFTER_S:g}"}),
    Fault("rate_limit"),  # no Retry-After (HubSpot does not document one): policy TEN_SECONDLY_ROLLING
    Fault("server_error"),
    Fault("server_error_502"),
    Fault("server_error_503"),
    Fault("timeout", delay_s=HELD_S),
)

# Besides the random share, each kind once where it hurts most: on a write (a timed-out write
# was applied: its re-send must be idempotent) or on the first read.
_WRITE = "composite/sobjects"
SALESFORCE_SCRIPTED = (
    Fault("timeout", path=_WRITE, delay_s=HELD_S),
    Fault("expired_session", path=_WRITE),
    Fault("lock", path=_WRITE),
    Fault("request_limit", path="/query"),
    Fault("server_error", path="/query"),
    Fault("unavailable", path=_WRITE),
)
_BATCH_UPDATE = "contacts/batch/update"
HUBSPOT_SCRIPTED = (
    Fault("timeout", path=_BATCH_UPDATE, delay_s=HELD_S),
    Fault("rate_limit", path=_BATCH_UPDATE, headers={"Retry-After": f"{RETRY_AFTER_S:g}"}),
    Fault("rate_limit", path="/search"),
    Fault("server_error_503", path=_BATCH_UPDATE),
    Fault("server_error_502", path="/search"),
)


@dataclass
class Story:
    """How one pipeline went through the story."""

    cycles: list[int] = field(default_factory=list)  # cycles to converge, per round
    waits: list[float] = field(default_factory=list)
    reports: list[CycleReport] = field(default_factory=list)


def _settings(pipeline: Pipeline) -> None:
    """Client credentials (an expired session is renewed), short timeouts, many small calls."""
    salesforce = pipeline.raw["crm"]["salesforce"]
    salesforce.pop("session_id")
    credentials = pipeline.salesforce.credentials
    salesforce.update(
        {key: credentials[key] for key in ("token_url", "client_id", "client_secret")},
        timeout_s=TIMEOUT_S,
        write_batch_size=10,
    )
    pipeline.raw["crm"]["hubspot"].update(timeout_s=TIMEOUT_S, page_size=HS_PAGE)


def _cycle(pipeline: Pipeline, story: Story) -> CycleReport:
    def sleep(seconds: float) -> None:
        story.waits.append(seconds)
        pipeline.clock.sleep(seconds)

    pipeline.clock.advance(minutes=1)
    settings = Settings.model_validate(pipeline.raw)
    connections = connect_all(settings, clock=pipeline.clock, sleep=sleep)
    report = SyncEngine(settings, pipeline.store, connections, pipeline.definitions, pipeline.clock).sync()
    # A write the sandbox held past the client's timeout lands a moment later (real time): let it
    # land before the story goes on, or it would overwrite what comes next.
    pipeline.salesforce.calls.wait_idle()
    pipeline.hubspot.calls.wait_idle()
    story.reports.append(report)
    return report


def _converge(pipeline: Pipeline, story: Story) -> None:
    for cycle in range(1, MAX_CYCLES + 1):
        report = _cycle(pipeline, story)
        if report.status is RunStatus.SUCCEEDED and not any(f.planned for f in report.crms.values()):
            story.cycles.append(cycle)
            return
    raise AssertionError(f"no convergence in {MAX_CYCLES} cycles: {story.reports[-1].as_dict()}")


def _edit(pipeline: Pipeline, round_: int) -> None:
    """Humans move a few people in each CRM (the same ones in both pipelines)."""
    salesforce = pipeline.salesforce.store
    human = next(
        str(u["Email"])
        for u in salesforce.records("User")
        if u["IsActive"] and "integration" not in str(u["Email"])
    )
    leads = sorted(str(lead["Id"]) for lead in salesforce.records("Lead") if not lead["IsConverted"])
    statuses = ("Working - Contacted", "Closed - Not Converted", "Open - Not Contacted")
    for lead in leads[round_ * EDITS : (round_ + 1) * EDITS]:
        salesforce.update_as_user("Lead", lead, human, Status=statuses[round_ % len(statuses)])
    contacts = sorted(pipeline.hubspot.store.ids(), key=int)
    stages = ("salesqualifiedlead", "opportunity", "customer")
    for contact in contacts[round_ * EDITS : (round_ + 1) * EDITS]:
        pipeline.hubspot.store.update_as_user(contact, lifecyclestage=stages[round_ % len(stages)])


def _story(pipeline: Pipeline, *, before_cycles: Callable[[], None] = lambda: None) -> Story:
    _settings(pipeline)
    story = Story()
    before_cycles()
    _converge(pipeline, story)
    for round_ in range(ROUNDS):
        _edit(pipeline, round_)
        _converge(pipeline, story)
    pipeline.salesforce.faults.clear()
    pipeline.hubspot.faults.clear()
    return story


def _territory_of(pipeline: Pipeline) -> Callable[[object], object]:
    """Round robin hands out a territory's owners in the order people are linked, which faults
    may change (a CRM read a cycle later links its people later): compare the territory only."""
    pools = {member: t.name for t in pipeline.definitions.owners.territories for member in t.pool}
    return lambda owner: f"a {pools[owner]} owner" if owner in pools else owner


def _held(pipeline: Pipeline) -> dict[str, dict[str, object]]:
    """Every record's managed fields, as each sandbox holds them (read from its store)."""
    territory = _territory_of(pipeline)
    held: dict[str, dict[str, object]] = {}
    connections = {c.name: c for c in pipeline.engine().connections}
    emails = {
        crm_id: owner.email
        for c in connections.values()
        for owner in c.adapter.owners()
        for crm_id in owner.crm_ids.values()
    }
    owner_fields = {"OwnerId", "hubspot_owner_id"}
    for sobject, write in connections["salesforce"].mapping.write.items():
        fields = sorted(write.target_fields())
        for record in pipeline.salesforce.store.records(sobject):
            held[f"salesforce/{record['Id']}"] = {name: record[name] for name in fields}
    properties = sorted(connections["hubspot"].mapping.write["contacts"].target_fields())
    for contact in pipeline.hubspot.store.ids():
        values = pipeline.hubspot.store.values_of("contacts", contact) or {}
        held[f"hubspot/{contact}"] = {name: values.get(name) for name in properties}
    return {
        ref: {
            name: territory(emails.get(str(v), v)) if name in owner_fields else v
            for name, v in values.items()
        }
        for ref, values in held.items()
    }


def _people(pipeline: Pipeline) -> dict[str, tuple[str | None, object]]:
    """Each person's decided stage and owner in the state store, by e-mail."""
    territory = _territory_of(pipeline)
    found = {}
    for ids in batches(pipeline.store, None):
        for file in pipeline.store.persons.files(ids):
            stage = file.state.stage.value if file.state.stage is not None else None
            found[file.state.email] = (stage, territory(file.state.owner))
    return found


def _audit(pipeline: Pipeline, story: Story) -> Counter[tuple[str, str, object, object]]:
    """Every value written, as (record, field, old, new), counted."""
    territory = _territory_of(pipeline)
    return Counter(
        (str(entry.ref), entry.field, territory(entry.old), territory(entry.new))
        if entry.field == "owner"
        else (str(entry.ref), entry.field, entry.old, entry.new)
        for report in story.reports
        for entry in pipeline.store.audit.of_run(report.run_id)
    )


def test_faults_at_ten_percent_of_calls_converge_to_the_fault_free_state(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    clean = make_pipeline(PEOPLE, url=f"sqlite:///{tmp_path / 'clean.db'}")
    clean_story = _story(clean)
    assert clean_story.waits == []  # else a fault-free call took longer than TIMEOUT_S

    faulty = make_pipeline(PEOPLE, url=f"sqlite:///{tmp_path / 'faulty.db'}")

    def inject() -> None:
        for fault in SALESFORCE_SCRIPTED:
            faulty.salesforce.faults.push(fault)
        for fault in HUBSPOT_SCRIPTED:
            faulty.hubspot.faults.push(fault)
        faulty.salesforce.faults.rate(SHARE, SALESFORCE_FAULTS, seed=11)
        faulty.hubspot.faults.rate(SHARE, HUBSPOT_FAULTS, seed=12)

    story = _story(faulty, before_cycles=inject)

    salesforce_drawn = list(faulty.salesforce.faults.drawn)
    hubspot_drawn = list(faulty.hubspot.faults.drawn)
    calls = {"salesforce": faulty.salesforce.calls.count(), "hubspot": faulty.hubspot.calls.count()}
    # Every kind was met, at about the share asked for.
    assert {f.kind for f in salesforce_drawn} == set(FAULT_KINDS)
    assert {f.kind for f in hubspot_drawn} | {"rate_limit"} == {f.kind for f in HUBSPOT_FAULTS}
    for drawn, scripted, total in (
        (salesforce_drawn, SALESFORCE_SCRIPTED, calls["salesforce"]),
        (hubspot_drawn, HUBSPOT_SCRIPTED, calls["hubspot"]),
    ):
        assert 0.05 * total < len(drawn) - len(scripted) < 0.15 * total

    # The same end state as without faults: CRM records, people, audit (nothing written twice).
    assert _held(faulty) == _held(clean)
    assert _people(faulty) == _people(clean)
    assert _audit(faulty, story) == _audit(clean, clean_story)
    assert faulty.store.write_failures.entries() == []  # writes that failed on the way were redone

    # Waits: a 429's Retry-After is honoured, a 429 without one waits for its policy's window.
    waits = Counter(story.waits)
    with_retry_after = sum(1 for f in hubspot_drawn if f.kind == "rate_limit" and f.headers)
    without = sum(1 for f in hubspot_drawn if f.kind == "rate_limit" and not f.headers)
    assert with_retry_after > 0
    assert without > 0
    assert waits[RETRY_AFTER_S] == with_retry_after
    assert waits[TEN_SECONDLY_S] == without
    assert set(waits) <= {RETRY_AFTER_S, TEN_SECONDLY_S, 1.0, 2.0, 4.0, 8.0}  # else: backoffs only
