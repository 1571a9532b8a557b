"""The funnel report as one self-contained HTML file: charts and styles inlined, no external URL."""

from __future__ import annotations

from markupsafe import Markup

from leadsync.insights import FunnelReport, ReportView, view_table
from leadsync.web.charts import funnel_charts
from leadsync.web.templating import environment, static_text

__all__ = ["render_report"]


def render_report(report: FunnelReport, view: ReportView | None = None) -> str:
    """The report's HTML, every view or only `view`: it opens offline, from a file or an e-mail."""
    return (
        environment()
        .get_template("report.html")
        .render(
            report=report,
            pivot=view_table(report, ReportView.FUNNEL),
            cohorts=view_table(report, ReportView.COHORTS),
            table=None if view is None else view_table(report, view),
            charts=funnel_charts(report, view),
            css=_inline("dashboard.css", "</style"),
            chart_js=_inline("chart.umd.min.js", "</script"),
            dashboard_js=_inline("dashboard.js", "</script"),
        )
    )


def _inline(name: str, closing_tag: str) -> Markup:
    """A static file's text, trusted as is: it cannot close the element it is inlined in."""
    text = static_text(name)
    if closing_tag in text.lower():
        raise ValueError(f"leadsync/web/static/{name} contains {closing_tag!r}; it cannot be inlined")
    return Markup(text)  # noqa: S704 - our own packaged file, checked above
