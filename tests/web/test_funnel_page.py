"""The Funnel page's filters and its charts' data tables, against the report they stand for."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from leadsync.insights import Scope, funnel_report
from tests.engine.conftest import Pipeline


def _cells(page: str, table_id: str) -> list[list[str]]:
    """The rows of one table: header cell then data cells, markup stripped."""
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert found is not None, table_id
    body = found.group(1).split("<tbody>")[1]
    return [
        re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_a_crm_filter_reloads_the_funnel_for_that_crm(client: httpx.Client, synced: Pipeline) -> None:
    page = client.get("/funnel", params={"crm": "hubspot"}).raise_for_status().text

    report = funnel_report(
        synced.store, synced.definitions, now=synced.clock.now(), scope=Scope(crm="hubspot")
    )
    reached = {
        stage: sum(cohort.reached[stage] for cohort in report.cohorts) for stage in report.cohorts[0].reached
    }
    assert _cells(page, "funnel-data") == [[stage, str(n)] for stage, n in reached.items()]
    assert reached["lead"] > 0
    assert '<option value="hubspot" selected>hubspot</option>' in page
    assert "hubspot records" in page
    assert "salesforce records" not in page  # only the CRM chosen has a column


def test_every_chart_has_a_data_table_and_the_trend_counts_entries_per_week(
    client: httpx.Client, synced: Pipeline
) -> None:
    page = client.get("/funnel").raise_for_status().text

    charts = re.findall(r'<canvas id="([^"]+)"[^>]*aria-describedby="([^"]+)"', page)
    assert {chart for chart, _ in charts} >= {"funnel", "trend", "stage-temperatures", "conversions"}
    assert all(table == f"{chart}-data" and f'<table id="{table}">' in page for chart, table in charts)
    report = funnel_report(synced.store, synced.definitions, now=synced.clock.now())
    assert _cells(page, "trend-data") == [
        [week.week.isoformat(), *(str(n) for n in week.entries.values())] for week in report.trend
    ]
    temperatures = re.search(r'<table id="stage-temperatures-data">.*?</thead>', page, re.S)
    assert temperatures is not None
    assert re.findall(r'<th scope="col" class="num">(\w+)</th>', temperatures.group(0))[:3] == [
        "cold",
        "warm",
        "hot",
    ]


def test_a_date_range_after_the_syncs_leaves_no_entries(client: httpx.Client, synced: Pipeline) -> None:
    later = (synced.clock.now() + timedelta(days=7)).date().isoformat()

    page = client.get("/funnel", params={"since": later}).raise_for_status().text

    assert 'id="trend-data"' not in page  # nothing entered then
    assert 'id="funnel-data"' not in page
    assert f'name="since" value="{later}"' in page


def test_the_api_takes_the_same_filters_as_the_page(client: httpx.Client, synced: Pipeline) -> None:
    body = client.get("/api/funnel", params={"crm": "salesforce"}).raise_for_status().json()

    report = funnel_report(
        synced.store, synced.definitions, now=synced.clock.now(), scope=Scope(crm="salesforce")
    )
    assert body["scope"] == {"crm": "salesforce", "profile": None, "owner": None}
    assert body["crms"] == ["salesforce"]
    assert [c["entered"] for c in body["cohorts"]] == [c.entered for c in report.cohorts]
    assert body["trend"][0]["entries"] == report.trend[0].entries
