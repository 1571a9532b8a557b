"""`MarketoSandbox`: a Marketo Engage instance served on 127.0.0.1, seeded, counted and controlled.

It answers the Identity service and the REST endpoints the adapter uses, in the shapes of
Marketo's OpenAPI (`shapes.py`; checked by tests/recorded/test_marketo_sandbox_shapes.py), with
errors inside HTTP 200 as Marketo gives them. It counts calls against the daily quota (607 past
it) and 100 calls per 20 s (606). Deliberate differences: tokens and request ids are our own
text; `leads.json` filters by id only; one activity per seeded lead (its last change) stands for
the history Marketo purges; faults: `rate_limit` (606), `concurrency` (615), `quota` (607),
`expired` (602), `queue` (1029), `filter` (1035), anything else 611.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from werkzeug.wrappers import Request, Response

from leadsync.clock import Clock
from leadsync.testing import Fault, SeedPerson

from . import shapes
from .controls import MarketoControls
from .leads import CHANGE, DELETE, NEW, LeadsApi, change_attributes
from .log import ActivityLog
from .native_sync import native_sync_ids

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["MarketoSandbox"]

TOKEN_LIFE_S: Final = 3600
_WINDOW: Final = timedelta(seconds=20)
_KINDS: Final = {  # a seeded signal -> (activity type, primary value, attributes)
    "page_view": 1, "pricing_page_view": 1, "product_page_view": 1, "form_submit": 2,
    "email_open": 10, "email_click": 11, "unsubscribe": 9, "webinar_attended": 104, "webinar_registered": 104,
}  # fmt: skip
_FAULTS: Final = {
    "rate_limit": ("606", "Max rate limit '100' exceeded with in '20' secs"),
    "concurrency": ("615", "Concurrent access limit reached"),
    "quota": ("607", "Daily quota reached"),
    "expired": ("602", "Access token expired"),
    "queue": ("1029", "Too many jobs in queue"),
    "filter": ("1035", "Unsupported filter type for target subscription: updatedAt"),
}
ROUTES: Final = {
    ("GET", "/identity/oauth/token"): "token",
    ("GET", "/rest/v1/leads/describe2.json"): "lead schema",
    ("GET", "/rest/v1/leads.json"): "leads by id",
    ("POST", "/rest/v1/leads.json"): "lead update",
    ("GET", "/rest/v1/activities/pagingtoken.json"): "paging token",
    ("GET", "/rest/v1/activities/leadchanges.json"): "lead changes",
    ("GET", "/rest/v1/activities/deletedleads.json"): "deleted leads",
    ("GET", "/rest/v1/activities.json"): "activities",
    ("GET", "/rest/v1/activities/types.json"): "activity types",
}


def endpoint_of(method: str, path: str) -> str:
    """The endpoint the call log counts a request under."""
    return ROUTES.get((method, path), "unknown")


class MarketoSandbox(LeadsApi, MarketoControls):
    """A seeded Marketo instance; a context manager, like every `leadsync.testing.Sandbox`."""

    def __init__(
        self,
        people: int = 1000,
        seed: int = 7,
        *,
        clock: Clock,
        seeded_at: datetime | None = None,
        port: int = 0,
        daily_calls: int = 50_000,
    ) -> None:
        super().__init__(clock=clock, seed=seed, seeded_at=seeded_at)
        seeded = self.population(people)
        self.client_id, self.client_secret = f"{seed:08x}-0000-4000-8000-000000000000", f"{seed:032x}"
        self.tokens: dict[str, datetime] = {}  # access token -> its end
        self.lock, self.refused, self.hidden, self.crm_managed = threading.Lock(), set(), set(), set()
        self.daily_calls, self.calls_today, self.answered = daily_calls, 0, 0
        self._window: deque[datetime] = deque()
        self.log = ActivityLog()
        synced = native_sync_ids(seeded)
        self.leads = {n: {**_lead(n, p), **synced.get(p.key, {})} for n, p in enumerate(seeded.people, 1)}
        for at, lead, type_id, primary, attributes, extra in sorted(
            _history(seeded.people), key=lambda h: h[:3]
        ):
            self.log.add(lead, type_id, at, primary, attributes, **extra)
        self.serve(self._app, endpoint_of=endpoint_of, render_fault=self._fault, port=port)

    def settings(self) -> dict[str, Any]:
        """What the adapter needs: the instance's URL and the custom service's (throwaway) credentials."""
        return {"base_url": self.url, "client_id": self.client_id, "client_secret": self.client_secret}

    def stamp(self) -> datetime:
        """The clock's instant to the second."""
        return self.clock.now().replace(microsecond=0)

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        endpoint = endpoint_of(request.method, request.path)
        with self.lock:
            self.answered += 1
            answer = self._answer(endpoint, request, self.answered)
        return answer(environ, start_response)

    def _answer(self, endpoint: str, request: Request, n: int) -> Response:
        if endpoint == "token":
            return self._token(request)
        header = request.headers.get("Authorization", "")
        end = self.tokens.get(header.removeprefix("Bearer "))
        if end is None:
            return shapes.failure(n, "601", "Access token invalid")
        if self.clock.now() >= end:
            return shapes.failure(n, "602", "Access token expired")
        if limited := self._limited(n):
            return limited
        handlers: dict[str, Callable[[], Response]] = {
            "lead schema": lambda: self.describe(n),
            "leads by id": lambda: self.by_ids(n, request),
            "lead update": lambda: self.updated(n, request),
            "paging token": lambda: self._paging_token(n, request),
            "lead changes": lambda: self._scanned(n, request, {NEW, CHANGE}, changes=True),
            "deleted leads": lambda: self._scanned(n, request, {DELETE}),
            "activities": lambda: self._activities(n, request),
            "activity types": lambda: shapes.answer(n, result=[_type(*t) for t in shapes.ACTIVITY_TYPES]),
        }
        handler = handlers.get(endpoint)
        return handler() if handler else Response("Not Found", status=404)

    def _token(self, request: Request) -> Response:
        """The Identity service: the same token until it ends, then a new one."""
        if (request.args.get("client_id"), request.args.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return shapes.refused_client()
        now = self.clock.now()
        live = next(((t, end) for t, end in self.tokens.items() if end > now), None)
        if live is None:
            token = f"{len(self.tokens) + 1:08x}-{self.seed:04x}-4000-8000-{self.seed:012x}:ab"
            live = token, now + timedelta(seconds=TOKEN_LIFE_S)
            self.tokens[token] = live[1]
        return shapes.identity(live[0], int((live[1] - now).total_seconds()))

    def _limited(self, n: int) -> Response | None:
        """607 past the day's quota, 606 past 100 calls in 20 s; else the call is counted."""
        now = self.clock.now()
        while self._window and self._window[0] <= now - _WINDOW:
            self._window.popleft()
        if self.calls_today >= self.daily_calls:
            return shapes.failure(n, *_FAULTS["quota"])
        if len(self._window) >= 100:  # noqa: PLR2004 - the documented window
            return shapes.failure(n, *_FAULTS["rate_limit"])
        self.calls_today += 1
        self._window.append(now)
        return None

    def _paging_token(self, n: int, request: Request) -> Response:
        since = datetime.fromisoformat((request.args.get("sinceDatetime") or "").replace("Z", "+00:00"))
        return shapes.answer(n, nextPageToken=self.log.token(since))

    def _scanned(self, n: int, request: Request, types: set[int], *, changes: bool = False) -> Response:
        batch = min(300, int(request.args.get("batchSize") or 300))
        rows, token, more = self.log.scan(request.args.get("nextPageToken") or "", batch, types)
        if changes:  # Change Data Value of the `fields` asked only
            asked = set((request.args.get("fields") or "").split(","))
            rows = [r for r in rows if r["activityTypeId"] == NEW or {f["name"] for f in r["fields"]} & asked]
            rows = [{k: v for k, v in r.items() if not k.startswith("primaryAttribute")} for r in rows]
        else:
            rows = [{k: v for k, v in r.items() if k != "fields"} for r in rows]
        return shapes.answer(n, result=rows, nextPageToken=token, moreResult=more)

    def _activities(self, n: int, request: Request) -> Response:
        ids = [int(i) for i in (request.args.get("activityTypeIds") or "").split(",") if i]
        if not ids or len(ids) > 10:  # noqa: PLR2004 - "up to 10"
            return shapes.failure(n, "1003", "activityTypeIds takes 1 to 10 ids")
        return self._scanned(n, request, set(ids))

    def _fault(
        self, fault: Fault, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        code, message = _FAULTS.get(fault.kind, ("611", "System error"))
        return shapes.failure(0, code, message)(environ, start_response)


def _lead(n: int, p: SeedPerson) -> dict[str, Any]:
    return {
        "id": n, "email": p.email, "firstName": p.first_name, "lastName": p.last_name, "title": p.title,
        "company": p.company, "createdAt": shapes.iso(p.created_at), "updatedAt": shapes.iso(p.modified_at),
        "leadScore": None, "leadStatus": None, "leadsyncTemperature": None, "externalSalesPersonId": None,
        "sfdcLeadId": None, "sfdcContactId": None,
    }  # fmt: skip


History = tuple[datetime, int, int, str, dict[str, object], dict[str, object]]


def _history(people: Iterable[SeedPerson]) -> Iterable[History]:
    """Each lead's last change (New Lead when never changed since), and its seeded signals."""
    for n, p in enumerate(people, 1):
        at = p.modified_at.replace(microsecond=0)
        if at <= p.created_at.replace(microsecond=0):
            yield at, n, NEW, str(n), {"Source Type": "New person"}, {}
        else:
            field = {"id": 0, "name": "title", "newValue": p.title, "oldValue": None}
            yield at, n, CHANGE, "title", change_attributes(n), {"fields": [field]}
        for a in p.activities:
            if (type_id := _KINDS.get(a.kind)) is not None:
                status = {"webinar_attended": "Attended", "webinar_registered": "Registered"}.get(a.kind)
                attributes: dict[str, object] = (
                    {"New Status": status} if status else {"Webpage URL": a.detail}
                )
                yield a.occurred_at.replace(microsecond=0), n, type_id, a.detail, attributes, {}


def _type(type_id: int, name: str, primary: str, attributes: list[str]) -> dict[str, Any]:
    """One activity type (`ActivityType`)."""
    return {
        "id": type_id, "name": name, "description": name,
        "primaryAttribute": {"name": primary, "dataType": "integer"},
        "attributes": [{"name": a, "dataType": "string"} for a in attributes],
    }  # fmt: skip
