"""`leadsync sync` and `leadsync plan`: one cycle now, or what one would write."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from leadsync.cli.output import ConfigOption, Format, FormatOption, err, print_json, print_table
from leadsync.cli.session import loaded_definitions, loaded_settings, opened_pipeline
from leadsync.engine import CycleReport, Impact
from leadsync.insights import RunStatus

__all__ = ["BLOCKED_EXIT", "ProgressBars", "plan", "summary_tables", "sync"]

BLOCKED_EXIT: Final = 3
"""Exit code of a run the blast-radius guard held back."""


class ProgressBars:
    """Rich progress on stderr, one line per CRM and phase (nothing when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.bars = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=not sys.stderr.isatty(),
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}

    def __call__(self, crm: str, phase: str, done: int, total: int | None) -> None:
        """Show how far one CRM's phase has come."""
        key = (crm, phase)
        if key not in self._tasks:
            self._tasks[key] = self.bars.add_task(f"{crm} {phase}", total=total)
        self.bars.update(self._tasks[key], completed=done, total=total)


def sync(
    config: ConfigOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="compute and show every change, write nothing")
    ] = False,
    allow_large_change: Annotated[
        bool, typer.Option("--allow-large-change", help="write even above the [guard] blast-radius limits")
    ] = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Run one cycle now: read every CRM, apply the definitions, write back what changed.

    Exit code 0 when the cycle ran (also partly: a spent API budget resumes next cycle),
    1 when it failed, 3 when the blast-radius guard held every write back.
    """
    progress = ProgressBars()
    with opened_pipeline(loaded_settings(config), progress=progress) as pipeline, progress.bars:
        report = pipeline.engine.sync(dry_run=dry_run, allow_large_change=allow_large_change)
    if fmt is Format.JSON:
        print_json(report.as_dict())
    else:
        summary_tables(report)
    if report.blocked:
        err.print(report.blocked, markup=False, soft_wrap=True)
        raise typer.Exit(code=BLOCKED_EXIT)
    if report.status is RunStatus.FAILED:
        raise typer.Exit(code=1)


def summary_tables(report: CycleReport) -> None:
    """The cycle's figures per CRM, and the values it changed per CRM and field."""
    mode = (
        " (dry run: nothing written)"
        if report.dry_run
        else " (shadow: nothing written)"
        if report.shadow
        else ""
    )
    print_table(
        f"Run {report.run_id} — {report.status}{mode}, {report.wall_s:.1f} s, "
        f"{report.evaluated} people evaluated",
        (
            "crm",
            "read",
            "activities",
            "quarantined",
            "changed",
            "written",
            "failed",
            "write calls / min",
            "api calls / min",
        ),
        (
            (
                name,
                f.read,
                f.activities,
                f.quarantined,
                f.planned,
                f.writes,
                f.failed,
                f"{f.write_calls} / {f.write_calls_min}",
                f"{f.api_calls} / {f.api_calls - f.write_calls + f.write_calls_min}",
            )
            for name, f in report.crms.items()
        ),
    )
    rows = [
        (name, field, count) for name, f in report.crms.items() for field, count in sorted(f.changed.items())
    ]
    if rows:
        print_table("Changed per field (records)", ("crm", "field", "records"), rows)
    problems = [(name, error) for name, f in report.crms.items() for error in f.errors]
    if problems:
        print_table("Problems", ("crm", "problem"), problems)
    warnings = [(name, warning) for name, f in report.crms.items() for warning in f.warnings]
    if warnings:
        print_table("Warnings", ("crm", "warning"), warnings)


def plan(
    config: ConfigOption = None,
    definitions: Annotated[
        Path | None,
        typer.Option(
            "--definitions", help="a new definitions file: show the impact of adopting it", dir_okay=False
        ),
    ] = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Show what a cycle would write now (per CRM and field, with samples), writing nothing.

    With --definitions NEW.toml, everyone is evaluated by the new definitions: how many records
    would change stage, temperature, owner or score in each CRM if they were adopted.
    """
    with opened_pipeline(loaded_settings(config)) as pipeline:
        other = loaded_definitions(pipeline.settings, definitions) if definitions else None
        impact = pipeline.engine.plan(other)
    document = {"definitions": (other or pipeline.definitions).file, **impact.as_dict()}
    if fmt is Format.JSON:
        print_json(document)
        return
    _impact_tables(impact, document["definitions"])


def _impact_tables(impact: Impact, definitions: str) -> None:
    print_table(
        f"Plan with {definitions}: {impact.people} people evaluated, writing nothing",
        ("crm", "field", "records"),
        (
            (crm, field, count)
            for crm, fields in sorted(impact.fields.items())
            for field, count in sorted(fields.items())
        ),
    )
    if impact.stage_moves:
        print_table(
            "Stage moves (people)",
            ("from", "to", "people"),
            ((a, b, n) for (a, b), n in sorted(impact.stage_moves.items())),
        )
    if impact.costs:
        print_table(
            "Cost in the CRM's own daily budget",
            ("crm", "unit", "read", "writes", "per day", "notes"),
            (
                (crm, c.unit, c.read, c.writes, c.budget, "; ".join(c.notes))
                for crm, c in sorted(impact.costs.items())
            ),
        )
    print_table(
        f"Scoring profiles ({impact.review} people flagged for review)",
        ("profile", "people"),
        sorted(impact.profiles.items()),
    )
    print_table(
        "Samples",
        ("record", "e-mail", "changes"),
        (
            (
                s["record"],
                s["email"],
                "; ".join(f"{k}: {v['from']} → {v['to']}" for k, v in s["changes"].items()),
            )
            for s in impact.samples
        ),
    )
