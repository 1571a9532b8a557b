"""The JSON API over a state store filled by real sandbox syncs: the store's figures, typed."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import httpx

from leadsync.insights import funnel_report
from leadsync.web.models import FunnelOut
from tests.engine.conftest import Pipeline
from tests.web.conftest import PEOPLE


def test_runs_are_the_stores_newest_first_with_the_next_scheduled_run(
    synced: Pipeline, client: httpx.Client
) -> None:
    body = client.get("/api/runs").raise_for_status().json()

    stored = synced.store.runs.recent()
    assert [run["id"] for run in body["runs"]] == [run.id for run in stored]
    assert [run["status"] for run in body["runs"]] == ["partial", "succeeded"]
    for shown, run in zip(body["runs"], stored, strict=True):
        for kind in ("read", "written", "failed", "quarantined"):
            assert shown[kind] == run.counts[kind]
        assert shown["api_calls"] == {
            crm: {"calls": c.calls, "minimum": c.minimum, "used": c.used, "limit": c.limit}
            for crm, c in run.api_calls.items()
        }
        assert run.finished_at is not None
        assert shown["duration_s"] == (run.finished_at - run.started_at).total_seconds()
    second, first = body["runs"]
    assert first["quarantined"] == 1
    assert second["failed"] > 0  # the 503s of HubSpot
    assert body["schedule"] == "every 15m"
    assert body["next_run_at"] == (stored[0].started_at + timedelta(minutes=15)).isoformat().replace(
        "+00:00", "Z"
    )
    assert len(client.get("/api/runs", params={"limit": 1}).json()["runs"]) == 1


def test_funnel_is_the_insights_report_of_the_store(synced: Pipeline, client: httpx.Client) -> None:
    body = client.get("/api/funnel").raise_for_status().json()

    report = funnel_report(synced.store, synced.definitions, now=synced.clock.now())
    assert body == FunnelOut.model_validate(report).model_dump(mode="json")
    assert sum(stage["people"] for stage in body["stages"]) == synced.store.persons.count()
    assert synced.store.persons.count() == PEOPLE  # the quarantined lead's HubSpot contact is a person
    assert body["crms"] == ["hubspot", "salesforce"]
    since = client.get("/api/funnel", params={"since": "2026-11-24"}).raise_for_status().json()
    assert since["since"] == "2026-11-24T00:00:00Z"
    assert client.get("/api/funnel", params={"since": "yesterday"}).status_code == 422


def test_quarantine_and_failed_writes_are_the_stores_grouped_by_reason(
    synced: Pipeline, client: httpx.Client
) -> None:
    body = client.get("/api/quarantine").raise_for_status().json()

    entries = synced.store.quarantine.entries()
    assert body["quarantined"] == len(entries) == 1
    [group] = body["quarantine"]
    assert group["reason"] == entries[0].reason
    assert "invalid e-mail" in group["reason"]
    assert [r["record"] for r in group["records"]] == [str(entries[0].ref)]
    failures = synced.store.write_failures.entries()
    last = synced.store.runs.recent()[0]
    assert body["failed_writes"] == len(failures) == last.counts["failed"] > 0
    assert {f.ref.crm for f in failures} == {"hubspot"}
    assert sum(group["count"] for group in body["write_failures"]) == len(failures)
    shown = {r["record"]: r for group in body["write_failures"] for r in group["records"]}
    assert set(shown) == {str(f.ref) for f in failures}
    for failure in failures:
        assert shown[str(failure.ref)]["run_id"] == last.id
        assert shown[str(failure.ref)]["attempts"] == 1
        assert failure.code in [group["code"] for group in body["write_failures"]]


def test_a_person_is_explained_from_the_store_alone(synced: Pipeline, client: httpx.Client) -> None:
    person = synced.store.persons.most_active_in_several_crms()
    assert person is not None
    email = synced.store.links.email_of(person)
    assert email is not None
    calls = {"salesforce": synced.salesforce.calls.count(), "hubspot": synced.hubspot.calls.count()}

    body = client.get(f"/api/people/{quote(email.upper())}").raise_for_status().json()

    file = synced.store.persons.file_by_email(email)
    assert file is not None
    assert body["email"] == file.state.email
    assert body["decision"]["stage"] == file.state.stage.value
    assert sorted(r["record"] for r in body["records"]) == sorted(str(ref) for ref in file.records)
    assert {r["crm"] for r in body["records"]} == {"salesforce", "hubspot"}
    assert len(body["activities"]) == len(file.activities)
    assert any(r["points"] for r in body["reasons"])
    assert body["stage_history"][0]["from"] is None
    assert calls == {"salesforce": synced.salesforce.calls.count(), "hubspot": synced.hubspot.calls.count()}


def test_an_unknown_person_is_404_with_a_clear_message(client: httpx.Client) -> None:
    response = client.get("/api/people/nobody@nowhere.example")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "no one with the e-mail 'nobody@nowhere.example' is in the state store; has a sync run?"
    }


def test_the_openapi_schema_lists_the_api_with_typed_bodies(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").raise_for_status().json()

    paths = schema["paths"]
    assert {"/api/runs", "/api/funnel", "/api/quarantine", "/api/people/{email}", "/healthz"} <= set(paths)
    assert not {"/", "/funnel", "/errors", "/metrics"} & set(paths)
    body = {
        path: paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        for path in ("/api/runs", "/api/funnel", "/api/quarantine", "/api/people/{email}")
    }
    assert body == {
        "/api/runs": "#/components/schemas/RunsOut",
        "/api/funnel": "#/components/schemas/FunnelOut",
        "/api/quarantine": "#/components/schemas/ErrorsOut",
        "/api/people/{email}": "#/components/schemas/PersonOut",
    }
    assert {"RunOut", "StageCountOut", "QuarantineGroup", "PersonDecision", "HealthOut"} <= set(
        schema["components"]["schemas"]
    )
