"""`leadsync check`: is the configuration valid?"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import typer

from leadsync.cli.output import ConfigOption, Format, FormatOption, print_json, print_table, problems_table
from leadsync.config import Settings, load_config
from leadsync.definitions import load_definitions
from leadsync.exceptions import ConfigError
from leadsync.mapping import load_mapping
from leadsync.problems import Problem


def check(config: ConfigOption = None, fmt: FormatOption = Format.TABLE) -> None:
    """Validate the configuration and the definitions and mappings it names; every problem at once."""
    problems: list[Problem] = []
    settings: Settings | None = None
    try:
        settings = load_config(config)
    except ConfigError as exc:
        problems = list(exc.problems)
    if settings is not None:
        problems += _file_problems(settings)
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
    problems: list[Problem] = []
    for load in loads:
        try:
            load()
        except ConfigError as exc:
            problems += exc.problems
    return problems


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
