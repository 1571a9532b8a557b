"""The Salesforce sandbox's access model (profiles, permission sets) and `LastModifiedById` filters,
as leadsync's `skip_own_echoes` queries them, through the real simple-salesforce client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.salesforce.sandbox import SalesforceSandbox
from adapters.salesforce.sandbox.access import API_ONLY_PROFILE, assign_permission_set
from leadsync.clock import ManualClock

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(people=40, seed=3, clock=ManualClock(NOW)) as started:
        yield started


@pytest.fixture
def sf(sandbox: SalesforceSandbox) -> Iterator[Any]:
    client = sandbox.client()
    yield client
    client.session.close()


def test_each_user_has_a_profile_and_only_the_integration_user_is_api_only(sandbox, sf) -> None:
    answer = sf.query("SELECT Id, Profile.Name, Profile.PermissionsApiUserOnly FROM User ORDER BY Id")
    profiles = {
        r["Id"]: (r["Profile"]["Name"], r["Profile"]["PermissionsApiUserOnly"]) for r in answer["records"]
    }
    assert profiles.pop(sandbox.store.integration_user_id) == (API_ONLY_PROFILE, True)
    assert set(profiles.values()) == {("Standard User", False)}
    [record] = answer["records"][:1]
    assert record["Profile"]["attributes"]["type"] == "Profile"
    assert record["Profile"]["attributes"]["url"].startswith("/services/data/v59.0/sobjects/Profile/00e")


def test_permission_set_assignments_filter_on_the_permission_sets_checkbox(sandbox, sf) -> None:
    person = next(u for u in sandbox.store.records("User") if u["Id"] != sandbox.store.integration_user_id)
    query = (
        "SELECT PermissionSet.Name FROM PermissionSetAssignment "  # noqa: S608 - SOQL to the sandbox
        f"WHERE AssigneeId = '{person['Id']}' AND PermissionSet.PermissionsApiUserOnly = true"
    )
    assert sf.query(query)["records"] == []
    assign_permission_set(sandbox.store, str(person["Id"]), "LeadSync_Fields")
    assert sf.query(query)["records"] == []
    assign_permission_set(sandbox.store, str(person["Id"]), "LeadSync_API_Only")
    assert [r["PermissionSet"]["Name"] for r in sf.query(query)["records"]] == ["LeadSync_API_Only"]


def test_last_modified_by_not_equal_leaves_out_that_users_saves_only(sandbox, sf) -> None:
    me = sandbox.store.integration_user_id
    everyone = sf.query_all("SELECT Id, LastModifiedById FROM Lead")["records"]
    others = sf.query_all(f"SELECT Id FROM Lead WHERE LastModifiedById != '{me}'")["records"]  # noqa: S608
    assert 0 < len(others) < len(everyone)
    assert {r["Id"] for r in others} == {r["Id"] for r in everyone if r["LastModifiedById"] != me}
