"""The Marketo sandbox answers in the shapes of Marketo's own examples: same keys, same types.

Bodies are the examples of Marketo's developer documentation (tests/fixtures/recorded/README.md,
"Marketo", gives each source). Each allowed difference is named with its reason, and none may hide
a key the adapter reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from adapters.marketo.sandbox import MarketoSandbox
from leadsync.clock import ManualClock
from leadsync.model import RecordRef
from leadsync.testing.sandbox_server import Fault
from tests.recorded.shapes import recorded, shape_diff

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
# DELIBERATE: a seeded lead's first value of a field has no old value (null where the example has one).
FIRST_VALUE = ("$.result[].fields[].oldValue",)


@pytest.fixture(scope="module")
def marketo() -> Iterator[MarketoSandbox]:
    with MarketoSandbox(400, clock=ManualClock(NOW)) as sandbox:
        yield sandbox


def _get(sandbox: MarketoSandbox, path: str, **params: Any) -> dict[str, Any]:
    token = requests.get(
        sandbox.url + "/identity/oauth/token",
        params={"grant_type": "client_credentials", "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret},
        timeout=10,
    ).json()["access_token"]  # fmt: skip
    answer = requests.get(
        sandbox.url + path, headers={"Authorization": f"Bearer {token}"}, params=params, timeout=10
    )
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def _token(sandbox: MarketoSandbox, since: str) -> str:
    return str(_get(sandbox, "/rest/v1/activities/pagingtoken.json", sinceDatetime=since)["nextPageToken"])


def _same(name: str, actual: object, ignore: tuple[str, ...] = ()) -> None:
    assert shape_diff(recorded(f"marketo/{name}"), actual, ignore=ignore) == []


def test_activity_types(marketo: MarketoSandbox) -> None:
    _same("activity_types.json", _get(marketo, "/rest/v1/activities/types.json"))


def test_activities_page(marketo: MarketoSandbox) -> None:
    token = _token(marketo, "2000-01-01T00:00:00Z")
    page = _get(marketo, "/rest/v1/activities.json", activityTypeIds="1", nextPageToken=token)
    page.pop("moreResult")
    page["moreResult"] = False
    assert page["result"]
    _same("activities_page.json", page)


def test_lead_changes_page(marketo: MarketoSandbox) -> None:
    marketo.bulk_edit([RecordRef("marketo", "lead", "3")])
    token = _token(marketo, "2000-01-01T00:00:00Z")
    page = _get(marketo, "/rest/v1/activities/leadchanges.json", nextPageToken=token, fields="title")
    page["result"] = [r for r in page["result"] if r["activityTypeId"] == 13][:1]  # as recorded: a change
    assert page["result"]
    _same("lead_changes_page.json", page, FIRST_VALUE)


def test_deleted_leads_page(marketo: MarketoSandbox) -> None:
    marketo.delete(RecordRef("marketo", "lead", "5"))
    token = _token(marketo, "2000-01-01T00:00:00Z")
    pages, done = [], False
    while not done:  # empty pages with moreResult true until the deletion is reached
        page = _get(marketo, "/rest/v1/activities/deletedleads.json", nextPageToken=token)
        pages.append(page)
        token, done = page["nextPageToken"], not page["moreResult"]
    assert any("result" not in p for p in pages), "no empty page: the scan window is not simulated"
    (found,) = [p for p in pages if "result" in p]
    found["moreResult"] = True
    _same("deleted_leads_page.json", found)


def test_an_error_is_an_http_200_with_success_false(marketo: MarketoSandbox) -> None:
    marketo.faults.push(Fault("rate_limit", path="/rest/"))
    body = _get(marketo, "/rest/v1/activities/types.json")
    assert body["success"] is False
    assert body["errors"] == [{"code": "606", "message": "Max rate limit '100' exceeded with in '20' secs"}]
