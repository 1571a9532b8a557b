"""`leadsync check`: is the configuration valid?"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from leadsync.cli.output import (
    ConfigOption,
    Format,
    FormatOption,
    err,
    print_json,
    print_table,
    problems_table,
)
from leadsync.clock import SystemClock
from leadsync.config import Settings, config_path, crms_alone, load_config, unset_credentials
from leadsync.definitions import Definitions, kind_counts, load_definitions, valid_owners, why_not
from leadsync.engine.probe import probe_writes
from leadsync.exceptions import ConfigError
from leadsync.mapping import load_mapping
from leadsync.model import Owner
from leadsync.pipeline import crm_connections, unanswered
from leadsync.problems import Problem
from leadsync.toml_input import read_toml


def check(
    config: ConfigOption = None,
    live: Annotated[
        bool, typer.Option("--live", help="also connect to each CRM: credentials, fields, picklist values")
    ] = False,
    probe: Annotated[
        int,
        typer.Option(
            "--probe-writes",
            min=0,
            max=200,
            help="with --live: write N records' own values back to them and report every refusal "
            "(validation rules, required fields, triggers); it updates their modification stamps",
        ),
    ] = 0,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Validate the config, the definitions and mappings it names, each CRM's settings; all at once.

    With --live, each adapter also checks its CRM: the credentials work, every mapped field
    exists with a compatible type, written fields are writable, value-map targets are valid.
    With --probe-writes N as well, N records of each CRM get their own values written back.
    """
    problems: list[Problem] = []
    settings: Settings | None = None
    try:
        settings = load_config(config)
    except ConfigError as exc:
        problems = list(exc.problems) + _problems_of(_named_files(config_path(config)))
        problems += _crm_problems(crms_alone(config), live=False, probe=0)
    if settings is not None:
        problems += _file_problems(settings)
        problems += _crm_problems(settings, live=live, probe=probe)
    problems += unset_credentials(config)
    problems = list(dict.fromkeys(problems))  # a mapping file is read by both checks
    if fmt is Format.JSON:
        print_json({"ok": not problems, "errors": [p.as_json() for p in problems]})
    elif problems:
        problems_table(problems)
    elif settings is not None:
        _summary(settings)
    if problems:
        raise typer.Exit(code=1)


def _file_problems(settings: Settings) -> list[Problem]:
    """The problems of the definitions file and of every enabled CRM's mapping file."""
    definitions = settings.definitions.path
    loads: list[Callable[[], object]] = [
        partial(load_definitions, settings.resolve(definitions) if definitions else None)
    ]
    loads += [
        partial(load_mapping, settings.resolve(crm.mapping))
        for crm in settings.enabled_crms().values()
        if crm.mapping is not None
    ]
    return _problems_of(loads)


def _named_files(file: Path) -> list[Callable[[], object]]:
    """Loads of the definitions and mapping files an invalid config names, read straight from its TOML.

    An invalid config still points at files worth checking: every problem is listed at once.
    """
    try:
        raw = read_toml(file, missing_hint="")
    except ConfigError:
        return []  # the config's own problems already say it cannot be read
    folder = file.parent

    def named(value: object) -> Path | None:
        return folder / value if isinstance(value, str) and value else None

    definitions = raw.get("definitions")
    loads: list[Callable[[], object]] = []
    if isinstance(definitions, dict) and (path := named(definitions.get("path"))):
        loads.append(partial(load_definitions, path))
    crms = raw.get("crm")
    mappings = [
        named(crm.get("mapping"))
        for crm in (crms.values() if isinstance(crms, dict) else ())
        if isinstance(crm, dict) and crm.get("enabled", True) is not False
    ]
    loads += [partial(load_mapping, path) for path in mappings if path is not None]
    return loads


def _problems_of(loads: list[Callable[[], object]]) -> list[Problem]:
    """Every problem the loads raise."""
    problems: list[Problem] = []
    for load in loads:
        try:
            load()
        except ConfigError as exc:
            problems += exc.problems
    return problems


def _crm_problems(settings: Settings, *, live: bool, probe: int) -> list[Problem]:
    """Each CRM's adapter settings; with `live`, what each adapter finds in its CRM (and, with
    `probe`, what refuses a write of that many records' own values)."""
    try:
        connections = crm_connections(settings, clock=SystemClock(), answering=False)
    except ConfigError as exc:
        return list(exc.problems)
    if not live:
        return []
    with err.status("connecting…"):
        failed = unanswered(settings, connections)  # a CRM that cannot be reached is not checked further
    problems = list(failed.values())
    definitions = _definitions(settings)
    for connection in (c for c in connections if c.name not in failed):
        with err.status(f"checking {connection.name}…"):
            found = connection.adapter.check().problems
        problems += found
        _report_owners(connection.name, tuple(connection.adapter.owners()), definitions)
        if probe and not found:
            with err.status(f"writing {probe} records of {connection.name} back…"):
                written, refused = probe_writes(connection, probe)
            err.print(
                f"{connection.name}: {written} records written back, {len(refused)} refused", highlight=False
            )
            problems += refused
    return problems


def _definitions(settings: Settings) -> Definitions | None:
    """The pipeline's definitions, or None when they do not load (their problems are listed apart)."""
    path = settings.definitions.path
    try:
        return load_definitions(settings.resolve(path) if path else None)
    except ConfigError:
        return None


def _report_owners(crm: str, owners: tuple[Owner, ...], definitions: Definitions | None) -> None:
    """On stderr: the CRM's owners by kind, and a warning when the fallback owner may not own there."""
    counts = ", ".join(f"{n} {kind}" for kind, n in kind_counts(owners).items())
    err.print(f"{crm}: owners {counts}", markup=False, highlight=False)
    if definitions is None:
        return
    fallback = definitions.owners.fallback
    valid = valid_owners(owners, definitions.owners.queues)
    if fallback not in valid:
        err.print(
            f"warning: {crm}: the fallback owner {fallback} is {why_not(valid, fallback)}, "
            "so records it is given there keep no valid owner. Fix: make it an active person in "
            "that CRM, or list its queue in [owners] queues of the definitions",
            markup=False,  # "[owners]" is text, not a style
            highlight=False,
            soft_wrap=True,
        )


def _summary(settings: Settings) -> None:
    schedule = (
        f"cron {settings.sync.cron} ({settings.sync.timezone})"
        if settings.sync.cron
        else (f"every {settings.sync.interval}")
    )
    rows: list[tuple[str, str]] = [
        ("config", str(settings.file)),
        ("schedule", schedule),
        ("state store", settings.sync.state_url.render_as_string(hide_password=True)),
        ("dry run", str(settings.sync.dry_run).lower()),
        ("definitions", str(settings.definitions.path or "(shipped default)")),
    ]
    rows += [
        (f"crm {name}", f"adapter {crm.adapter}" + ("" if crm.enabled else " (disabled)"))
        for name, crm in settings.crm.items()
    ]
    print_table("configuration OK", ("setting", "value"), rows)
