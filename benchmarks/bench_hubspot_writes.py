"""Calls to write 100 HubSpot contacts when one value is refused: halving vs the error's own detail.

A bad value fails HubSpot's whole batch update with a 400 (api-notes). When the 400 names no
input (the sandbox's `reject_writes`), the adapter halves the batch until the bad record stands
alone: the behaviour before issue 20, up to 2n - 1 calls. When it names the property and value
(`"hot was not one of the allowed options"`, the sandbox's `remove_option`), the adapter drops
that input and sends the other 99 once: 2 calls. Both through the real client and sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from adapters.hubspot import plugin
from adapters.hubspot.sandbox import HubSpotSandbox
from benchmarks.report import Figure
from leadsync.adapter_api import Adapter, AdapterContext, Change
from leadsync.clock import SystemClock
from leadsync.mapping import load_mapping
from leadsync.model import RecordRef

__all__ = ["run"]

RECORDS: Final = 100
BAD: Final = 37  # the refused record's position in the batch
_WRITES: Final = "contacts batch/update"


def run() -> list[Figure]:
    """Write 100 records with one bad value, each way; the calls each took."""
    clock = SystemClock()
    with HubSpotSandbox(people=RECORDS + 20, seed=7, clock=clock, rate_limits=False) as sandbox:
        context = AdapterContext(
            name="hubspot",
            options=sandbox.settings(),
            mapping=load_mapping(Path(plugin.default_mapping)),
            clock=clock,
        )
        adapter = plugin.create(context)
        refs = [RecordRef("hubspot", "contacts", i) for i in sandbox.store.ids()[:RECORDS]]
        halving = _calls(sandbox, adapter, refs, lambda: sandbox.store.reject_writes(refs[BAD].record_id))
        named = _calls(
            sandbox, adapter, refs, lambda: sandbox.store.remove_option("leadsync_temperature", "hot")
        )
    return [
        Figure(
            "hubspot 400",
            f"write calls, {RECORDS} records with 1 refused value, 400 naming no input",
            str(halving),
            "halving until the bad record stands alone (the only way before issue 20)",
        ),
        Figure(
            "hubspot 400",
            f"write calls, {RECORDS} records with 1 refused value, 400 naming property and value",
            str(named),
            "the named input dropped, the other 99 sent once",
        ),
    ]


def _calls(
    sandbox: HubSpotSandbox, adapter: Adapter, refs: list[RecordRef], refuse: Callable[[], None]
) -> int:
    """Batch update calls to write `refs`, one of them refused the way `refuse` sets up."""
    changes = [Change(ref, {"temperature": "hot" if n == BAD else "warm"}) for n, ref in enumerate(refs)]
    refuse()
    before = sandbox.calls.count(endpoint=_WRITES)
    try:
        results = list(adapter.apply(changes))
    finally:
        sandbox.store.accept_writes()
    if [n for n, result in enumerate(results) if not result.ok] != [BAD]:
        raise RuntimeError("bench_hubspot_writes: exactly the one refused record should fail")
    return sandbox.calls.count(endpoint=_WRITES) - before
