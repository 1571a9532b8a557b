"""Property-based idempotence over generated populations, through both sandboxes and real clients.

Hypothesis draws a population (size and seed of `leadsync.testing.seed.population`, which both
sandboxes are seeded from) and extra Salesforce activities on drawn people. For each draw:
a second cycle writes nothing and leaves the state store and the CRMs as the first left
them; and the order of the `[crm.*]` tables in the config does not change what is written
or what the store decides. Few examples: each builds fresh sandboxes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from adapters.salesforce.sandbox.ids import make_id
from adapters.salesforce.sandbox.values import datetime_text
from leadsync.clock import ManualClock
from leadsync.store import RunStatus, Store
from tests.engine.conftest import NOW, Pipeline

PROPERTIES = settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: each example costs two sandboxes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TASKS = {"demo_request": ("Demo request", "Task"), "quote_request": ("Quote request", "Task"),
         "call": ("Call", "Call")}  # fmt: skip
SALESFORCE_WRITES = ("LeadSync_Score__c", "Status", "Rating", "OwnerId", "LeadSync_Stage__c",
                     "LeadSync_Temperature__c")  # fmt: skip
HUBSPOT_WRITES = (
    "leadsync_score",
    "leadsync_temperature",
    "lifecyclestage",
    "hs_lead_status",
    "hubspot_owner_id",
)


@dataclass(frozen=True)
class Draw:
    """A generated population and the extra activities to add to it."""

    people: int
    seed: int
    tasks: tuple[tuple[int, str, int], ...]  # (person index, kind, days ago)


draws = st.builds(
    Draw,
    st.integers(6, 16),
    st.integers(0, 10_000),
    st.lists(
        st.tuples(st.integers(0, 99), st.sampled_from(sorted(TASKS)), st.integers(0, 90)), max_size=6
    ).map(tuple),
)


@contextmanager
def _pipeline(draw: Draw, folder: Path, order: tuple[str, ...]) -> Iterator[Pipeline]:
    """Both sandboxes seeded from `draw`, a fresh SQLite store, the CRMs configured in `order`."""
    with ExitStack() as stack:
        clock = ManualClock(NOW)
        salesforce = stack.enter_context(SalesforceSandbox(people=draw.people, seed=draw.seed, clock=clock))
        hubspot = stack.enter_context(
            HubSpotSandbox(people=draw.people, seed=draw.seed, clock=clock, rate_limits=False)
        )
        _add_tasks(salesforce, draw.tasks)
        folder.mkdir(parents=True, exist_ok=True)
        state = f"sqlite:///{folder / 'state.db'}"
        store = stack.enter_context(Store.open(state))
        crms = {
            "salesforce": {"adapter": "salesforce", **salesforce.settings()},
            "hubspot": {"adapter": "hubspot", **hubspot.settings()},
        }
        raw: dict[str, Any] = {"sync": {"state_url": state}, "crm": {name: crms[name] for name in order}}
        yield Pipeline(salesforce, hubspot, raw, store, clock)


def _add_tasks(salesforce: SalesforceSandbox, tasks: tuple[tuple[int, str, int], ...]) -> None:
    store = salesforce.store
    people = [str(r["Id"]) for s in ("Lead", "Contact") for r in store.records(s) if not r.get("IsConverted")]
    user, saved = store.integration_user_id, datetime_text(NOW)
    for number, (who, kind, days_ago) in enumerate(tasks):
        if not people:
            return
        subject, subtype = TASKS[kind]
        created = datetime_text(NOW - timedelta(days=days_ago))
        store.tables["Task"].add({
            "Id": make_id("Task", 8_000_000 + number), "IsDeleted": False, "WhoId": people[who % len(people)],
            "Subject": subject, "TaskSubtype": subtype, "OwnerId": user, "CreatedDate": created,
            "CreatedById": user, "LastModifiedDate": saved, "LastModifiedById": user, "SystemModstamp": saved,
        })  # fmt: skip


def _crm_values(pipeline: Pipeline) -> dict[tuple[str, str], tuple[object, ...]]:
    """The fields leadsync writes, as each sandbox holds them."""
    salesforce, hubspot = list(SALESFORCE_WRITES), list(HUBSPOT_WRITES)
    held: dict[tuple[str, str], tuple[object, ...]] = {}
    for sobject in ("Lead", "Contact"):
        for record in pipeline.salesforce.store.records(sobject):
            held["salesforce", str(record["Id"])] = tuple(record.get(name) for name in salesforce)
    for contact_id in pipeline.hubspot.store.ids():
        values = pipeline.hubspot.store.contact(contact_id) or {}
        held["hubspot", contact_id] = tuple(values.get(name) for name in hubspot)
    return held


def _decided(pipeline: Pipeline) -> dict[str, tuple[object, ...]]:
    """What the store decided per person (by e-mail): stage, who set it, owner, and their records."""
    persons = pipeline.store.persons

    def written(values: Any) -> tuple[tuple[str, object], ...]:
        return tuple(sorted((k, v) for k, v in values.last_written.items()))

    return {
        file.state.email: (
            file.state.stage,
            file.state.stage_set_by,
            file.state.owner,
            tuple(sorted(str(ref) for ref in file.records)),
            tuple(sorted((str(ref), written(v)) for ref, v in file.values.items())),
        )
        for file in persons.files(persons.due(None, limit=1_000_000))
    }


@PROPERTIES
@given(draw=draws)
def test_a_second_cycle_writes_nothing_and_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, draw: Draw
) -> None:
    with _pipeline(draw, tmp_path_factory.mktemp("twice"), ("salesforce", "hubspot")) as pipeline:
        first = pipeline.sync()
        assert first.status is RunStatus.SUCCEEDED
        decided, held = _decided(pipeline), _crm_values(pipeline)

        second = pipeline.sync()

        assert second.status is RunStatus.SUCCEEDED
        assert {crm: (f.planned, f.writes, f.write_calls) for crm, f in second.crms.items()} == dict.fromkeys(
            first.crms, (0, 0, 0)
        )
        assert _decided(pipeline) == decided
        assert _crm_values(pipeline) == held


def _in_both_orders(draw: Draw, folder: Path) -> list[tuple[object, object]]:
    results: list[tuple[object, object]] = []
    for order in (("salesforce", "hubspot"), ("hubspot", "salesforce")):
        with _pipeline(draw, folder / "-".join(order), order) as pipeline:
            assert pipeline.sync().status is RunStatus.SUCCEEDED
            results.append((_crm_values(pipeline), _decided(pipeline)))
    return results


@PROPERTIES
@given(draw=draws)
@example(draw=Draw(6, 164, ()))  # two new sql people once swapped owners (ids followed the read order)
def test_the_order_crms_are_read_in_does_not_change_stages_scores_temperatures_or_owners(
    tmp_path_factory: pytest.TempPathFactory, draw: Draw
) -> None:
    first, swapped = _in_both_orders(draw, tmp_path_factory.mktemp("order"))
    assert swapped == first
