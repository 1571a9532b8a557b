"""The server-rendered pages: Overview, Funnel, Errors and Person."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BeforeValidator

from leadsync.insights import ReportView, Scope, filter_choices, view_table
from leadsync.web import charts
from leadsync.web.api import funnel_since
from leadsync.web.context import Dashboard
from leadsync.web.errors import errors_out
from leadsync.web.health import health_out
from leadsync.web.person import person_out
from leadsync.web.runs import runs_out
from leadsync.web.templating import environment

__all__ = ["pages_router"]

Day = Annotated[date | None, BeforeValidator(lambda day: day or None), Query()]
"""A UTC day of the Funnel page's form; its empty date field means none."""


def pages_router(dashboard: Dashboard) -> APIRouter:
    """The HTML routes over one dashboard (left out of the OpenAPI schema)."""
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
    templates = Jinja2Templates(env=environment())

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:  # noqa: ANN401
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @router.get("/")
    def overview(request: Request) -> Response:
        runs = runs_out(dashboard)
        made = (charts.api_usage(runs.runs), charts.run_records(runs.runs))
        return page(
            request,
            "overview.html",
            title="Overview",
            active="overview",
            pipeline=dashboard.settings.sync.pipeline,
            runs=runs,
            last=next((run for run in runs.runs if run.status != "running"), None),
            health=health_out(dashboard),
            charts=[chart for chart in made if chart is not None],
        )

    @router.get("/funnel")
    def funnel(  # noqa: PLR0917 - one parameter per filter of the page's form
        request: Request,
        since: Day = None,
        until: Day = None,
        crm: Annotated[str, Query()] = "",
        profile: Annotated[str, Query()] = "",
        owner: Annotated[str, Query()] = "",
    ) -> Response:
        scope = Scope(crm=crm or None, profile=profile or None, owner=owner or None)
        report = funnel_since(dashboard, since, until, scope)
        return page(
            request,
            "funnel.html",
            title="Funnel",
            active="funnel",
            report=report,
            pivot=view_table(report, ReportView.FUNNEL),
            cohorts=view_table(report, ReportView.COHORTS),
            charts=charts.funnel_charts(report),
            choices=filter_choices(dashboard.store, dashboard.definitions),
            chosen={"since": since, "until": until, "crm": crm, "profile": profile, "owner": owner},
        )

    @router.get("/errors")
    def errors(request: Request) -> Response:
        found = errors_out(dashboard)
        made = (charts.quarantine_reasons(found), charts.write_failure_codes(found))
        return page(
            request,
            "errors.html",
            title="Errors",
            active="errors",
            errors=found,
            charts=[chart for chart in made if chart is not None],
        )

    @router.get("/person", response_model=None)
    def person_search(request: Request, email: str = "") -> Response:
        if email.strip():
            return RedirectResponse(f"/person/{quote(email.strip(), safe='@')}", status_code=303)
        return page(request, "person.html", title="Person", active="person", person=None, email="", charts=[])

    @router.get("/person/{email}")
    def person(request: Request, email: str) -> Response:
        found = person_out(dashboard, email)
        chart = None if found is None else charts.score_breakdown(found)
        return page(
            request,
            "person.html",
            status_code=200 if found else 404,
            title=found.email if found else "Person",
            active="person",
            person=found,
            email=email,
            charts=[chart] if chart else [],
        )

    return router
