"""Open what a command works on through the composition root: the config, then the pipeline (or
the one part of it the command needs).

Every problem goes to stderr, one line each, and ends the command with exit code 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NoReturn, TypeVar

import typer

from leadsync.cli.output import err
from leadsync.clock import Clock, SystemClock
from leadsync.config import Settings, load_config
from leadsync.definitions import Definitions, load_definitions
from leadsync.engine import Progress
from leadsync.exceptions import ConfigError
from leadsync.pipeline import (
    Crms,
    Pipeline,
    Store,
    StoreError,
    crm_connections,
    definitions_of,
    open_pipeline,
    open_store,
)

__all__ = [
    "crms_answer",
    "fail",
    "loaded_definitions",
    "loaded_settings",
    "opened_pipeline",
    "opened_store",
]

_Made = TypeVar("_Made")


def fail(message: str) -> None:
    """Print one problem on stderr (never wrapped, so a long path stays greppable)."""
    err.print(message, markup=False, highlight=False, soft_wrap=True)


def loaded_settings(config: Path | None) -> Settings:
    """The configuration, or exit 1 listing every problem."""
    return _or_exit(lambda: load_config(config))


def loaded_definitions(settings: Settings, path: Path | None = None) -> Definitions:
    """The definitions at `path`, else those the config names, else the shipped default."""
    return _or_exit(lambda: load_definitions(path) if path else definitions_of(settings))


def crms_answer(settings: Settings, clock: Clock) -> None:
    """Exit 1 unless every enabled CRM answers with its credentials accepted, naming each CRM, what
    failed (refused credentials, DNS, refused connection, TLS, timeout) and the fix."""
    _or_exit(lambda: crm_connections(settings, clock=clock, answering=True))


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    """The state store the config names, closed afterwards."""
    with ExitStack() as stack:
        try:
            store = stack.enter_context(open_store(settings))
        except StoreError as exc:
            _store_failed(settings, exc)
        with _store_problems_exit():
            yield store


@contextmanager
def opened_pipeline(
    settings: Settings,
    *,
    crms: Crms = Crms.ANSWERING,
    definitions: Definitions | None = None,
    progress: Progress | None = None,
) -> Iterator[Pipeline]:
    """The config's pipeline, on the system clock (see `open_pipeline`); its store closed afterwards."""
    with ExitStack() as stack:
        try:
            pipeline = stack.enter_context(
                open_pipeline(
                    settings, clock=SystemClock(), crms=crms, definitions=definitions, progress=progress
                )
            )
        except ConfigError as exc:
            _problems_exit(exc)
        except StoreError as exc:
            _store_failed(settings, exc)
        with _store_problems_exit():
            yield pipeline


def _or_exit(make: Callable[[], _Made]) -> _Made:
    try:
        return make()
    except ConfigError as exc:
        _problems_exit(exc)


def _problems_exit(exc: ConfigError) -> NoReturn:
    for problem in exc.problems:
        fail(problem.render())
    raise typer.Exit(code=1) from None


def _store_failed(settings: Settings, exc: StoreError) -> NoReturn:
    fail(f"{settings.file} [sync.state_url]: {exc}")
    raise typer.Exit(code=1) from None


@contextmanager
def _store_problems_exit() -> Iterator[None]:
    """A store problem (a lease held included) while the command works: on stderr, exit 1."""
    try:
        yield
    except StoreError as exc:
        fail(str(exc))
        raise typer.Exit(code=1) from None
