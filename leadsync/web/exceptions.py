"""What the dashboard raises."""

from __future__ import annotations

from leadsync.exceptions import LeadsyncError

__all__ = ["WebError"]


class WebError(LeadsyncError):
    """The dashboard cannot start as configured (an exposed address without a token, a busy port)."""
