"""Open what a command works on: the config, the state store, the CRMs and the sync engine.

Every problem goes to stderr, one line each, and ends the command with exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from leadsync.cli.output import err
from leadsync.clock import Clock, SystemClock
from leadsync.config import Settings, load_config
from leadsync.connections import Connection, connect_all, unanswered
from leadsync.definitions import Definitions, load_definitions
from leadsync.engine import Progress, SyncEngine
from leadsync.exceptions import ConfigError
from leadsync.problems import Problem
from leadsync.store import LeaseHeld, Store, StoreError

__all__ = [
    "answering_connections",
    "fail",
    "loaded_definitions",
    "loaded_settings",
    "opened_engine",
    "opened_store",
]


def fail(message: str) -> None:
    """Print one problem on stderr (never wrapped, so a long path stays greppable)."""
    err.print(message, markup=False, highlight=False, soft_wrap=True)


def loaded_settings(config: Path | None) -> Settings:
    """The configuration, or exit 1 listing every problem."""
    try:
        return load_config(config)
    except ConfigError as exc:
        for problem in exc.problems:
            fail(problem.render())
        raise typer.Exit(code=1) from None


def loaded_definitions(settings: Settings, path: Path | None = None) -> Definitions:
    """The definitions at `path`, else those the config names, else the shipped default."""
    chosen = path or (settings.resolve(settings.definitions.path) if settings.definitions.path else None)
    try:
        return load_definitions(chosen)
    except ConfigError as exc:
        for problem in exc.problems:
            fail(problem.render())
        raise typer.Exit(code=1) from None


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    """The state store the config names, closed afterwards."""
    try:
        # The password is needed to connect; it is never shown (StoreError hides it).
        store = Store.open(settings.sync.state_url.render_as_string(hide_password=False))
    except StoreError as exc:
        fail(f"{settings.file} [sync.state_url]: {exc}")
        raise typer.Exit(code=1) from None
    with store:
        try:
            yield store
        except (StoreError, LeaseHeld) as exc:
            fail(str(exc))
            raise typer.Exit(code=1) from None


def answering_connections(settings: Settings, clock: Clock) -> list[Connection]:
    """Every enabled CRM's connection, each seen to answer with its credentials accepted; else exit 1
    naming each CRM, what failed (refused credentials, DNS, refused connection, TLS, timeout) and the fix.
    """
    try:
        connections = connect_all(settings, clock=clock)
    except ConfigError as exc:
        for problem in exc.problems:
            fail(problem.render())
        raise typer.Exit(code=1) from None
    failed = unanswered(connections)
    for name, reason in failed.items():
        fail(Problem(str(settings.file), f"crm.{name}", reason).render())
    if failed:
        raise typer.Exit(code=1)
    return connections


@contextmanager
def opened_engine(
    config: Path | None, *, progress: Progress | None = None, definitions: Path | None = None
) -> Iterator[SyncEngine]:
    """A sync engine over every enabled CRM of the config, each seen to answer (see
    `answering_connections`)."""
    settings = loaded_settings(config)
    chosen = loaded_definitions(settings, definitions)
    clock = SystemClock()
    connections = answering_connections(settings, clock)
    with opened_store(settings) as store:
        engine = SyncEngine(settings, store, connections, chosen, clock)
        if progress is not None:
            engine.progress = progress
        yield engine
