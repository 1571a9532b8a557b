"""The dashboard (`leadsync serve`): pages, a JSON API, `/healthz` and `/metrics` over the state store.

It reads the state store only: no page or API calls a CRM.
"""

from leadsync.web.app import create_app
from leadsync.web.auth import is_loopback
from leadsync.web.context import Dashboard
from leadsync.web.exceptions import WebError
from leadsync.web.report_html import render_report
from leadsync.web.server import DashboardServer

__all__ = ["Dashboard", "DashboardServer", "WebError", "create_app", "is_loopback", "render_report"]
