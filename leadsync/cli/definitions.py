"""`leadsync definitions check|show`: validate and read the shared definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leadsync.cli.output import (
    ConfigOption,
    Format,
    FormatOption,
    print_json,
    print_table,
    problems_table,
    report_problems,
)
from leadsync.config import DEFAULT_CONFIG, config_path, load_config
from leadsync.definitions import Definitions, load_definitions
from leadsync.definitions.describe import describe
from leadsync.exceptions import ConfigError

app = typer.Typer(
    help="Check and show the shared definitions (funnel, scoring, owners).", no_args_is_help=True
)

FileArgument = Annotated[
    Path | None,
    typer.Argument(
        help="definitions file; default: the config's, else the shipped default", show_default=False
    ),
]


def definitions_file(explicit: Path | None, config: Path | None) -> Path | None:
    """The definitions to use: given, else the config's (when a config is there), else None (shipped)."""
    if explicit is not None:
        return explicit
    path = config_path(config)
    if config is None and path == DEFAULT_CONFIG and not path.exists():
        return None
    settings = load_config(path)
    chosen = settings.definitions.path
    return settings.resolve(chosen) if chosen else None


def load_or_exit(explicit: Path | None, config: Path | None) -> Definitions:
    """The definitions, or the problems on stderr and exit code 1."""
    try:
        return load_definitions(definitions_file(explicit, config))
    except ConfigError as exc:
        report_problems(exc.problems)
        raise typer.Exit(code=1) from None


@app.command()
def check(file: FileArgument = None, config: ConfigOption = None, fmt: FormatOption = Format.TABLE) -> None:
    """Validate a definitions file; list every problem with its key and a fix."""
    try:
        definitions = load_definitions(definitions_file(file, config))
    except ConfigError as exc:
        if fmt is Format.JSON:
            print_json({"ok": False, "errors": [p.as_json() for p in exc.problems]})
        else:
            problems_table(exc.problems)
        raise typer.Exit(code=1) from None
    if fmt is Format.JSON:
        print_json({"ok": True, "errors": []})
    else:
        print_table(
            "definitions OK",
            ("file", "name", "version"),
            [(definitions.file, definitions.name, definitions.version)],
        )


@app.command()
def show(file: FileArgument = None, config: ConfigOption = None, fmt: FormatOption = Format.TABLE) -> None:
    """Print the funnel, the scoring grid and the owner rules as tables."""
    described = describe(load_or_exit(file, config))
    if fmt is Format.JSON:
        print_json(described)
        return
    _tables(described)


def _tables(d: dict[str, Any]) -> None:
    print_table(
        f"Funnel — {d['name']} ({d['version']})",
        ("stage", "label", "aliases", "mode", "entry routes (any)"),
        (
            (s["stage"], s["label"], ", ".join(s["aliases"]), s["mode"], "\n".join(s["entry"]) or "-")
            for s in d["funnel"]
        ),
    )
    print_table("Fit gate", ("only these go past lead",), [(d["fit_gate"],)])
    print_table(
        "Fit points (explicit)",
        ("rule", "points", "when"),
        ((r["rule"], r["points"], r.get("when", "")) for r in d["scoring"]["fit"]),
    )
    print_table(
        "Engagement points (implicit)",
        ("activity kind", "points", "cap", "half-life (days)"),
        (
            (r["kind"], r["points"], r["cap"] or "-", r["half_life_days"] or "no decay")
            for r in d["scoring"]["engagement"]
        ),
    )
    temperature, recycle = d["temperature"], d["recycle"]
    print_table(
        "Temperature and recycling",
        ("rule", "value"),
        [
            ("cold below", temperature["warm_from"]),
            ("hot above", temperature["hot_above"]),
            ("dormant (cold) after days", temperature["dormant_after_days"] or "off"),
            ("recycle to nurture after days", recycle["after_days"] or "off"),
            ("recycled stages", ", ".join(recycle["from"]) or "-"),
            ("re-entry on", ", ".join(recycle["reentry_on"]) or "-"),
        ],
    )
    owners = d["owners"]
    print_table(
        f"Owners — from {owners['assign_from']} on; keep existing: {owners['keep_existing']}",
        ("territory", "covers", "pool (round robin)"),
        [
            *((t["name"], t["covers"], ", ".join(t["pool"])) for t in owners["territories"]),
            ("fallback", "no territory matched", owners["fallback"]),
        ],
    )
    sla = d["sla"]
    print_table(
        "SLA",
        ("new sql followed up within (hours)", "by"),
        [(sla["sql_follow_up_hours"], ", ".join(sla["follow_up"]))],
    )
