"""Per-record write errors: recorded per record, retried next cycle, never blocking the batch.

Each CRM refuses some records the way it really does: a Salesforce validation rule
(FIELD_CUSTOM_VALIDATION_EXCEPTION), a row another transaction holds (UNABLE_TO_LOCK_ROW),
a Lead Status value the admin never added to the restricted picklist
(INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST), and a HubSpot value that is not one of the
property's options (INVALID_OPTION, which fails HubSpot's whole batch with a 400). What a user
sees: the other records written, each failure in `leadsync quarantine`, the failed count per
CRM in `leadsync runs`, the failing records retried each cycle until they are written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from adapters.salesforce.sandbox.objects import LEAD_STATUSES
from leadsync.cli import app
from leadsync.config import Settings
from leadsync.connections import connect_all
from leadsync.engine import CycleReport, SyncEngine
from leadsync.model import RecordRef
from leadsync.store import RunStatus, WriteFailureEntry
from leadsync.testing.sandbox_server import Fault
from tests.engine.conftest import MakePipeline, Pipeline

PEOPLE = 80
HUMAN = "alice.martin@example.com"
ATTEMPTS = 3  # Salesforce tries a locked row this often in one write, waiting 1 s then 2 s
RULE = "Leads from a partner need a partner id; token=00Dxx0000001gEREAY (shown by a careless rule)"


def _cycle(pipeline: Pipeline, waits: list[float]) -> CycleReport:
    def sleep(seconds: float) -> None:
        waits.append(seconds)
        pipeline.clock.sleep(seconds)

    pipeline.clock.advance(minutes=1)
    settings = Settings.model_validate(pipeline.raw)
    connections = connect_all(settings, clock=pipeline.clock, sleep=sleep)
    return SyncEngine(settings, pipeline.store, connections, pipeline.definitions, pipeline.clock).sync()


def _cli(tmp_path: Path, url: str, *args: str) -> dict[str, object]:
    config = tmp_path / "leadsync.toml"
    config.write_text(f'[sync]\nstate_url = "{url}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, [*args, "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def _table(tmp_path: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--config", str(tmp_path / "leadsync.toml")])
    assert result.exit_code == 0, result.output
    return result.stdout


def _refuse(pipeline: Pipeline) -> tuple[RecordRef, RecordRef, RecordRef]:
    """Each CRM refuses some records: a validation rule, a locked row, a picklist value, an option."""
    salesforce, hubspot = pipeline.salesforce.store, pipeline.hubspot.store
    leads = sorted(str(lead["Id"]) for lead in salesforce.records("Lead") if not lead["IsConverted"])
    ruled, locked = RecordRef("salesforce", "Lead", leads[0]), RecordRef("salesforce", "Lead", leads[1])
    salesforce.reject_on_save(ruled.record_id, message=RULE)
    salesforce.lock_records(locked.record_id)
    salesforce.set_picklist("Lead", "Status", *(s for s in LEAD_STATUSES if s != "Nurturing"))
    contact = RecordRef("hubspot", "contacts", sorted(hubspot.ids(), key=int)[0])
    hubspot.reject_writes(contact.record_id, property_name="leadsync_temperature")
    return ruled, locked, contact


def _qualified_long_ago(pipeline: Pipeline, taken: Collection[RecordRef]) -> RecordRef:
    """An open lead a rep qualified on BANT long ago, quiet since: the first cycle nurtures it.

    Under the strict definitions only a checklist (which needs no recent activity) takes a quiet
    person past lead, so the test qualifies one itself rather than hoping the seed has one.
    """
    salesforce = pipeline.salesforce.store
    quiet_since = pipeline.clock.now() - timedelta(days=120)
    touched = {str(t["WhoId"]) for t in salesforce.records("Task") if _when(t["CreatedDate"]) > quiet_since}
    touched |= {str(m["LeadId"]) for m in salesforce.records("CampaignMember") if m["LeadId"]}
    for lead in sorted(salesforce.records("Lead"), key=lambda row: str(row["Id"])):
        ref = RecordRef("salesforce", "Lead", str(lead["Id"]))
        quiet = _when(lead["CreatedDate"]) < quiet_since and ref.record_id not in touched
        if quiet and lead["Status"] == "Open - Not Contacted" and ref not in taken:
            qualified = {
                f"LeadSync_BANT_{item}__c": True for item in ("Budget", "Authority", "Need", "Timing")
            }
            salesforce.update_as_user(
                "Lead",
                ref.record_id,
                HUMAN,
                Title="Manager",
                Industry="Software",
                CountryCode="FR",
                **qualified,
            )
            return ref
    raise AssertionError("no quiet open lead in the sandbox")


def _when(stamp: object) -> datetime:
    return datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S.%f%z")


def _accept(pipeline: Pipeline) -> None:
    """The CRMs' admins fix what made them refuse."""
    pipeline.salesforce.store.accept_saves()
    pipeline.salesforce.store.unlock_records()
    pipeline.salesforce.store.set_picklist("Lead", "Status", *LEAD_STATUSES)
    pipeline.hubspot.store.accept_writes()


def _assert_shown(
    tmp_path: Path, url: str, report: CycleReport, failures: dict[RecordRef, WriteFailureEntry]
) -> None:
    """`leadsync runs` shows the failed count per CRM; `leadsync quarantine` lists each failure."""
    failed = report.crms["salesforce"].failed
    runs = _cli(tmp_path, url, "runs")["runs"]
    assert isinstance(runs, list)
    assert runs[0]["counts"]["failed.salesforce"] == failed
    assert f"salesforce {failed}" in _table(tmp_path, "runs")
    shown = _cli(tmp_path, url, "quarantine")["write_failures"]
    assert isinstance(shown, dict)
    assert shown["total"] == len(failures)
    listed = {RecordRef(r["crm"], r["object_type"], r["record_id"]): r for r in shown["records"]}
    assert {ref: (r["code"], r["message"], r["attempts"]) for ref, r in listed.items()} == {
        ref: (e.code, e.message, 1) for ref, e in failures.items()
    }
    assert "UNABLE_TO_LOCK_ROW" in _table(tmp_path, "quarantine")


def test_refused_records_are_recorded_retried_and_never_block_their_batch(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    pipeline = make_pipeline(PEOPLE, url=url, crm={"salesforce": {"attempts": ATTEMPTS}})
    ruled, locked, contact = _refuse(pipeline)
    quiet = _qualified_long_ago(pipeline, (ruled, locked))
    waits: list[float] = []

    first = _cycle(pipeline, waits)

    failures = {entry.ref: entry for entry in pipeline.store.write_failures.entries()}
    nurtured = {ref for ref, e in failures.items() if e.code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"}
    assert quiet in nurtured  # leads to nurture: their Status value is missing
    assert {ref: failures[ref].code for ref in (ruled, locked, contact)} == {
        ruled: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        locked: "UNABLE_TO_LOCK_ROW",
        contact: "INVALID_OPTION",
    }
    assert set(failures) == {ruled, locked, contact} | nurtured
    for ref in nurtured:
        assert "Nurturing" in failures[ref].message
    # The rule's own words, but no secret (even one the CRM echoes) is stored.
    assert failures[ruled].message == RULE.replace("00Dxx0000001gEREAY", "[redacted]")
    assert (
        "leadsync_temperature" in failures[contact].message or "allowed options" in failures[contact].message
    )
    for entry in failures.values():
        assert (entry.run_id, entry.attempts) == (first.run_id, 1)
        assert entry.first_failed_at == entry.last_failed_at == pipeline.clock.now() - timedelta(seconds=3)
    assert waits == [1.0, 2.0]  # the locked row, tried 3 times within the write

    # The rest of each batch was written, and audited.
    sf, hs = first.crms["salesforce"], first.crms["hubspot"]
    assert first.status is RunStatus.PARTIAL
    assert (sf.failed, hs.failed) == (2 + len(nurtured), 1)
    assert sf.writes == sf.planned - sf.failed > 0
    assert hs.writes == hs.planned - hs.failed > 0
    audited = {entry.ref for entry in pipeline.store.audit.of_run(first.run_id)}
    assert len(audited) == sf.writes + hs.writes
    assert not audited & set(failures)
    assert pipeline.salesforce.calls.count("PATCH", "composite/sobjects") == ATTEMPTS  # 1 batch, 2 retries
    assert first.counts()["failed.salesforce"] == sf.failed
    assert first.counts()["failed.hubspot"] == 1

    _assert_shown(tmp_path, url, first, failures)

    # Next cycle: the refused records are tried again (and only they are written).
    patches = pipeline.salesforce.calls.count("PATCH", "composite/sobjects")
    second = _cycle(pipeline, waits)
    again = {entry.ref: entry for entry in pipeline.store.write_failures.entries()}
    assert set(again) == set(failures)
    for ref, entry in again.items():
        assert entry.attempts == 2
        assert entry.run_id == second.run_id
        assert entry.first_failed_at == failures[ref].first_failed_at < entry.last_failed_at
    assert second.crms["salesforce"].planned == second.crms["salesforce"].failed == len(nurtured) + 2
    assert pipeline.salesforce.calls.count("PATCH", "composite/sobjects") == patches + ATTEMPTS

    # Forgetting a person erases their write failures too.
    email = (pipeline.hubspot.store.values_of("contacts", contact.record_id) or {})["email"]
    assert pipeline.store.forget(email).write_failures == 1
    assert contact not in {entry.ref for entry in pipeline.store.write_failures.entries()}

    # The CRMs accept them again: the next cycle writes them and clears their failures.
    _accept(pipeline)
    third = _cycle(pipeline, waits)
    assert third.status is RunStatus.SUCCEEDED, third.as_dict()
    # The forgotten person's Salesforce record, re-read in the lookback window, is learnt anew
    # (forget leaves the CRMs as they are) and written like any new record.
    assert third.crms["salesforce"].writes == len(nurtured) + 2 + min(1, third.crms["salesforce"].read)
    assert third.crms["salesforce"].failed == third.crms["hubspot"].failed == 0
    assert pipeline.store.write_failures.entries() == []
    assert _cli(tmp_path, url, "quarantine")["write_failures"] == {
        "total": 0,
        "truncated": False,
        "records": [],
    }
    quiet = _cycle(pipeline, waits)
    assert all(f.planned == f.write_calls == 0 for f in quiet.crms.values()), quiet.as_dict()


def test_a_write_that_timed_out_but_was_saved_leaves_no_failure_behind(make_pipeline: MakePipeline) -> None:
    # HubSpot answers the update too late: the client gives up, yet HubSpot saved it.
    pipeline = make_pipeline(PEOPLE, crm={"hubspot": {"attempts": 1, "timeout_s": 0.3}})
    hubspot = pipeline.hubspot
    before = {i: _modified(pipeline, i) for i in hubspot.store.ids()}
    hubspot.faults.push(Fault("timeout", path="contacts/batch/update", delay_s=0.5))
    waits: list[float] = []

    first = _cycle(pipeline, waits)

    failing = pipeline.store.write_failures.entries()
    assert len(failing) == first.crms["hubspot"].planned > 0
    assert {(e.ref.crm, e.code) for e in failing} == {("hubspot", "TransientError")}
    for entry in failing:  # the sandbox saves the held-back update in its own time
        _until(lambda i=entry.ref.record_id: _modified(pipeline, i) != before[i])

    second = _cycle(pipeline, waits)

    assert second.crms["hubspot"].planned == 0  # HubSpot holds the values: nothing to write...
    assert pipeline.store.write_failures.entries() == []  # ...and no failure left behind


def _modified(pipeline: Pipeline, contact: str) -> str | None:
    return (pipeline.hubspot.store.values_of("contacts", contact) or {}).get("lastmodifieddate")


def _until(condition: Callable[[], bool], *, within_s: float = 10.0) -> None:
    """Wait for a sandbox thread to finish a held-back request (a sync point, not a timing)."""
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "the sandbox never saved the held-back write"
        time.sleep(0.02)
