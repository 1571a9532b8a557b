"""The JSON API behind every page, and `/healthz`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Final

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse

from leadsync.insights import FunnelReport, Scope, funnel_report
from leadsync.web.context import Dashboard
from leadsync.web.errors import errors_out
from leadsync.web.health import health_out
from leadsync.web.models import ErrorsOut, FunnelOut, HealthOut, PersonOut, RunsOut
from leadsync.web.person import person_out
from leadsync.web.runs import RUNS_SHOWN, runs_out

__all__ = ["api_router", "funnel_since"]

_EVERYONE: Final = Scope()

Since = Annotated[
    date | None, Query(description="count conversions, SLA breaches and new people from this UTC day on")
]


def funnel_since(
    dashboard: Dashboard, since: date | None, until: date | None = None, scope: Scope = _EVERYONE
) -> FunnelReport:
    """The funnel report now of the people in `scope`, its events counted from the start of `since`
    to the end of `until` (UTC days)."""
    now = dashboard.clock.now()
    start = None if since is None else datetime.combine(since, time(), tzinfo=UTC)
    end = None if until is None else datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
    return funnel_report(dashboard.store, dashboard.definitions, now=now, since=start, until=end, scope=scope)


def api_router(dashboard: Dashboard) -> APIRouter:
    """The routes of `/api/*` and `/healthz` over one dashboard."""
    router = APIRouter()

    @router.get("/api/runs", tags=["api"])
    def runs(limit: Annotated[int, Query(ge=1, le=500)] = RUNS_SHOWN) -> RunsOut:
        """The latest runs, newest first, and the next scheduled one."""
        return runs_out(dashboard, limit=limit)

    @router.get("/api/funnel", tags=["api"])
    def funnel(
        since: Since = None,
        until: Annotated[date | None, Query(description="count events up to the end of this UTC day")] = None,
        crm: Annotated[str | None, Query(description="only people with a record in this CRM")] = None,
        profile: Annotated[str | None, Query(description="only people scored by this profile")] = None,
        owner: Annotated[str | None, Query(description="only this owner's people")] = None,
    ) -> FunnelOut:
        """People per stage and temperature, conversions, time in stage, SLA breaches, volume,
        cohorts and entries per stage per week."""
        scope = Scope(crm=crm, profile=profile, owner=owner)
        return FunnelOut.model_validate(funnel_since(dashboard, since, until, scope))

    @router.get("/api/quarantine", tags=["api"])
    def quarantine() -> ErrorsOut:
        """Quarantined records and failed writes, grouped by reason."""
        return errors_out(dashboard)

    @router.get("/api/people/{email}", tags=["api"], responses={404: {"description": "no such person"}})
    def person(email: str) -> PersonOut:
        """Everything the state store knows about one person, and the decision on them now."""
        found = person_out(dashboard, email)
        if found is None:
            raise HTTPException(
                status_code=404,
                detail=f"no one with the e-mail {email.strip()!r} is in the state store; has a sync run?",
            )
        return found

    @router.get(
        "/healthz", tags=["health"], responses={503: {"model": HealthOut, "description": "unhealthy"}}
    )
    def healthz() -> JSONResponse:
        """200 when healthy, 503 when not; the body says why."""
        verdict = health_out(dashboard)
        return JSONResponse(verdict.model_dump(mode="json"), status_code=200 if verdict.healthy else 503)

    return router
