"""Rate limits, retries, the schema check, options and the plugin's mapping copy."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.hubspot import SettingsError, plugin
from adapters.hubspot.sandbox import HubSpotSandbox, RateLimits
from leadsync.adapter_api import BudgetExhausted, TransientError
from leadsync.clock import ManualClock
from leadsync.mapping import WriteTarget
from leadsync.model import Cursor, RecordRef
from leadsync.testing.sandbox_server import Fault
from tests.hubspot.conftest import MAPPING, adapter_for
from tests.sandbox.hubspot_helpers import NOW

EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))


def test_the_plugin_mapping_is_the_default_mapping():
    assert Path(plugin.default_mapping).read_bytes() == Path("mappings/hubspot.toml").read_bytes()


def test_429_waits_for_retry_after(hubspot):
    waits = []
    hubspot.faults.push(Fault("rate_limit", headers={"Retry-After": "3"}))
    assert list(adapter_for(hubspot, sleep=waits.append).owners())
    assert waits == [3.0]


@pytest.mark.parametrize(("policy", "wait"), [("TEN_SECONDLY_ROLLING", 10.0), ("SECONDLY", 1.0)])
def test_429_without_retry_after_backs_off_by_policy(hubspot, policy, wait):
    waits = []
    hubspot.faults.push(Fault("rate_limit", headers={"policyName": policy}))
    assert list(adapter_for(hubspot, sleep=waits.append).owners())
    assert waits == [wait]


def test_daily_429_is_budget_exhausted(hubspot):
    hubspot.faults.push(Fault("rate_limit", headers={"policyName": "DAILY"}))
    with pytest.raises(BudgetExhausted):
        list(adapter_for(hubspot).owners())


def test_server_errors_are_retried_then_transient(hubspot):
    waits = []
    hubspot.faults.push(Fault("server_error"), times=2)
    assert list(adapter_for(hubspot, sleep=waits.append).owners())
    assert waits == [1.0, 2.0]
    hubspot.faults.push(Fault("server_error"), times=5)
    with pytest.raises(TransientError):
        list(adapter_for(hubspot, sleep=waits.append).owners())
    hubspot.faults.clear()


def test_the_search_limiter_keeps_under_its_rate():
    clock = ManualClock(NOW)
    waits = clock.slept

    limits = RateLimits(per_ten_seconds=10_000, search_per_second=5, daily=1_000_000)
    with HubSpotSandbox(people=3000, seed=4, rate_limits=limits, clock=clock) as sandbox:
        adapter = adapter_for(sandbox, clock=clock, sleep=clock.sleep, page_size=100, search_per_second=5)
        ids = [p.ref.record_id for page in adapter.changed_people(EPOCH) for p in page.items]
        assert len(ids) == len(set(ids)) > 1000
        searches = sandbox.calls.count(endpoint="contacts search")
        assert searches > 10
        assert waits  # the adapter waited rather than being refused: no 429 came back
        assert sum(waits) >= (searches - 5) / 5 - 1


def test_check_passes_on_the_default_mapping(hubspot):
    report = adapter_for(hubspot).check()
    assert report.ok, [p.render() for p in report.problems]


def test_check_finds_unknown_read_only_and_missing_options(hubspot):
    write = MAPPING.write["contacts"]
    targets = dict(write.targets)
    targets["score"] = (WriteTarget("score", "hubspotscore"),)
    targets["temperature"] = (WriteTarget("temperature", "leadsync_temp"),)
    stage = targets["stage"][0]
    targets["stage"] = (
        dataclasses.replace(stage, values={**stage.values, "mql": "mql"}),
        *targets["stage"][1:],
    )
    mapping = dataclasses.replace(MAPPING, write={"contacts": dataclasses.replace(write, targets=targets)})
    problems = {p.path: p for p in adapter_for(hubspot, mapping=mapping).check().problems}
    assert "read-only" in problems["write.contacts.score"].message
    assert "not a property of contacts" in problems["write.contacts.temperature"].message
    assert "not an option" in problems["write.contacts.stage[0].values.mql"].message
    assert all(p.file.endswith("mapping.toml") and p.hint for p in problems.values())


def test_a_bad_token_is_a_problem_not_an_exception(hubspot):
    report = adapter_for(hubspot, access_token="pat-na1-wrong").check()
    assert not report.ok
    assert "pat-na1-wrong" not in report.problems[0].render()


def test_bad_options_are_listed_by_key_without_their_values(hubspot):
    with pytest.raises(SettingsError) as raised:
        adapter_for(hubspot, page_size=500, access_token=None, colour="blue")
    text = str(raised.value)
    assert "crm.hubspot.page_size" in text
    assert "crm.hubspot.access_token" in text
    assert "crm.hubspot.colour" in text


def test_the_general_limiter_admits_no_more_than_its_limit_in_any_ten_seconds():
    # The sandbox, on the same clock, refuses an 8th call in any rolling 10 s with a 429; the
    # adapter would then retry, so one attempt per logical call proves it never went over.
    clock = ManualClock(NOW)
    limits = RateLimits(per_ten_seconds=7, search_per_second=1_000, daily=1_000_000)
    waits = clock.slept

    with HubSpotSandbox(people=50, seed=3, rate_limits=limits, clock=clock) as sandbox:
        adapter = adapter_for(sandbox, clock=clock, sleep=clock.sleep, per_ten_seconds=7)
        contact = RecordRef("hubspot", "contacts", sandbox.store.ids()[0])
        for _ in range(40):
            assert list(adapter.read_current([contact]))
            clock.advance(0.25)
        assert sandbox.calls.count(endpoint="contacts batch/read") == 40
        assert (
            adapter.usage().calls == sandbox.calls.count() == 40 + 3
        )  # + owners (active, archived), lifecycle options
    assert 10.0 not in waits  # no 429 penalty: every wait was the limiter's own
    assert clock.now() - NOW >= timedelta(seconds=10 * (40 // 7) - 1)


def test_a_timeout_is_retried_with_a_recorded_wait():
    release = threading.Event()
    waits = []
    with HubSpotSandbox(
        people=50, seed=3, clock=ManualClock(NOW), rate_limits=False, sleep=lambda _s: release.wait(5)
    ) as sandbox:
        sandbox.faults.push(Fault("timeout", delay_s=5))
        try:
            owners = list(adapter_for(sandbox, sleep=waits.append, timeout_s=0.2).owners())
        finally:
            release.set()
    assert owners
    assert waits == [1.0]
