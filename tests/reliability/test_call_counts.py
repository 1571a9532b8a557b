"""API-call efficiency gates, counted by both sandboxes: the minimum, and nothing when nothing changed.

The benchmarks measure the same at 100,000 people (`make bench`); here 250 people and small
batches (Salesforce 25 records per write and 200 rows per query page, HubSpot 50 contacts per
search page) give several
batches and pages per CRM. The minimum is pages read + ceil(changed / batch) writes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import ManualClock
from leadsync.connections import connect_all
from leadsync.engine import CycleReport
from leadsync.engine.reading import EPOCH
from leadsync.store import ApiCalls, Store
from tests.engine.conftest import NOW, Pipeline

PEOPLE = 250
SF_BATCH = 25
HS_BATCH = 100  # HubSpot's batch update limit, fixed in the adapter
HS_PAGE = 50
SF_PAGE = 200  # Salesforce's smallest batchSize
WRITES = {"salesforce": "PATCH composite/sobjects", "hubspot": "POST contacts batch/update"}
BATCHES = {"salesforce": SF_BATCH, "hubspot": HS_BATCH}
PEOPLE_PAGES = {"salesforce": ("GET queryAll", "GET queryMore"), "hubspot": ("POST contacts search",)}
QUIET_PEOPLE_PAGES = {"salesforce": 2, "hubspot": 1}  # one per object type read (Lead, Contact; contacts)


@dataclass(frozen=True)
class Counted:
    """One cycle: the engine's report, and the calls each sandbox answered, per endpoint."""

    report: CycleReport
    calls: dict[str, dict[str, int]]

    def writes(self, crm: str) -> int:
        """Write calls the sandbox answered."""
        return self.calls[crm].get(WRITES[crm], 0)


def _cycle(pipeline: Pipeline) -> Counted:
    pipeline.salesforce.calls.reset()
    pipeline.hubspot.calls.reset()
    report = pipeline.sync()
    calls = {"salesforce": pipeline.salesforce.calls.snapshot(), "hubspot": pipeline.hubspot.calls.snapshot()}
    return Counted(report, calls)


@dataclass(frozen=True)
class Run:
    """The three cycles, the api_calls the state store kept for each, and HubSpot's contact count."""

    cycles: list[Counted]
    stored: list[Mapping[str, ApiCalls]]
    people_pages: dict[str, tuple[int, int]]  # crm -> (page calls expected to read everyone, calls made)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The initial sync, the cycle reading back its writes, and a quiet cycle (one pipeline for all tests)."""
    clock = ManualClock(NOW)
    with (
        SalesforceSandbox(people=PEOPLE, clock=clock) as salesforce,
        HubSpotSandbox(people=PEOPLE, clock=clock, rate_limits=False) as hubspot,
    ):
        state = f"sqlite:///{tmp_path_factory.mktemp('calls') / 'state.db'}"
        raw = {
            "sync": {"state_url": state},
            "crm": {
                "salesforce": {
                    "adapter": "salesforce",
                    **salesforce.settings(),
                    "write_batch_size": SF_BATCH,
                },
                "hubspot": {"adapter": "hubspot", **hubspot.settings(), "page_size": HS_PAGE},
            },
        }
        with Store.open(state) as store:
            pipeline = Pipeline(salesforce, hubspot, raw, store, clock)
            pages = _people_pages(pipeline)
            cycles = [_cycle(pipeline) for _ in range(3)]
            stored = [store.runs.get(c.report.run_id) for c in cycles]
            yield Run(cycles, [r.api_calls if r else {} for r in stored], pages)


def _people_pages(pipeline: Pipeline) -> dict[str, tuple[int, int]]:
    """Read everyone once through fresh adapters: the page calls expected, and those the sandbox answered.

    Salesforce reads each object type by one query and its queryMore pages: ceil(rows / page
    size) calls per type. HubSpot's keyset reader makes one search per page it yields.
    """
    pipeline.clock.advance(minutes=1)
    found = {}
    for connection in connect_all(pipeline.settings, clock=pipeline.clock, sleep=pipeline.clock.sleep):
        sandbox = pipeline.salesforce if connection.name == "salesforce" else pipeline.hubspot
        sandbox.calls.reset()
        pages = list(connection.adapter.changed_people(EPOCH))
        per_type = Counter(  # rows read: people, and records gone (converted, deleted) reported as such
            ref.object_type
            for page in pages
            for ref in (*(p.ref for p in page.items), *(g.ref for g in page.gone))
        )
        expected = (
            sum(math.ceil(rows / SF_PAGE) for rows in per_type.values())
            if connection.name == "salesforce"
            else len(pages)
        )
        calls = sandbox.calls.snapshot()
        found[connection.name] = (expected, sum(calls.get(name, 0) for name in PEOPLE_PAGES[connection.name]))
    return found


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_initial_writes_take_the_minimum_of_calls(run: Run, crm: str) -> None:
    initial = run.cycles[0]
    figures = initial.report.crms[crm]
    assert figures.failed == 0
    assert figures.writes > BATCHES[crm]  # at least one full batch and a partial one
    minimum = math.ceil(figures.writes / BATCHES[crm])
    assert initial.writes(crm) == figures.write_calls == figures.write_calls_min == minimum


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_every_call_is_counted_and_none_beyond_the_minimum(run: Run, crm: str) -> None:
    for counted, api_calls in zip(run.cycles, run.stored, strict=True):
        answered = sum(counted.calls[crm].values())
        assert counted.report.crms[crm].api_calls == answered  # the engine's count is the CRM's
        stored = api_calls[crm]
        assert (stored.calls, stored.minimum) == (answered, answered)  # error-free: calls == minimum


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_people_are_read_one_call_per_page(run: Run, crm: str) -> None:
    expected, calls = run.people_pages[crm]
    assert calls == expected > 1


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_nothing_changed_means_no_write_call(run: Run, crm: str) -> None:
    settle, quiet = run.cycles[1], run.cycles[2]
    assert settle.report.crms[crm].planned == 0  # reading back our own writes plans nothing
    assert settle.writes(crm) == 0
    assert quiet.report.crms[crm].read == 0
    assert quiet.writes(crm) == 0
    assert quiet.report.crms[crm].write_calls == quiet.report.crms[crm].write_calls_min == 0


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_a_quiet_cycle_reads_one_page_per_stream(run: Run, crm: str) -> None:
    initial, quiet = run.cycles[0], run.cycles[2]
    for endpoint, calls in quiet.calls[crm].items():
        assert calls <= initial.calls[crm][endpoint], endpoint
    assert quiet.calls[crm].get("POST contacts batch/read", 0) == 0  # nothing read: no current values asked
    assert not quiet.writes(crm)
    people_pages = sum(quiet.calls[crm].get(endpoint, 0) for endpoint in PEOPLE_PAGES[crm])
    assert people_pages == QUIET_PEOPLE_PAGES[crm]  # no page after the first
    assert sum(quiet.calls[crm].values()) < sum(initial.calls[crm].values())
