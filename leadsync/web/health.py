"""`/healthz` and the Overview page's health: the health read model, as the API returns it."""

from __future__ import annotations

from leadsync.insights import health
from leadsync.web.context import Dashboard
from leadsync.web.models import HealthOut

__all__ = ["health_out"]


def health_out(dashboard: Dashboard) -> HealthOut:
    """Healthy or not, and why not, as of the dashboard's clock."""
    return HealthOut.model_validate(
        health(dashboard.store, dashboard.settings.sync, now=dashboard.clock.now())
    )
