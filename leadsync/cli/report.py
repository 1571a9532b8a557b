"""`leadsync report`: the funnel's KPIs from the state store, as tables, JSON or an HTML page."""

from __future__ import annotations

import sys
from contextlib import redirect_stdout
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leadsync.cli.output import ConfigOption, out, print_json, print_table
from leadsync.cli.session import fail, loaded_settings, opened_pipeline
from leadsync.insights import FunnelReport, funnel_report
from leadsync.pipeline import Crms

__all__ = ["report"]


class ReportFormat(StrEnum):
    """How `report` prints: tables, one JSON document, or a self-contained HTML page."""

    TABLE = "table"
    JSON = "json"
    HTML = "html"


def report(
    config: ConfigOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="count events from this UTC date or ISO datetime on, e.g. 2026-11-01 (default: all time)",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="table, json (one document) or html (a page)")
    ] = ReportFormat.TABLE,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="write to this file instead of stdout", dir_okay=False, show_default=False
        ),
    ] = None,
) -> None:
    """Funnel KPIs: people per stage, conversions, time in stage, sales cycle, SLA breaches, volume.

    Stage and temperature counts are the state now; the other figures count from --since on.
    """
    start = _since(since)
    with opened_pipeline(loaded_settings(config), crms=Crms.NONE) as pipeline:
        found = funnel_report(pipeline.store, pipeline.definitions, now=pipeline.clock.now(), since=start)
    if output is None:
        _print(found, fmt)
        return
    try:
        with output.open("w", encoding="utf-8") as file, redirect_stdout(file):
            _print(found, fmt)
    except OSError as exc:
        fail(f"--output {output}: cannot write the report ({exc.strerror}); choose a writable file")
        raise typer.Exit(code=1) from None


def _since(raw: str | None) -> datetime | None:
    """`--since` as an aware UTC datetime: a date means its midnight, a datetime without zone is UTC."""
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        fail(
            f"--since {raw!r} is not a date or datetime; give ISO 8601, e.g. 2026-11-01 or 2026-11-01T09:00Z"
        )
        raise typer.Exit(code=1) from None
    return parsed.replace(tzinfo=UTC) if parsed.utcoffset() is None else parsed.astimezone(UTC)


def _print(found: FunnelReport, fmt: ReportFormat) -> None:
    if fmt is ReportFormat.JSON:
        print_json(found.as_json())
    elif fmt is ReportFormat.HTML:
        from leadsync.web.report_html import render_report  # noqa: PLC0415 - web pages load on demand

        sys.stdout.write(render_report(found))
        sys.stdout.flush()
    else:
        _tables(found)


def _tables(found: FunnelReport) -> None:
    window = "all time" if found.since is None else f"since {_shown_time(found.since)}"
    temperatures = list(found.temperatures)
    print_table(
        f"people per stage at {_shown_time(found.generated_at)} (records per CRM as last read)",
        ("stage", "people", *(f"{crm}\nrecords" for crm in found.crms), *temperatures),
        (
            (
                s.stage,
                s.people,
                *(s.by_crm.get(crm, 0) for crm in found.crms),
                *(s.by_temperature.get(t, 0) for t in temperatures),
            )
            for s in found.stages
        ),
    )
    print_table(
        f"conversions, {window}",
        ("from", "to", "entered", "converted", "rate"),
        ((c.from_stage, c.to_stage, c.entered, c.converted, _percent(c.rate)) for c in found.conversions),
    )
    print_table(
        f"time in stage, stays begun {window}",
        ("stage", "median hours", "stays"),
        ((t.stage, _number(t.median_hours), t.samples) for t in found.time_in_stage),
    )
    print_table(
        f"sales cycle, customers {window}",
        ("median days", "customers"),
        [(_number(found.sales_cycle_median_days), found.sales_cycle_samples)],
    )
    print_table(
        f"{len(found.sla_breaches)} sql without follow-up within {found.sla_hours} h, {window}",
        ("email", "became sql", "hours without follow-up", "owner"),
        (
            (b.email, _shown_time(b.became_sql_at), _number(b.hours_without_follow_up), b.owner)
            for b in found.sla_breaches
        ),
    )
    sources = found.volume_by_source
    shown = list(dict.fromkeys(t for counts in sources.values() for t in counts)) or temperatures
    print_table(
        f"new people by lead source, {window}",
        ("source", *shown, "total"),
        (
            (source, *(counts.get(t, 0) for t in shown), sum(counts.values()))
            for source, counts in sources.items()
        ),
    )
    print_table(
        "people per fit grade and scoring profile",
        ("grade", "people", "profile", "people"),
        _side_by_side(list(found.grades.items()), list(found.profiles.items())),
    )
    print_table(
        f"{len(found.review)} flagged for review (off target, yet asked to buy)",
        ("email", "stage", "why", "owner"),
        ((r.email, r.stage, r.reason, r.owner) for r in found.review),
    )
    if not found.crms:
        out().print("The state store holds no records yet: run `leadsync sync` first.", markup=False)


def _side_by_side(left: list[tuple[str, int]], right: list[tuple[str, int]]) -> list[tuple[object, ...]]:
    """Two short (name, count) lists as the rows of one table."""
    blank: tuple[str, str] = ("", "")
    rows = max(len(left), len(right))
    return [
        (*(left[i] if i < len(left) else blank), *(right[i] if i < len(right) else blank))
        for i in range(rows)
    ]


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.1%}"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _shown_time(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"
