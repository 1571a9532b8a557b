"""The runs as the Overview page and `/api/runs` show them."""

from __future__ import annotations

from typing import Final

from leadsync.insights import runs_view
from leadsync.web.context import Dashboard
from leadsync.web.models import RunsOut

__all__ = ["RUNS_SHOWN", "runs_out"]

RUNS_SHOWN: Final = 20


def runs_out(dashboard: Dashboard, *, limit: int = RUNS_SHOWN) -> RunsOut:
    """The latest `limit` runs of the configured pipeline, newest first, and the next scheduled one."""
    view = runs_view(dashboard.store, dashboard.settings.sync, now=dashboard.clock.now(), limit=limit)
    return RunsOut.model_validate(view)
