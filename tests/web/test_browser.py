"""The pages in a real browser: every chart has drawn data points; a screenshot of each page.

The dashboard's Content-Security-Policy is on: a page whose markup or scripts it blocks
reports a violation, and any violation fails the test.

Debian's chromium (installed by .ci/run) driven by Playwright; no browser is downloaded.
Without chromium or playwright these tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from leadsync.insights import funnel_report
from leadsync.web import render_report
from tests.engine.conftest import Pipeline

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
CHARTS_JS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const chart = Chart.getChart(canvas);
  return {
    id: canvas.id,
    height: canvas.parentElement.getBoundingClientRect().height,
    wanted: Number(canvas.parentElement.dataset.heightPx),
    drawn: chart !== undefined,
    labels: chart ? chart.data.labels.length : 0,
    datasets: chart ? chart.data.datasets.map((dataset, i) => ({
      points: chart.getDatasetMeta(i).data.length,
      nonzero: dataset.data.filter((value) => value).length,
    })) : [],
  };
})"""
# Runs before the page's own scripts, whatever the policy (Playwright injects it).
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`);
});"""


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional in a dev install
    except ImportError:
        _missing("the playwright package")
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page that records script errors and every URL it requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_VIOLATIONS)
    opened = context.new_page()
    opened.errors, opened.requested = [], []
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    opened.on("console", lambda message: message.type == "error" and opened.errors.append(message.text))
    opened.on("request", lambda request: opened.requested.append(request.url))
    yield opened
    context.close()


def _charts_of(page: Any, url: str, screenshot: Path) -> dict[str, dict[str, Any]]:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    if not url.startswith("file:"):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.screenshot(path=str(screenshot), full_page=True)
    charts = {chart["id"]: chart for chart in page.evaluate(CHARTS_JS)}
    for chart in charts.values():
        assert chart["drawn"], chart
        assert chart["labels"] > 0, chart
        assert any(d["points"] > 0 and d["nonzero"] > 0 for d in chart["datasets"]), chart
        assert all(d["points"] == chart["labels"] for d in chart["datasets"]), chart
        assert chart["height"] == chart["wanted"] > 0, chart  # sized by dashboard.js, not style=""
    assert page.errors == []
    return charts


def _local_only(page: Any, base_url: str) -> None:
    assert page.requested
    assert all(url.startswith(base_url) for url in page.requested), page.requested


def test_overview(page: Any, base_url: str, artifacts: Path) -> None:
    charts = _charts_of(page, f"{base_url}/", artifacts / "overview.png")

    assert set(charts) == {"api-usage", "run-records"}
    assert charts["api-usage"]["labels"] == 2  # the two runs
    assert page.get_by_text("partial", exact=True).count() == 2  # the last run's card and row
    _local_only(page, base_url)


def test_funnel(page: Any, base_url: str, artifacts: Path) -> None:
    charts = _charts_of(page, f"{base_url}/funnel", artifacts / "funnel.png")

    assert {
        "funnel",
        "trend",
        "stages",
        "stage-temperatures",
        "temperatures",
        "conversions",
        "volume",
    } <= set(charts)
    assert charts["stages"]["labels"] == 7  # the canonical stages
    assert charts["funnel"]["labels"] == 5  # lead to customer
    assert len(charts["trend"]["datasets"]) == 7  # a line per stage
    _local_only(page, base_url)


def test_funnel_filters_reload_the_charts(page: Any, base_url: str, artifacts: Path) -> None:
    page.goto(f"{base_url}/funnel")
    page.get_by_label("CRM", exact=True).select_option("hubspot")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/funnel?*crm=hubspot*")

    charts = _charts_of(page, page.url, artifacts / "funnel-hubspot.png")

    assert {"funnel", "trend"} <= set(charts)
    labels = page.evaluate(
        "() => Chart.getChart(document.getElementById('stages')).data.datasets.map((d) => d.label)"
    )
    assert labels == ["people (all CRMs)", "hubspot records"]
    assert page.get_by_label("CRM", exact=True).input_value() == "hubspot"


def test_every_chart_has_its_data_table(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/funnel")
    page.get_by_text("Data table").first.click()

    table = page.get_by_role("table", name=re.compile("^Funnel: people entering"))
    assert table.is_visible()
    assert table.get_by_role("rowheader").all_inner_texts() == [
        "lead",
        "mql",
        "sql",
        "opportunity",
        "customer",
    ]
    for canvas in page.locator("canvas[data-chart]").all():
        described = canvas.get_attribute("aria-describedby")
        assert page.locator(f"table#{described}").count() == 1, described


def test_errors(page: Any, base_url: str, artifacts: Path) -> None:
    charts = _charts_of(page, f"{base_url}/errors", artifacts / "errors.png")

    assert set(charts) == {"quarantine-reasons", "write-failures"}
    assert page.get_by_text("invalid e-mail").count() >= 1
    assert page.get_by_text("hubspot:contacts/").count() > 0


def test_person(page: Any, base_url: str, artifacts: Path, synced: Pipeline) -> None:
    person = synced.store.persons.most_active_in_several_crms()
    assert person is not None
    email = synced.store.links.email_of(person)
    assert email is not None

    charts = _charts_of(page, f"{base_url}/person/{quote(email)}", artifacts / "person.png")

    assert set(charts) == {"score"}
    assert page.locator("h1").inner_text().startswith(email)


def test_person_search_leads_to_the_person(page: Any, base_url: str, synced: Pipeline) -> None:
    person = synced.store.persons.most_active_in_several_crms()
    assert person is not None
    email = str(synced.store.links.email_of(person))
    page.goto(f"{base_url}/")

    page.get_by_label("e-mail").fill(email.upper())
    page.keyboard.press("Enter")
    page.wait_for_url("**/person/**")

    assert page.locator("h1").inner_text().startswith(email)


def test_offline_report_draws_its_charts_without_any_server(
    page: Any,
    synced: Pipeline,
    artifacts: Path,
) -> None:
    report = funnel_report(synced.store, synced.definitions, now=synced.clock.now())
    file = artifacts / "report.html"
    file.write_text(render_report(report), encoding="utf-8")

    charts = _charts_of(page, file.as_uri(), artifacts / "report.png")

    assert {"stages", "temperatures", "conversions"} <= set(charts)
    assert page.requested == [file.as_uri()]  # nothing fetched: Chart.js is inlined


def test_the_policy_blocks_and_reports_inline_code(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/")

    blocked = page.evaluate("""() => new Promise((resolve) => {
      const seen = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        seen.push(event.effectiveDirective);
        if (seen.length === 2) resolve(seen);
      });
      const script = document.createElement("script");
      script.textContent = "window.injected = true;";
      document.body.append(script);
      document.body.setAttribute("style", "background: red");
    })""")

    assert sorted(blocked) == ["script-src-elem", "style-src-attr"]
    assert page.evaluate("window.injected") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert sum("CSP violation" in error for error in page.errors) == 2, (
        page.errors
    )  # as the pages' tests see them
