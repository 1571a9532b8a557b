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
from leadsync.definitions.lint import definitions_warnings
from leadsync.exceptions import ConfigError

app = typer.Typer(
    help="Check and show the shared definitions (funnel, scoring, owners).",
    no_args_is_help=True,
    rich_markup_mode=None,  # as the main app's: brackets in help are text
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


StrictOption = Annotated[bool, typer.Option("--strict", help="exit 1 on warnings too")]


@app.command()
def check(
    file: FileArgument = None,
    config: ConfigOption = None,
    fmt: FormatOption = Format.TABLE,
    strict: StrictOption = False,
) -> None:
    """Validate a definitions file; list every problem, then every warning, with its key and a fix.

    Warnings: a route fit alone can take, a route no one can take, a threshold the caps
    put out of reach. The file still loads; --strict makes them fail the check.
    """
    try:
        definitions = load_definitions(definitions_file(file, config))
    except ConfigError as exc:
        if fmt is Format.JSON:
            print_json({"ok": False, "errors": [p.as_json() for p in exc.problems], "warnings": []})
        else:
            problems_table(exc.problems)
        raise typer.Exit(code=1) from None
    warnings = definitions_warnings(definitions)
    if fmt is Format.JSON:
        print_json({"ok": True, "errors": [], "warnings": [w.as_json() for w in warnings]})
    else:
        print_table(
            "definitions OK"
            + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""),
            ("file", "name", "version", "profiles"),
            [
                (
                    definitions.file,
                    definitions.name,
                    definitions.version,
                    ", ".join(p.name for p in definitions.profiles),
                )
            ],
        )
        if warnings:
            problems_table(warnings, noun="warning")
    if warnings and strict:
        raise typer.Exit(code=1)


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
    _profile_tables(d, "default")
    for profile in d["profiles"]:
        _profile_tables(profile, f"{profile['name']} (when {profile['when']})")
    recycle = d["recycle"]
    print_table(
        "Recycling",
        ("rule", "value"),
        [
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


def _profile_tables(p: dict[str, Any], name: str) -> None:
    """One scoring profile: fit gate, grade, fit and engagement points, temperature."""
    print_table(
        f"Profile {name} — fit gate and grade",
        ("only these go past lead", "grade (fit points)"),
        [(p["fit_gate"], p["grade"])],
    )
    print_table(
        "Fit points (explicit)",
        ("rule", "points", "when"),
        ((r["rule"], r["points"], r.get("when", "")) for r in p["scoring"]["fit"]),
    )
    print_table(
        "Engagement points (implicit)",
        ("activity kind", "points", "cap", "half-life (days)"),
        (
            (r["kind"], r["points"], r["cap"] or "-", r["half_life_days"] or "no decay")
            for r in p["scoring"]["engagement"]
        ),
    )
    if p["scoring"]["groups"]:
        print_table(
            "Caps across kinds",
            ("group", "kinds", "cap together"),
            ((g["group"], ", ".join(g["kinds"]), g["cap"]) for g in p["scoring"]["groups"]),
        )
    t = p["temperature"]
    print_table(
        "Temperature (behaviour only)",
        ("rule", "value"),
        [
            ("hot on (within the window)", ", ".join(t["hot_on"]) or "-"),
            ("hot: engagement above", t["hot_above"]),
            ("warm: engagement from", t["warm_from"]),
            (
                "warm: qualified interactions",
                f"{t['warm_interactions']} of {', '.join(t['qualified']) or '-'}",
            ),
            ("window (days)", t["window_days"]),
            ("dormant (cold) after days", t["dormant_after_days"] or "off"),
        ],
    )
