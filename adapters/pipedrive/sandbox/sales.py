"""The deals and leads endpoints: `GET /api/v2/deals` and the Leads inbox, `GET /v1/leads`.

Saving a deal does not save its person (not documented either way).
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from . import shapes
from .paging import Row, offsets, paged, sort, window

__all__ = ["SalesApi"]


class SalesApi:
    """Answers the deals and leads lists from the company's deals and Leads inbox."""

    deals: dict[int, Row]  # by id
    leads: list[Row]  # oldest first

    def listed_deals(self, request: Request) -> Response:
        """Deals not deleted (the default `status`), of one `person_id` if given, in a window, paged."""
        rows = [d for d in self.deals.values() if not d["is_deleted"]]
        if person := request.args.get("person_id"):
            rows = [d for d in rows if str(d["person_id"]) == person]
        return paged(window(rows, request), request, sort(request))

    def listed_leads(self, request: Request) -> Response:
        """Leads not archived, oldest first, by `start` and `limit`: no parameter filters by time."""
        start, limit = offsets(request)
        page = self.leads[start : start + limit]
        return shapes.leads_page(page, start, limit, start + len(page) < len(self.leads))
