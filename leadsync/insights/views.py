"""The funnel report's views as plain tables: one shape for the CLI's tables and CSV, a view's JSON
and the HTML pages, so each figure is laid out once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, TypeAlias

from leadsync.insights.pivot import funnel_pivot
from leadsync.insights.report import FunnelReport
from leadsync.store.analytics import Scope

__all__ = ["Column", "Kind", "ReportView", "ViewTable", "view_table"]


class ReportView(StrEnum):
    """One table of the funnel report."""

    FUNNEL = "funnel"
    CONVERSIONS = "conversions"
    TIME_IN_STAGE = "time-in-stage"
    SALES_CYCLE = "sales-cycle"
    SLA = "sla"
    COHORTS = "cohorts"
    TREND = "trend"
    SOURCES = "sources"
    GRADES = "grades"
    PROFILES = "profiles"
    REVIEW = "review"


class Kind(StrEnum):
    """How a column's values read: raw in JSON and CSV, shown as this kind in tables and pages."""

    TEXT = "text"
    COUNT = "count"
    RATE = "rate"  # a fraction, shown as a percentage
    NUMBER = "number"  # hours or days, shown with one decimal
    TIME = "time"  # an aware UTC datetime


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its snake_case key (JSON, CSV header), its table label and its kind."""

    key: str
    label: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class ViewTable:
    """One view of the report as a title, columns and rows of raw values."""

    view: ReportView
    generated_at: datetime
    since: datetime | None  # event figures count from then on (None: all time)
    title: str
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[object]]

    def as_json(self) -> dict[str, object]:
        """The view as one JSON document: what it is, when, and its rows."""
        return {
            "view": self.view.value,
            "generated_at": self.generated_at.isoformat(),
            "since": None if self.since is None else self.since.isoformat(),
            "title": self.title,
            "rows": self.records(),
        }

    def records(self) -> list[dict[str, object]]:
        """The rows as JSON objects keyed by column, datetimes as ISO 8601."""
        return [{c.key: _raw(cell) for c, cell in zip(self.columns, row, strict=True)} for row in self.rows]

    def shown(self) -> list[list[str]]:
        """The rows as people read them: percentages, one decimal, times in UTC, blanks for none."""
        return [
            [_shown(cell, c.kind) for c, cell in zip(self.columns, row, strict=True)] for row in self.rows
        ]


_Laid: TypeAlias = tuple[str, tuple[Column, ...], Sequence[Sequence[object]]]  # title, columns, rows


def view_table(report: FunnelReport, view: ReportView) -> ViewTable:
    """One view of `report`."""
    title, columns, rows = _BUILDERS[view](report, _window(report))
    return ViewTable(view, report.generated_at, report.since, title, columns, rows)


def _funnel(report: FunnelReport, window: str) -> _Laid:
    pivot = funnel_pivot(report)
    columns = (
        Column("stage", "stage"),
        *(
            column
            for crm in pivot.crms
            for column in (
                Column(f"{crm}_records", f"{crm}\nrecords", Kind.COUNT),
                Column(f"{crm}_share", f"{crm}\n%", Kind.RATE),
            )
        ),
        Column("people", "people", Kind.COUNT),
        *(Column(f"people_{t}", t, Kind.COUNT) for t in pivot.temperatures),
        Column("conversion_rate", "to next\nstage", Kind.RATE),
    )
    rows = [
        (
            row.stage,
            *(cell for crm in pivot.crms for cell in (row.records[crm], row.shares[crm])),
            row.people,
            *(row.by_temperature.get(t, 0) for t in pivot.temperatures),
            None if row.conversion is None else row.conversion.rate,
        )
        for row in pivot.rows
    ]
    title = (
        f"funnel at {_shown_time(report.generated_at)}: records per CRM as last read (% of its records), "
        f"people per temperature, conversion {window}"
    )
    return (title, columns, rows)


def _conversions(report: FunnelReport, window: str) -> _Laid:
    columns = (
        Column("from_stage", "from"),
        Column("to_stage", "to"),
        Column("entered", "entered", Kind.COUNT),
        Column("converted", "converted", Kind.COUNT),
        Column("rate", "rate", Kind.RATE),
    )
    rows = [(c.from_stage, c.to_stage, c.entered, c.converted, c.rate) for c in report.conversions]
    return (f"conversions, {window}", columns, rows)


def _time_in_stage(report: FunnelReport, window: str) -> _Laid:
    columns = (
        Column("stage", "stage"),
        Column("median_hours", "median hours", Kind.NUMBER),
        Column("p90_hours", "p90 hours", Kind.NUMBER),
        Column("stays", "stays", Kind.COUNT),
    )
    rows = [(t.stage, t.median_hours, t.p90_hours, t.samples) for t in report.time_in_stage]
    return (f"time in stage, stays begun {window}", columns, rows)


def _sales_cycle(report: FunnelReport, window: str) -> _Laid:
    columns = (
        Column("median_days", "median days", Kind.NUMBER),
        Column("customers", "customers", Kind.COUNT),
    )
    rows = [(report.sales_cycle_median_days, report.sales_cycle_samples)]
    return (f"sales cycle, customers {window}", columns, rows)


def _sla(report: FunnelReport, window: str) -> _Laid:
    columns = (
        Column("email", "email"),
        Column("became_sql_at", "became sql", Kind.TIME),
        Column("hours_without_follow_up", "hours without follow-up", Kind.NUMBER),
        Column("owner", "owner"),
    )
    rows = [(b.email, b.became_sql_at, b.hours_without_follow_up, b.owner) for b in report.sla_breaches]
    title = f"{len(rows)} sql without follow-up within {report.sla_hours} h, {window}"
    return (title, columns, rows)


def _cohorts(report: FunnelReport, window: str) -> _Laid:
    stages = list(report.cohorts[0].reached) if report.cohorts else []
    columns = (
        Column("week", "week of"),
        Column("entered", "entered", Kind.COUNT),
        *(Column(f"reached_{stage}", f"reached\n{stage}", Kind.COUNT) for stage in stages),
    )
    rows = [(c.week.isoformat(), c.entered, *(c.reached[stage] for stage in stages)) for c in report.cohorts]
    return (f"cohorts: people entering the funnel per week and how far they got, {window}", columns, rows)


def _trend(report: FunnelReport, window: str) -> _Laid:
    stages = list(report.trend[0].entries) if report.trend else []
    columns = (
        Column("week", "week of"),
        *(Column(stage, stage, Kind.COUNT) for stage in stages),
    )
    rows = [(week.week.isoformat(), *week.entries.values()) for week in report.trend]
    return (f"entries per stage per week, {window}", columns, rows)


def _sources(report: FunnelReport, window: str) -> _Laid:
    sources = report.volume_by_source
    shown = list(dict.fromkeys(t for counts in sources.values() for t in counts)) or list(report.temperatures)
    columns = (
        Column("source", "source"),
        *(Column(t, t, Kind.COUNT) for t in shown),
        Column("total", "total", Kind.COUNT),
    )
    rows = [
        (source, *(counts.get(t, 0) for t in shown), sum(counts.values()))
        for source, counts in sources.items()
    ]
    return (f"new people by lead source, {window}", columns, rows)


def _grades(report: FunnelReport, _window: str) -> _Laid:
    columns = (Column("grade", "grade"), Column("people", "people", Kind.COUNT))
    return ("people per fit grade", columns, list(report.grades.items()))


def _profiles(report: FunnelReport, _window: str) -> _Laid:
    columns = (Column("profile", "profile"), Column("people", "people", Kind.COUNT))
    return ("people per scoring profile", columns, list(report.profiles.items()))


def _review(report: FunnelReport, _window: str) -> _Laid:
    columns = (
        Column("email", "email"),
        Column("stage", "stage"),
        Column("reason", "why"),
        Column("owner", "owner"),
    )
    rows = [(r.email, r.stage, r.reason, r.owner) for r in report.review]
    title = f"{len(rows)} flagged for review (off target, yet asked to buy)"
    return (title, columns, rows)


_BUILDERS: Final[dict[ReportView, Callable[[FunnelReport, str], _Laid]]] = {
    ReportView.FUNNEL: _funnel,
    ReportView.CONVERSIONS: _conversions,
    ReportView.TIME_IN_STAGE: _time_in_stage,
    ReportView.SALES_CYCLE: _sales_cycle,
    ReportView.SLA: _sla,
    ReportView.COHORTS: _cohorts,
    ReportView.TREND: _trend,
    ReportView.SOURCES: _sources,
    ReportView.GRADES: _grades,
    ReportView.PROFILES: _profiles,
    ReportView.REVIEW: _review,
}


def _window(report: FunnelReport) -> str:
    parts = [
        "all time" if report.since is None else f"since {_shown_time(report.since)}",
        *([] if report.until is None else [f"until {_shown_time(report.until)}"]),
        *(f"{name} {value}" for name, value in _filters(report.scope) if value is not None),
    ]
    return ", ".join(parts)


def _filters(scope: Scope) -> tuple[tuple[str, str | None], ...]:
    return (("crm", scope.crm), ("profile", scope.profile), ("owner", scope.owner))


def _raw(cell: object) -> object:
    return cell.isoformat() if isinstance(cell, datetime) else cell


def _shown(cell: object, kind: Kind) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return _shown_time(cell)
    if kind is Kind.RATE and isinstance(cell, float):
        return f"{cell:.1%}"
    if kind is Kind.NUMBER and isinstance(cell, float | int):
        return f"{cell:.1f}"
    return str(cell)


def _shown_time(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"
