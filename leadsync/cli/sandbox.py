"""`leadsync sandbox`: run every installed CRM sandbox on loopback until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from collections.abc import Collection
from contextlib import ExitStack
from types import FrameType, TracebackType
from typing import Annotated, Any, Protocol

import typer

from leadsync.cli.output import Format, FormatOption, err, print_json, print_table
from leadsync.clock import Clock, SystemClock
from leadsync.exceptions import LeadsyncError
from leadsync.pipeline import sandbox_plugins


class Sandbox(Protocol):
    """What `leadsync sandbox` needs of a sandbox registered under `leadsync.sandboxes`."""

    def __enter__(self) -> Sandbox: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    latency_s: float  # each answer held back that long, as a real CRM's round trip

    def settings(self) -> dict[str, Any]:
        """The connection settings (throwaway credentials included) a client needs."""
        ...


LatencyOption = Annotated[
    int,
    typer.Option(
        "--latency-ms",
        min=0,
        max=10_000,
        help="hold every sandbox answer back this long, as a real CRM does",
    ),
]


def sandbox(  # noqa: PLR0917 - one parameter per command line option
    people: Annotated[int, typer.Option("--people", min=0, max=100_000, help="people to seed")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="the seed of the fake data")] = 7,
    salesforce_port: Annotated[int, typer.Option("--salesforce-port", help="0: a free port")] = 0,
    hubspot_port: Annotated[int, typer.Option("--hubspot-port", help="0: a free port")] = 0,
    pipedrive_port: Annotated[int, typer.Option("--pipedrive-port", help="0: a free port")] = 0,
    latency_ms: LatencyOption = 0,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Serve seeded CRM sandboxes on 127.0.0.1 until Ctrl-C or SIGTERM; print how to connect.

    The one place leadsync prints credentials: the sandboxes' own throwaway ones.
    """
    ports = {"salesforce": salesforce_port, "hubspot": hubspot_port, "pipedrive": pipedrive_port}
    with ExitStack() as running:
        settings = start_sandboxes(
            running, people=people, seed=seed, clock=SystemClock(), ports=ports, latency_ms=latency_ms
        )
        if fmt is Format.JSON:
            print_json(settings)
        else:
            print_table(
                "sandboxes running — Ctrl-C to stop",
                ("crm", "setting", "value"),
                ((name, key, value) for name, values in settings.items() for key, value in values.items()),
            )

        wait_for_stop()


def start_sandboxes(
    running: ExitStack,
    *,
    people: int,
    seed: int,
    clock: Clock,
    ports: dict[str, int] | None = None,
    latency_ms: int = 0,
    crms: Collection[str] = (),
) -> dict[str, dict[str, Any]]:
    """Start the installed sandboxes named in `crms` (none named: every one) inside `running` on
    `clock`; each one's connection settings by name.

    All are seeded up to one instant, so a person in several CRMs has the same history in each,
    and each answer is held back `latency_ms`.
    """
    try:
        factories = sandbox_plugins()
    except LeadsyncError as exc:  # a sandbox that is not installed right
        err.print(str(exc), markup=False)
        raise typer.Exit(code=1) from None
    if unknown := sorted(set(crms) - factories.keys()):
        raise typer.BadParameter(
            f"no sandbox named {', '.join(unknown)}; installed: {', '.join(factories)}", param_hint="--crm"
        )
    settings: dict[str, dict[str, Any]] = {}
    seeded_at = clock.now()
    for name, factory in factories.items():
        if crms and name not in crms:
            continue
        port = (ports or {}).get(name, 0)
        # An entry point is any callable: what it makes is checked by use.
        made = factory(people=people, seed=seed, clock=clock, port=port, seeded_at=seeded_at)  # type: ignore[operator]
        box: Sandbox = running.enter_context(made)
        box.latency_s = latency_ms / 1000
        settings[name] = box.settings()
    return settings


def wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
