"""Chart.js configurations built on the server: each page embeds them as JSON, no build step.

A chart is made only when it has something to draw; a page says "nothing yet" otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from leadsync.insights import FunnelReport, ReportView
from leadsync.web.models import ErrorsOut, PersonOut, RunOut

__all__ = [
    "Chart",
    "api_usage",
    "conversions",
    "funnel_charts",
    "funnel_stages",
    "people_per_stage",
    "quarantine_reasons",
    "run_records",
    "score_breakdown",
    "stage_temperatures",
    "temperatures",
    "time_in_stage",
    "trend",
    "volume_by_source",
    "write_failure_codes",
]

_PALETTE: Final = ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777")
_TEMPERATURE_COLOURS: Final = {"cold": "#60a5fa", "warm": "#f59e0b", "hot": "#ef4444", "none": "#9ca3af"}
_RECORD_COLOURS: Final = {
    "read": "#2563eb",
    "written": "#16a34a",
    "failed": "#dc2626",
    "quarantined": "#9333ea",
}
_REASON_CHARS: Final = 60
_ROW_PX: Final = 24  # a horizontal bar chart grows with its rows, so that every label shows
_FRAME_PX: Final = 90
_COUNTS: Final = {"beginAtZero": True, "ticks": {"precision": 0}}  # a value axis of whole numbers


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its element id, its caption and its Chart.js configuration."""

    id: str
    title: str
    config: Mapping[str, Any]
    height_px: int = 280


def _colour(index: int) -> str:
    return _PALETTE[index % len(_PALETTE)]


def _chart(
    chart_id: str,
    title: str,
    kind: str,
    labels: Sequence[str],
    datasets: list[dict[str, Any]],
    **options: Any,  # noqa: ANN401 - Chart.js options are free-form JSON
) -> Chart | None:
    if not labels or not any(value for dataset in datasets for value in dataset["data"] if value):
        return None
    config = {
        "type": kind,
        "data": {"labels": list(labels), "datasets": datasets},
        # No animation: a chart is complete as soon as the page has loaded (and in a screenshot).
        "options": {"animation": False, "responsive": True, "maintainAspectRatio": False, **options},
    }
    return Chart(chart_id, title, config)


def _rows(
    chart_id: str, title: str, labels: Sequence[str], datasets: list[dict[str, Any]], *, counts: bool
) -> Chart | None:
    """A horizontal bar chart, one row per label, every label shown."""
    value_axis: dict[str, Any] = {"ticks": {"precision": 0}} if counts else {}
    made = _chart(
        chart_id,
        title,
        "bar",
        labels,
        datasets,
        indexAxis="y",
        scales={"x": value_axis, "y": {"ticks": {"autoSkip": False}}},
        plugins={"legend": {"display": False}},
    )
    if made is None:
        return None
    return dataclasses.replace(made, height_px=max(made.height_px, _FRAME_PX + _ROW_PX * len(labels)))


def _bars(label: str, data: Sequence[float | int | None], colour: str) -> dict[str, Any]:
    return {
        "label": label,
        "data": list(data),
        "backgroundColor": colour,
        "borderColor": colour,
        "maxBarThickness": 48,
    }


def _when(moment: datetime) -> str:
    return f"{moment:%m-%d %H:%M}"


def _stacked(*, horizontal: bool = False) -> dict[str, Any]:
    axes = {"x": {"stacked": True}, "y": {"stacked": True, **_COUNTS}}
    return {"scales": axes, "indexAxis": "y" if horizontal else "x"}


def api_usage(runs: Sequence[RunOut]) -> Chart | None:
    """API calls per CRM per run, oldest first, each against the fewest the run's work needed."""
    ordered = sorted(runs, key=lambda run: run.started_at)
    crms = sorted({crm for run in ordered for crm in run.api_calls})
    datasets: list[dict[str, Any]] = []
    for index, crm in enumerate(crms):
        calls = [run.api_calls[crm].calls if crm in run.api_calls else None for run in ordered]
        least = [run.api_calls[crm].minimum if crm in run.api_calls else None for run in ordered]
        datasets.append({**_bars(f"{crm} calls", calls, _colour(index)), "tension": 0.2})
        datasets.append(
            {**_bars(f"{crm} minimum", least, _colour(index)), "borderDash": [6, 4], "pointRadius": 2}
        )
    return _chart(
        "api-usage",
        "API calls per run and CRM (dashed: the minimum the work needed)",
        "line",
        [_when(run.started_at) for run in ordered],
        datasets,
        scales={"y": {**_COUNTS, "title": {"display": True, "text": "calls"}}},
    )


def run_records(runs: Sequence[RunOut]) -> Chart | None:
    """Records read, written, failed and quarantined per run, oldest first."""
    ordered = sorted(runs, key=lambda run: run.started_at)
    datasets = [
        _bars(kind, [getattr(run, kind) for run in ordered], colour)
        for kind, colour in _RECORD_COLOURS.items()
    ]
    return _chart(
        "run-records",
        "Records per run",
        "bar",
        [_when(run.started_at) for run in ordered],
        datasets,
        scales={"y": _COUNTS},
    )


def people_per_stage(report: FunnelReport) -> Chart | None:
    """People per canonical stage, and the records holding each stage in every CRM."""
    labels = [count.stage for count in report.stages]
    datasets = [_bars("people (all CRMs)", [count.people for count in report.stages], "#111827")]
    datasets += [
        _bars(f"{crm} records", [count.by_crm.get(crm, 0) for count in report.stages], _colour(index))
        for index, crm in enumerate(report.crms)
    ]
    return _chart(
        "stages", "People per stage, and records per CRM", "bar", labels, datasets, scales={"y": _COUNTS}
    )


def temperatures(report: FunnelReport) -> Chart | None:
    """People per temperature, whatever their stage."""
    names = [name for name, people in report.temperatures.items() if people]
    dataset = {
        "label": "people",
        "data": [report.temperatures[name] for name in names],
        "backgroundColor": [_TEMPERATURE_COLOURS.get(name, "#6b7280") for name in names],
    }
    return _chart("temperatures", "People per temperature", "doughnut", names, [dataset])


def stage_temperatures(report: FunnelReport) -> Chart | None:
    """People per stage, stacked by temperature."""
    names = _in_order(count.by_temperature for count in report.stages)
    datasets = [
        _bars(name, [count.by_temperature.get(name, 0) for count in report.stages], _colour_of(name))
        for name in names
    ]
    return _chart(
        "stage-temperatures",
        "People per stage and temperature",
        "bar",
        [count.stage for count in report.stages],
        datasets,
        **_stacked(),
    )


def _in_order(counts: Iterable[Mapping[str, int]]) -> list[str]:
    """The temperatures of `counts` as the read models order them: cold → warm → hot, then others."""
    return list(dict.fromkeys(name for by_temperature in counts for name in by_temperature))


def _colour_of(temperature: str) -> str:
    return _TEMPERATURE_COLOURS.get(temperature, "#6b7280")


def conversions(report: FunnelReport) -> Chart | None:
    """Conversion rate between consecutive stages, in percent."""
    shown = [c for c in report.conversions if c.rate is not None]
    return _chart(
        "conversions",
        "Conversion between consecutive stages (%)",
        "bar",
        [f"{c.from_stage} → {c.to_stage}" for c in shown],
        [_bars("converted %", [round(100 * (c.rate or 0), 1) for c in shown], _colour(2))],
        scales={"y": {"beginAtZero": True, "max": 100}},
    )


def time_in_stage(report: FunnelReport) -> Chart | None:
    """Median and p90 hours in each stage, over the stays that ended."""
    shown = [t for t in report.time_in_stage if t.median_hours is not None]
    return _chart(
        "time-in-stage",
        "Time in stage (hours): median and p90",
        "bar",
        [t.stage for t in shown],
        [
            _bars("median hours", [t.median_hours for t in shown], _colour(3)),
            _bars("p90 hours", [t.p90_hours for t in shown], _colour(5)),
        ],
        scales={"y": {"beginAtZero": True}},
    )


def volume_by_source(report: FunnelReport) -> Chart | None:
    """New people per lead source, stacked by temperature."""
    sources = list(report.volume_by_source)
    names = _in_order(report.volume_by_source.values())
    datasets = [
        _bars(name, [report.volume_by_source[source].get(name, 0) for source in sources], _colour_of(name))
        for name in names
    ]
    return _chart("volume", "New people per source and temperature", "bar", sources, datasets, **_stacked())


def funnel_stages(report: FunnelReport) -> Chart | None:
    """The funnel: of the people entering it in the window, how many reached each stage or beyond."""
    stages = list(report.cohorts[0].reached) if report.cohorts else []
    reached = [sum(cohort.reached[stage] for cohort in report.cohorts) for stage in stages]
    return _rows(
        "funnel",
        "Funnel: people entering it in the window who reached each stage (or beyond)",
        stages,
        [_bars("people", reached, _colour(0))],
        counts=True,
    )


def trend(report: FunnelReport) -> Chart | None:
    """Entries into each stage per week, oldest week first."""
    stages = list(report.trend[0].entries) if report.trend else []
    datasets = [
        {**_bars(stage, [week.entries[stage] for week in report.trend], _colour(index)), "tension": 0.2}
        for index, stage in enumerate(stages)
    ]
    weeks = [week.week.isoformat() for week in report.trend]
    return _chart(
        "trend", "Entries per stage per week (week of)", "line", weeks, datasets, scales={"y": _COUNTS}
    )


_BY_VIEW: Final[dict[ReportView, tuple[Callable[[FunnelReport], Chart | None], ...]]] = {
    ReportView.FUNNEL: (funnel_stages, people_per_stage, stage_temperatures, temperatures),
    ReportView.TREND: (trend,),
    ReportView.CONVERSIONS: (conversions,),
    ReportView.TIME_IN_STAGE: (time_in_stage,),
    ReportView.SOURCES: (volume_by_source,),
}


def funnel_charts(report: FunnelReport, view: ReportView | None = None) -> list[Chart]:
    """The funnel charts of `view` (None: every view) that have something to draw."""
    drawers = _BY_VIEW.get(view, ()) if view else [draw for group in _BY_VIEW.values() for draw in group]
    made = (draw(report) for draw in drawers)
    return [chart for chart in made if chart is not None]


def quarantine_reasons(errors: ErrorsOut) -> Chart | None:
    """Quarantined records per reason."""
    groups = errors.quarantine
    return _rows(
        "quarantine-reasons",
        "Quarantined records per reason",
        [_short(group.reason) for group in groups],
        [_bars("records", [group.count for group in groups], _colour(4))],
        counts=True,
    )


def write_failure_codes(errors: ErrorsOut) -> Chart | None:
    """Failed writes per error code."""
    groups = errors.write_failures
    return _rows(
        "write-failures",
        "Failed writes per error code",
        [group.code for group in groups],
        [_bars("records", [group.count for group in groups], _colour(1))],
        counts=True,
    )


def _short(text: str) -> str:
    return text if len(text) <= _REASON_CHARS else text[: _REASON_CHARS - 1] + "…"


def score_breakdown(person: PersonOut) -> Chart | None:
    """The points each rule gave the person's score (negative: taken away)."""
    scored = sorted((r for r in person.reasons if r.points), key=lambda r: -abs(r.points))
    colours = [_colour(2) if r.points > 0 else _colour(4) for r in scored]
    dataset = {"label": "points", "data": [r.points for r in scored], "backgroundColor": colours}
    return _rows("score", "Score: points per rule", [r.rule for r in scored], [dataset], counts=False)
