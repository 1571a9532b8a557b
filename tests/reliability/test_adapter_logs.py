"""Adapters say what they do: one real cycle against both sandboxes, its JSON log read back.

Every HTTP call a sandbox answered is one `crm.call` event (retries counted in it) with its
method, path, status, time and the rate-limit headers seen; each stream starts and finishes
with its counts and cursor; a dirty record is quarantined and a refused batch narrowed, each
with its event; every event carries the run id; no credential appears anywhere in the log.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from leadsync.logs import configure_logging
from leadsync.testing.sandbox_server import Fault
from tests.engine.conftest import MakePipeline, Pipeline

PEOPLE = 400  # the seed's dirty records (quarantined) come with a population this size
CALL_KEYS = {"crm", "call", "method", "path", "status", "ms", "retries", "rate_limits", "run_id"}


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """leadsync's own JSON logging at debug level, into a buffer; the previous set-up after."""
    saved = structlog.get_config()
    buffer = io.StringIO()
    configure_logging(json=True, level="debug", stream=buffer)
    yield buffer
    structlog.configure(**saved)


def _client_credentials(pipeline: Pipeline) -> None:
    """Salesforce logs in by client credentials, so the token call is made (and logged)."""
    salesforce = pipeline.raw["crm"]["salesforce"]
    salesforce.pop("session_id")
    credentials = pipeline.salesforce.credentials
    salesforce.update({key: credentials[key] for key in ("token_url", "client_id", "client_secret")})
    salesforce["attempts"] = 2  # a locked row is sent again once


def _refuse(pipeline: Pipeline) -> None:
    """HubSpot refuses a batch naming no input (it is split), Salesforce holds a row locked
    (the locked record alone is sent again), and HubSpot's first search answers 429 once."""
    pipeline.hubspot.store.reject_writes(sorted(pipeline.hubspot.store.ids(), key=int)[0])
    leads = sorted(
        str(lead["Id"]) for lead in pipeline.salesforce.store.records("Lead") if not lead["IsConverted"]
    )
    pipeline.salesforce.store.lock_records(leads[0])
    pipeline.hubspot.faults.push(Fault("rate_limit", path="/search", headers={"Retry-After": "1"}))


def _events(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_cycle_logs_every_call_stream_quarantine_and_narrowing_with_its_run_id_and_no_secret(
    make_pipeline: MakePipeline, json_log: io.StringIO
) -> None:
    pipeline = make_pipeline(PEOPLE)
    _client_credentials(pipeline)
    _refuse(pipeline)
    pipeline.clock.advance(minutes=1)
    engine = pipeline.engine()
    for sandbox in (pipeline.salesforce, pipeline.hubspot):
        sandbox.calls.reset()
    json_log.seek(0)
    json_log.truncate()

    report = engine.sync()

    events = _events(json_log)
    assert {e.get("run_id") for e in events} == {report.run_id}  # every event of the cycle
    assert structlog.contextvars.get_contextvars() == {}  # and none after it
    calls = [e for e in events if e["event"] == "crm.call"]
    for event in calls:
        assert event.keys() >= CALL_KEYS, event
        assert event["path"].startswith("/"), event
        assert "?" not in event["path"], event  # no query string: no token, no long cursor
        assert event["method"] in {"GET", "POST", "PATCH", "PUT", "DELETE"}, event
        assert isinstance(event["status"], int), event
        assert event["ms"] >= 0, event
        assert event["retries"] >= 0, event
    for crm, sandbox in (("salesforce", pipeline.salesforce), ("hubspot", pipeline.hubspot)):
        made = [e for e in calls if e["crm"] == crm]
        assert sum(1 + e["retries"] for e in made) == sandbox.calls.count(), crm  # every HTTP call
    token = [e for e in calls if e["call"] == "token"]
    assert [(e["crm"], e["method"], e["path"], e["status"]) for e in token] == [
        ("salesforce", "POST", "/services/oauth2/token", 200)
    ]
    limited = [e for e in calls if e["crm"] == "hubspot" and e["retries"]]
    assert [e["rate_limits"] for e in limited] == [{"X-HubSpot-RateLimit-Remaining": "0"}]  # the 429's
    assert all("api-usage=" in e["rate_limits"]["Sforce-Limit-Info"] for e in calls if e["call"] == "query")

    finished = {(e["crm"], e["stream"]): e for e in events if e["event"] == "stream.finished"}
    started = {(e["crm"], e["stream"]) for e in events if e["event"] == "stream.started"}
    assert started == set(finished)
    for crm in ("salesforce", "hubspot"):
        for stream in ("people", "activities"):
            done = finished[crm, stream]
            assert done["complete"], done
            assert done["pages"] > 0, done
            assert done["records"] > 0, done
            assert done["cursor"] > "2026", done
        assert finished[crm, "people"]["records"] >= report.crms[crm].read
    assert finished["hubspot", "meetings"]["records"] > 0  # HubSpot's own activity streams

    quarantined = [e for e in events if e["event"] == "record.quarantined"]
    assert quarantined
    assert len(quarantined) == sum(f.quarantined for f in report.crms.values())
    assert {(e["crm"], e["object_type"], e["record_id"]) for e in quarantined} == {
        (q.ref.crm, q.ref.object_type, q.ref.record_id) for q in pipeline.store.quarantine.entries()
    }
    assert all(e["reason"] for e in quarantined)
    assert {e["level"] for e in quarantined} == {"warning"}

    narrowed = {(e["crm"], e["step"]) for e in events if e["event"] == "batch.narrowed"}
    assert {("hubspot", "split"), ("salesforce", "retry_locked")} <= narrowed

    text = json_log.getvalue()
    secrets = (
        pipeline.hubspot.access_token,
        pipeline.salesforce.sessions.client_secret,
        pipeline.salesforce.settings()["session_id"],
        f"{pipeline.salesforce.sessions.org_id[:15]}!",  # any access token the org issued
    )
    for secret in secrets:
        assert secret not in text
