"""`skip_own_echoes`: incremental people reads leave out leadsync's own saves, for an API-only user only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.salesforce import SalesforceAdapter, create
from adapters.salesforce.sandbox import SalesforceSandbox
from adapters.salesforce.sandbox.access import API_ONLY_PROFILE, assign_permission_set, set_profile
from leadsync.adapter_api import AdapterContext, AuthError, Change
from leadsync.clock import ManualClock
from leadsync.model import Cursor, RecordRef

from .conftest import MAPPING, NOW

FIRST_READ = Cursor(datetime(1970, 1, 1, tzinfo=UTC))
CONFIG = "/etc/leadsync/leadsync.toml"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(people=300, seed=11, clock=ManualClock(NOW)) as started:
        yield started


@pytest.fixture
def integration(sandbox: SalesforceSandbox) -> Iterator[str]:
    """The integration user's id; its profile is put back as seeded after each test."""
    yield sandbox.store.integration_user_id
    set_profile(sandbox.store, sandbox.store.integration_user_id, API_ONLY_PROFILE)
    sandbox.store.hidden_objects.discard("PermissionSetAssignment")


def _adapter(sandbox: SalesforceSandbox, **options: Any) -> SalesforceAdapter:
    settings = {**sandbox.settings(), "lookback_s": 0, **options}
    return create(AdapterContext("sf", settings, MAPPING, sandbox.clock, config_file=CONFIG))


def _read(adapter: SalesforceAdapter, since: Cursor) -> tuple[list[str], Cursor]:
    pages = list(adapter.changed_people(since))
    ids = [p.ref.record_id for page in pages for p in (*page.items, *page.rejected)]
    return ids, pages[-1].cursor if pages else since


def _leads(sandbox: SalesforceSandbox, count: int) -> list[str]:
    live = (r for r in sandbox.store.records("Lead") if not r["IsConverted"] and not r["IsDeleted"])
    return [str(r["Id"]) for r in live][:count]


def _after_a_write(sandbox: SalesforceSandbox, adapter: SalesforceAdapter) -> tuple[Cursor, list[str]]:
    """Read everything, then write a score to 30 leads a minute later; the cursor and the leads."""
    _, cursor = _read(adapter, FIRST_READ)
    written = _leads(sandbox, 30)
    assert isinstance(sandbox.clock, ManualClock)
    sandbox.clock.advance(minutes=1)
    results = adapter.apply([Change(RecordRef("sf", "Lead", i), {"score": 42}) for i in written])
    assert all(r.ok for r in results)
    return cursor, written


def test_the_first_read_reads_every_record_whoever_saved_it_last(sandbox, integration) -> None:
    assert sorted(_read(_adapter(sandbox, skip_own_echoes=True), FIRST_READ)[0]) == sorted(
        _read(_adapter(sandbox), FIRST_READ)[0]
    )
    by_leadsync = [r for r in sandbox.store.records("Lead") if r["LastModifiedById"] == integration]
    assert by_leadsync  # seeded leads web-to-lead made: read all the same


def test_leadsyncs_own_saves_are_not_read_back_and_a_persons_edit_after_them_is(sandbox, integration) -> None:
    adapter = _adapter(sandbox, skip_own_echoes=True)
    cursor, written = _after_a_write(sandbox, adapter)
    calls = sandbox.calls.count("GET")
    assert _read(adapter, cursor)[0] == []
    assert sandbox.calls.count("GET") - calls == 2  # one queryAll of Leads, one of Contacts, both empty
    person = next(u for u in sandbox.store.records("User") if u["IsActive"] and u["Id"] != integration)
    sandbox.store.update_as_user("Lead", written[3], str(person["Email"]), Title="Head of Growth")
    assert _read(adapter, cursor)[0] == [written[3]]


def test_without_the_option_the_echoes_are_read_back(sandbox, integration) -> None:
    adapter = _adapter(sandbox)
    cursor, written = _after_a_write(sandbox, adapter)
    assert sorted(_read(adapter, cursor)[0]) == sorted(written)


def test_a_user_who_is_not_api_only_is_refused_naming_the_file_key_and_fix(sandbox, integration) -> None:
    set_profile(sandbox.store, integration, "Standard User")
    adapter = _adapter(sandbox, skip_own_echoes=True)
    with pytest.raises(AuthError) as refused:
        adapter.changed_people(FIRST_READ)
    message = str(refused.value)
    assert message.startswith(f"{CONFIG} [crm.sf.skip_own_echoes]: the Salesforce user ")
    assert "profile 'Standard User'" in message
    assert "Fix: connect as a user that only leadsync uses and that has API Only User" in message
    assert "LEADSYNC_CRM__SF__SKIP_OWN_ECHOES=false" in message
    [problem] = [p for p in adapter.check().problems if p.path == "crm.sf.skip_own_echoes"]
    assert problem.file == CONFIG
    assert _adapter(sandbox).check().ok  # the option off: nothing to prove


def test_a_permission_set_with_api_only_user_makes_the_user_dedicated(sandbox, integration) -> None:
    set_profile(sandbox.store, integration, "Standard User")
    assign_permission_set(sandbox.store, integration, "LeadSync_Fields")
    assert not _adapter(sandbox, skip_own_echoes=True).check().ok
    assign_permission_set(sandbox.store, integration, "LeadSync_API_Only")
    adapter = _adapter(sandbox, skip_own_echoes=True)
    assert adapter.check().ok
    cursor, _ = _after_a_write(sandbox, adapter)
    assert _read(adapter, cursor)[0] == []


def test_permission_sets_the_user_cannot_read_prove_nothing(sandbox, integration) -> None:
    set_profile(sandbox.store, integration, "Standard User")
    sandbox.store.hidden_objects.add("PermissionSetAssignment")
    [problem] = _adapter(sandbox, skip_own_echoes=True).check().problems
    assert "its permission sets cannot be read" in problem.message
    assert "INVALID_TYPE" in problem.message or "not supported" in problem.message
