"""Which endpoint a request is, and the budget tokens it costs (each operation's `x-token-cost`)."""

from __future__ import annotations

from typing import Final

from .oauth import TOKEN_PATH

__all__ = ["PATCH_COST", "ROUTES", "endpoint_of", "route"]

ROUTES: Final = {  # (method, path) -> (endpoint, tokens: the spec's x-token-cost; v1 lists 20)
    ("GET", "/api/v2/persons"): ("persons", 10),
    ("GET", "/api/v2/personFields"): ("person fields", 10),
    ("GET", "/api/v2/activities"): ("activities", 10),
    ("GET", "/v1/users"): ("users", 20),
    ("GET", "/v1/activityTypes"): ("activity types", 20),
    ("GET", "/v1/recents"): ("recents", 20),  # developers.pipedrive.com/docs/api/v1/Recents: "Cost 20"
    ("GET", "/api/v2/deals"): ("deals", 10),
    ("GET", "/v1/leads"): ("leads", 20),  # developers.pipedrive.com/docs/api/v1/Leads: "Cost 20"
}
PATCH_COST: Final = 5  # PATCH /api/v2/persons/{id}


def route(method: str, path: str) -> tuple[str, int]:
    """The endpoint and its token cost; ("", 0) for a path the sandbox does not serve."""
    if (method, path) == ("POST", TOKEN_PATH):
        return "token", 0  # the OAuth server's, not the API's: no budget tokens
    if method == "PATCH" and path.startswith("/api/v2/persons/") and path.rsplit("/", 1)[1].isdigit():
        return "person update", PATCH_COST
    return ROUTES.get((method, path), ("", 0))


def endpoint_of(method: str, path: str) -> str:
    """The endpoint the call log counts a request under."""
    return route(method, path)[0] or "unknown"
