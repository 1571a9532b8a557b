"""The composition root: the one place a pipeline is built — config → definitions → adapters →
state store → engine — for the CLI, the daemon, the dashboard and the demo.

Nothing else above the engine loads a plugin or wires the engine: a command that needs one part
alone (the CRMs for `check`, the state store for `runs`) takes it from here too, and the store's
type and errors are named here for its callers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from leadsync.clock import Clock
from leadsync.config import Settings
from leadsync.connections import Connection, connect_all
from leadsync.connections import unanswered as unanswered_reasons
from leadsync.definitions import Definitions, load_definitions
from leadsync.engine import Progress, SyncEngine
from leadsync.exceptions import ConfigError
from leadsync.problems import Problem
from leadsync.registry import SANDBOXES, load_plugin, plugin_names
from leadsync.store import LeaseHeld, Store, StoreError

__all__ = [
    "CrmNotAnsweringError",
    "Crms",
    "LeaseHeld",
    "Pipeline",
    "Store",
    "StoreError",
    "crm_connections",
    "definitions_of",
    "open_pipeline",
    "open_store",
    "sandbox_plugins",
    "unanswered",
]


class Crms(StrEnum):
    """Which CRMs a pipeline reaches."""

    NONE = "none"  # the state store alone: the dashboard never calls a CRM
    CONFIGURED = "configured"  # every enabled CRM's adapter, no call made yet
    ANSWERING = "answering"  # every enabled CRM's adapter, each seen to answer first


class CrmNotAnsweringError(ConfigError):
    """Some enabled CRM cannot be reached or refuses its credentials; each one is named, with why."""


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A pipeline: its settings, state store, definitions and clock, the CRMs it reaches (none: the
    store alone), and the engine over them."""

    settings: Settings
    store: Store
    definitions: Definitions
    clock: Clock
    connections: Sequence[Connection] = ()
    progress: Progress | None = None
    engine: SyncEngine = field(init=False)

    def __post_init__(self) -> None:
        engine = SyncEngine(self.settings, self.store, self.connections, self.definitions, self.clock)
        if self.progress is not None:
            engine.progress = self.progress
        object.__setattr__(self, "engine", engine)  # frozen: set once, here


@contextmanager
def open_pipeline(
    settings: Settings,
    *,
    clock: Clock,
    crms: Crms = Crms.ANSWERING,
    definitions: Definitions | None = None,
    progress: Progress | None = None,
) -> Iterator[Pipeline]:
    """The pipeline `settings` describe, its state store closed after the `with` block.

    `definitions` default to the config's. ConfigError lists every problem of the definitions or
    of the CRMs' settings; CrmNotAnsweringError names each CRM that does not answer (with `crms`
    ANSWERING); StoreError says why the state store cannot be opened.
    """
    chosen = definitions or definitions_of(settings)
    connections: list[Connection] = []
    if crms is not Crms.NONE:
        connections = crm_connections(settings, clock=clock, answering=crms is Crms.ANSWERING)
    with open_store(settings) as store:
        yield Pipeline(settings, store, chosen, clock, tuple(connections), progress)


def definitions_of(settings: Settings) -> Definitions:
    """The definitions the config names, else the shipped default; ConfigError listing their problems."""
    chosen = settings.definitions.path
    return load_definitions(settings.resolve(chosen) if chosen else None)


def crm_connections(settings: Settings, *, clock: Clock, answering: bool) -> list[Connection]:
    """An adapter per enabled CRM (from its entry point, mapping and options); ConfigError listing
    every CRM that cannot be set up; with `answering`, CrmNotAnsweringError naming each that does
    not answer."""
    connections = connect_all(settings, clock=clock)
    if answering and (failed := unanswered(settings, connections)):
        raise CrmNotAnsweringError(failed.values())
    return connections


def unanswered(settings: Settings, connections: Sequence[Connection]) -> dict[str, Problem]:
    """Each CRM that cannot be reached or refuses its credentials (refused, DNS, connection, TLS,
    timeout), as a problem of its `[crm.<name>]` table, by name."""
    reasons = unanswered_reasons(connections)
    return {name: Problem(str(settings.file), f"crm.{name}", reason) for name, reason in reasons.items()}


def open_store(settings: Settings) -> Store:
    """The state store the config names, migrated; StoreError says why it cannot be opened."""
    # The password is needed to connect; it is never shown (StoreError hides it).
    return Store.open(settings.sync.state_url.render_as_string(hide_password=False))


def sandbox_plugins() -> dict[str, object]:
    """Every installed CRM sandbox's factory (the `leadsync.sandboxes` entry points) by name;
    PluginError if one fails to load."""
    return {name: load_plugin(SANDBOXES, name) for name in plugin_names(SANDBOXES)}
