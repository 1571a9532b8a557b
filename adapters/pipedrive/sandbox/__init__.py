"""`PipedriveSandbox`: a Pipedrive company served on 127.0.0.1, seeded, counted and controlled.

It answers the part of API v2 (and the v1 endpoints that have no v2) the adapter uses, in the
shapes of Pipedrive's v2 OpenAPI spec and client-nodejs models (`shapes.py`; provenance in
tests/fixtures/recorded/README.md). It counts each call's tokens (`x-token-cost`, `routes.py`)
against the daily budget and each API token's calls in a rolling 2-second window, answering 429
past either (`limits.py`). Deliberate differences from the real API: those `limits.py`,
`persons.py`, `sales.py` and `paging.py` name; Cloudflare's 403 page comes from a fault
(`Fault("cloudflare")`), not from sustained 429s; error texts are ours in the spec's envelope;
`GET /v1/recents` serves persons only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from leadsync.clock import Clock
from leadsync.testing import Fault

from . import shapes
from .activities import seeded_activities
from .limits import OAUTH_BURST, TokenAccounting, too_many
from .oauth import TOKEN_PATH, OAuthApp
from .paging import BadRequestError, Row, paged, sort, window
from .persons import SCORE, TEMPERATURE, PersonsApi, person_fields
from .routes import endpoint_of, route
from .sales import SalesApi

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["SCORE", "TEMPERATURE", "PipedriveSandbox"]


class PipedriveSandbox(PersonsApi, SalesApi, TokenAccounting):
    """A seeded Pipedrive company; a context manager, like every `leadsync.testing.Sandbox`."""

    def __init__(
        self,
        people: int = 1000,
        seed: int = 7,
        *,
        clock: Clock,
        seeded_at: datetime | None = None,
        port: int = 0,
        daily_tokens: int = 30_000 * 7 * 10,  # Ultimate, 10 seats
        burst: int = 120,  # Ultimate, API token: 120 calls in 2 s
    ) -> None:
        super().__init__(clock=clock, seed=seed, seeded_at=seeded_at)
        seeded = self.population(people)
        self.api_token = f"{seed:040x}"  # 40 hex digits, like a real token; a throwaway
        self.oauth = OAuthApp(seed)
        self.users = [shapes.user(n, o) for n, o in enumerate(seeded.owners, start=1)]
        owner_ids = {u["email"]: u["id"] for u in self.users}  # a person the seed leaves unowned: the admin's
        self.fields = person_fields()
        custom = {self.field_code(SCORE): None, self.field_code(TEMPERATURE): None}
        self.persons = {
            n: shapes.person(n, p, owner_ids.get(p.owner or "", 1), custom)
            for n, p in enumerate(seeded.people, 1)
        }
        self.activities = seeded_activities(seeded.people)
        self.refused, self.hidden, self.lock = set(), set(), threading.Lock()
        self.deals: dict[int, Row] = {}  # none seeded: a test opens, wins or loses them
        self.merged: dict[int, int] = {}  # survivor id -> the id merged into it (v1 `merge_what_id`)
        self.leads: list[Row] = []  # the Leads inbox, oldest first: none seeded, a test adds them
        self.set_limits(daily_tokens, burst)
        self.serve(self._app, endpoint_of=endpoint_of, render_fault=self._fault, port=port)

    def settings(self) -> dict[str, Any]:
        """What the adapter needs: the company URL and its (throwaway) API token."""
        return {"base_url": self.url, "api_token": self.api_token, "plan": "ultimate", "seats": 10}

    def oauth_settings(self) -> dict[str, Any]:
        """The same company reached as an OAuth app: its client and (throwaway) refresh token."""
        app = self.oauth
        return {
            "client_id": app.client_id, "client_secret": app.client_secret,
            "refresh_token": app.refresh_token, "token_url": self.url + TOKEN_PATH, "plan": "ultimate",
            "seats": 10,
        }  # fmt: skip

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        endpoint, cost = route(request.method, request.path)
        if endpoint == "token":
            with self.lock:
                answer = self.oauth.token(request, self.url, self.clock.now())
        elif request.headers.get("x-api-token") != self.api_token and not self.oauth.allows(
            request.headers.get("Authorization"), self.clock.now()
        ):
            answer = shapes.error(401, "unauthorized access", "Please check developers.pipedrive.com")
        elif not endpoint:
            answer = shapes.error(404, "Entity was not found", "Object was not found.")
        else:
            burst = self.burst * (1 if "x-api-token" in request.headers else OAUTH_BURST)
            with self.lock:
                answer = self.limited(cost, burst) or self._answer(endpoint, request)
        return answer(environ, start_response)

    def _answer(self, endpoint: str, request: Request) -> Response:
        handlers: dict[str, Callable[[Request], Response]] = {
            "persons": self.listed_persons,
            "person fields": self.listed_fields,
            "activities": lambda r: paged(window(self.activities.values(), r), r, sort(r)),
            "users": lambda _r: shapes.listed(self.users, v1=True),
            "activity types": lambda _r: shapes.listed(shapes.ACTIVITY_TYPES, v1=True),
            "recents": self.recent_persons,
            "deals": self.listed_deals,
            "leads": self.listed_leads,
            "person update": self.updated_person,
        }
        try:
            return handlers[endpoint](request)
        except BadRequestError as exc:
            return shapes.error(400, str(exc), "Please check developers.pipedrive.com")

    def _fault(
        self, fault: Fault, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if fault.kind == "rate_limit":
            answer = too_many(self.burst, 0, "the 2-second window's calls are spent")
        elif fault.kind == "cloudflare":
            answer = shapes.html_page()
        else:
            answer = shapes.error(500, "Internal server error", f"the sandbox failed ({fault.kind})")
        return answer(environ, start_response)
