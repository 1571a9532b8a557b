"""`leadsync report`: the funnel's KPIs from the state store, as tables, CSV, JSON or an HTML page."""

from __future__ import annotations

import csv
import sys
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leadsync.cli.output import ConfigOption, out, print_json, print_view
from leadsync.cli.session import fail, loaded_settings, opened_pipeline
from leadsync.insights import FunnelReport, ReportView, Scope, funnel_report, view_table
from leadsync.pipeline import Crms

__all__ = ["report"]


class ReportFormat(StrEnum):
    """How `report` prints: tables, CSV (one view), one JSON document, or a self-contained HTML page."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    HTML = "html"


def report(  # noqa: PLR0917 - one parameter per command line option
    config: ConfigOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="count events from this UTC date or ISO datetime on, e.g. 2026-11-01 (default: all time)",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="count events up to the end of this UTC date, or to this ISO datetime (default: now)",
            show_default=False,
        ),
    ] = None,
    crm: Annotated[
        str | None,
        typer.Option(
            "--crm", help="only people with a record in this CRM, and its records", show_default=False
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="only people scored by this scoring profile", show_default=False),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="only people with this owner", show_default=False)
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", help="table, csv (needs --view), json (one document) or html (a page)"),
    ] = ReportFormat.TABLE,
    view: Annotated[
        ReportView | None,
        typer.Option(
            "--view", help="only this view (default: all of them; csv takes one)", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="write to this file instead of stdout", dir_okay=False, show_default=False
        ),
    ] = None,
) -> None:
    """Funnel KPIs: the funnel by stage and CRM, conversions, time in stage, sales cycle, SLA,
    cohorts, weekly trend, volume.

    Stage and temperature counts are the state now; the other figures count from --since to
    --until. --crm, --profile and --owner keep every figure to those people.
    """
    if fmt is ReportFormat.CSV and view is None:
        views = ", ".join(v.value for v in ReportView)
        raise typer.BadParameter(
            f"a CSV holds one table: choose it with --view ({views})", param_hint="--view"
        )
    start, end = _moment("--since", since), _moment("--until", until, day_end=True)
    with opened_pipeline(loaded_settings(config), crms=Crms.NONE) as pipeline:
        found = funnel_report(
            pipeline.store,
            pipeline.definitions,
            now=pipeline.clock.now(),
            since=start,
            until=end,
            scope=Scope(crm=crm, profile=profile, owner=owner),
        )
    if output is None:
        _print(found, fmt, view)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as file, redirect_stdout(file):
            _print(found, fmt, view)
    except OSError as exc:
        fail(f"--output {output}: cannot write the report ({exc.strerror}); choose a writable file")
        raise typer.Exit(code=1) from None


def _moment(option: str, raw: str | None, *, day_end: bool = False) -> datetime | None:
    """A date option as an aware UTC datetime: a date means its midnight (the next one with
    `day_end`, so that the whole day counts), a datetime without zone is UTC."""
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        fail(
            f"{option} {raw!r} is not a date or datetime; give ISO 8601, e.g. 2026-11-01 or 2026-11-01T09:00Z"
        )
        raise typer.Exit(code=1) from None
    if day_end and len(raw.strip()) == len("2026-11-01"):
        parsed += timedelta(days=1)
    return parsed.replace(tzinfo=UTC) if parsed.utcoffset() is None else parsed.astimezone(UTC)


def _print(found: FunnelReport, fmt: ReportFormat, view: ReportView | None) -> None:
    if fmt is ReportFormat.HTML:
        from leadsync.web.report_html import render_report  # noqa: PLC0415 - web pages load on demand

        sys.stdout.write(render_report(found, view))
        sys.stdout.flush()
    elif view is None and fmt is ReportFormat.JSON:
        print_json(found.as_json())
    elif view is None:
        _tables(found)
    elif fmt is ReportFormat.JSON:
        print_json(view_table(found, view).as_json())
    elif fmt is ReportFormat.CSV:
        _csv(found, view)
    else:
        print_view(view_table(found, view))


def _tables(found: FunnelReport) -> None:
    for view in ReportView:
        print_view(view_table(found, view))
    if not found.crms:
        out().print("The state store holds no records yet: run `leadsync sync` first.", markup=False)


def _csv(found: FunnelReport, view: ReportView) -> None:
    """One view as CSV: a header of its JSON keys, then its raw values (rates as fractions)."""
    table = view_table(found, view)
    writer = csv.writer(sys.stdout)
    writer.writerow(column.key for column in table.columns)
    writer.writerows(["" if cell is None else cell for cell in record.values()] for record in table.records())
    sys.stdout.flush()
