"""What the dashboard reads: one pipeline without its CRMs, built by the composition root."""

from __future__ import annotations

from leadsync.pipeline import Pipeline

__all__ = ["Dashboard"]

Dashboard = Pipeline
"""`Dashboard(settings, store, definitions, clock)`: a pipeline that reaches no CRM, as
`open_pipeline(settings, crms=Crms.NONE)` builds it; no page or API calls a CRM."""
