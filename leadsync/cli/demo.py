"""`leadsync demo`: the first thing a newcomer runs (`make demo`).

The HubSpot and Salesforce sandboxes (or those `--crm` names, e.g. pipedrive too) start
with seeded people (a share in several CRMs), a temporary config on the embedded SQLite
store drives one full sync, the funnel and one person present in several CRMs are shown,
then a second cycle shows that nothing is rewritten. `--keep` leaves the sandboxes running
and writes the config to ./leadsync-demo.toml for every other command.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Final

import tomli_w
import typer

from leadsync.cli.output import Format, FormatOption, err, print_json, print_table, print_view
from leadsync.cli.pipeline import explain_tables
from leadsync.cli.sandbox import LatencyOption, start_sandboxes, wait_for_stop
from leadsync.cli.sync import ProgressBars
from leadsync.clock import Clock, SystemClock
from leadsync.config import Settings
from leadsync.engine import CycleReport
from leadsync.insights import (
    ReportView,
    ViewTable,
    featured_person,
    funnel_report,
    person_view,
    records_held,
    view_table,
)
from leadsync.pipeline import Crms, open_pipeline

__all__ = ["KEPT_CONFIG", "demo"]

KEPT_CONFIG: Final = Path("leadsync-demo.toml")
_KEPT_STATE: Final = Path("leadsync-demo.db")
_CYCLE_FIGURES: Final = (
    "read",
    "quarantined",
    "changed",
    "writes",
    "write_calls",
    "write_calls_min",
    "api_calls",
    "failed",
)

DEMO_CRMS: Final = ("hubspot", "salesforce")
"""The sandboxes the demo starts when no --crm is given: the two CRMs most companies pair."""


def demo(  # noqa: PLR0917 - one parameter per command line option
    people: Annotated[int, typer.Option("--people", min=10, max=100_000, help="people to seed")] = 2000,
    keep: Annotated[
        bool, typer.Option("--keep", help=f"keep the sandboxes running; write the config to ./{KEPT_CONFIG}")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="the seed of the fake data")] = 7,
    crm: Annotated[
        list[str] | None,
        typer.Option(
            "--crm",
            help="a sandboxed CRM to sync (repeat it for more); default: hubspot and salesforce. "
            "Pipedrive has no batch update (one call per person): it adds about 25 s for 2,000 people",
        ),
    ] = None,
    latency_ms: LatencyOption = 0,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Sync sandboxed CRMs end to end: a full cycle, the funnel, one person explained, a quiet cycle."""
    with ExitStack() as running:
        folder = Path.cwd() if keep else Path(running.enter_context(tempfile.TemporaryDirectory()))
        state = (folder / (_KEPT_STATE.name if keep else "state.db")).resolve()
        state.unlink(missing_ok=True)
        err.print(f"Starting the sandboxes with {people:,} people…", highlight=False)
        clock = SystemClock()  # one clock: the seeded activities are placed relative to the cycle's
        sandboxes = start_sandboxes(
            running, people=people, seed=seed, clock=clock, latency_ms=latency_ms, crms=crm or DEMO_CRMS
        )
        raw = {
            "sync": {"state_url": f"sqlite:///{state}"},
            "crm": {name: {"adapter": name, **values} for name, values in sandboxes.items()},
        }
        settings = Settings.model_validate(raw)
        document, pivot = _run(settings, people, clock)
        if fmt is Format.JSON:
            print_json(document)
        else:
            _tables(document, pivot)
        if keep:
            KEPT_CONFIG.write_text(
                "# Written by `leadsync demo --keep`: the sandboxes' throwaway settings.\n"
                + tomli_w.dumps(raw),
                encoding="utf-8",
            )
            err.print(
                f"Sandboxes running. Try: leadsync explain {document['explained'].get('email', 'EMAIL')} "
                f"--config {KEPT_CONFIG} (or runs, plan, quarantine). Ctrl-C to stop.",
                highlight=False,
                soft_wrap=True,
            )
            wait_for_stop()


def _run(settings: Settings, people: int, clock: Clock) -> tuple[dict[str, Any], ViewTable]:
    """The demo's document, and its funnel as the report's pivot table."""
    cycles = [_cycle(settings, clock) for _ in range(2)]
    with open_pipeline(settings, clock=clock, crms=Crms.CONFIGURED) as pipeline:
        funnel = records_held(pipeline.store)
        pivot = view_table(
            funnel_report(pipeline.store, pipeline.definitions, now=clock.now()), ReportView.FUNNEL
        )
        email = featured_person(pipeline.store)
        explained = person_view(pipeline.engine, email) if email else None
    document = {
        "people": people,
        "state_url": settings.sync.state_url.render_as_string(hide_password=True),
        "cycles": [
            {
                "run_id": c.run_id,
                "wall_s": round(c.wall_s, 3),
                "status": c.status.value,
                "crms": {
                    name: {key: f.as_dict()[key] for key in _CYCLE_FIGURES} for name, f in c.crms.items()
                },
            }
            for c in cycles
        ],
        "funnel": {crm: [asdict(row) for row in rows] for crm, rows in funnel.items()},
        "pivot": pivot.as_json(),
        "explained": explained or {},
    }
    return document, pivot


def _cycle(settings: Settings, clock: Clock) -> CycleReport:
    """One cycle on a pipeline built afresh: new clients, so its call counts are its own."""
    progress = ProgressBars()
    with (
        open_pipeline(settings, clock=clock, crms=Crms.CONFIGURED, progress=progress) as pipeline,
        progress.bars,
    ):
        return pipeline.engine.sync()


def _tables(document: dict[str, Any], pivot: ViewTable) -> None:
    for number, cycle in enumerate(document["cycles"], start=1):
        print_table(
            f"Cycle {number} — run {cycle['run_id']}, {cycle['status']}, {cycle['wall_s']:.1f} s",
            ("crm", *_CYCLE_FIGURES),
            ((name, *(figures[key] for key in _CYCLE_FIGURES)) for name, figures in cycle["crms"].items()),
        )
    print_view(pivot)
    if document["explained"]:
        explain_tables(document["explained"])
