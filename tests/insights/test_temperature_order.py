"""Temperatures read cold → warm → hot everywhere: JSON dicts, tables, the dashboard's stacked bars."""

from __future__ import annotations

from leadsync.definitions import load_definitions
from leadsync.insights import ReportView, funnel_report, records_held, view_table
from leadsync.store import Store
from leadsync.web.charts import funnel_charts
from tests.insights.funnel_fixture import NOW

ORDER = ["cold", "warm", "hot", "none"]


def test_temperatures_go_cold_warm_hot_in_json_tables_and_charts(filled: Store) -> None:
    report = funnel_report(filled, load_definitions(), now=NOW)
    charts = {chart.id: chart.config for chart in funnel_charts(report)}

    assert list(report.temperatures) == ORDER
    assert all(list(count.by_temperature)[:3] == ORDER[:3] for count in report.stages)
    assert all(list(counts)[:3] == ORDER[:3] for counts in report.volume_by_source.values())
    funnel = [column.label for column in view_table(report, ReportView.FUNNEL).columns]
    assert [label for label in funnel if label in ORDER] == ORDER
    for stacked in ("stage-temperatures", "volume"):
        assert [dataset["label"] for dataset in charts[stacked]["data"]["datasets"]] == ORDER


def test_records_held_go_in_funnel_then_temperature_order(filled: Store) -> None:
    held = records_held(filled)

    assert [(row.stage, row.temperature) for row in held["hubspot"]] == [
        ("sql", "cold"),
        ("sql", "hot"),
        ("customer", "warm"),
        ("customer", "hot"),
        ("disqualified", "cold"),
    ]
