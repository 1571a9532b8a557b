"""The sandbox's WSGI app: the private-app token, rate limits, routes and faults, in HubSpot's dialect.

Every answer is JSON with an `X-HubSpot-Correlation-Id` header. A missing or wrong Bearer
token gets HubSpot's 401 INVALID_AUTHENTICATION body (the message real accounts send,
quoted in public issues). `GET /__sandbox__/stats` (calls per endpoint) needs no token and
is not counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from leadsync.testing.sandbox_server import Fault

from .errors import (
    AUTH_MESSAGE,
    HubSpotApiError,
    correlation_id,
    error_body,
    missing_scopes,
    rate_limited,
    tier_refused,
)
from .limits import Limiter, RateLimits, refusal_headers
from .routes import ROUTES, Call, endpoint_name, handle
from .store import HubSpotStore

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["TIERS", "HubSpotApp"]

TIERS = ("free", "starter", "professional", "enterprise")
"""A portal's subscriptions, lowest first; below "enterprise" the events API answers 403."""
_JSON = "application/json;charset=utf-8"
_SERVER_ERRORS = {
    "server_error": (500, "internal error"),
    "server_error_502": (502, "Bad Gateway"),
    "server_error_503": (503, "Service Unavailable"),
}


class HubSpotApp:
    """Answers HubSpot API calls from the store; `render_fault` answers injected faults.

    `tier` may change while serving, as a portal's subscription does.
    """

    def __init__(
        self,
        store: HubSpotStore,
        *,
        token: str,
        limiter: Limiter | None,
        stats: Callable[[], dict[str, int]],
        tier: str = "enterprise",
    ) -> None:
        self._store, self._token, self._limiter, self._stats = store, token, limiter, stats
        self.tier = tier

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        return self._answer(Request(environ))(environ, start_response)

    def endpoint_of(self, method: str, path: str) -> str:
        """The name a call is counted under (`contacts search`, `owners`…; `unknown` for other paths)."""
        try:
            endpoint, values = ROUTES.bind("sandbox").match(path, method)
        except (NotFound, MethodNotAllowed):
            return "unknown"
        return endpoint_name(str(endpoint), values)

    def render_fault(
        self, fault: Fault, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The answer to a call a fault was drawn for (`timeout`: the real answer, after the delay)."""
        if fault.kind == "timeout":
            return self(environ, start_response)
        headers = {k: v for k, v in fault.headers.items() if k.lower() != "policyname"}
        if fault.kind == "rate_limit":
            policy = next(
                (v for k, v in fault.headers.items() if k.lower() == "policyname"), "TEN_SECONDLY_ROLLING"
            )
            limits = self._limiter.limits if self._limiter is not None else RateLimits()
            error = rate_limited(policy, {**refusal_headers(policy, limits), **headers})
        elif fault.kind in _SERVER_ERRORS:
            status, message = _SERVER_ERRORS[fault.kind]
            error = HubSpotApiError(status, error_body(message), headers)
        elif fault.kind == "auth":
            error = HubSpotApiError(401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION"), headers)
        elif fault.kind == "missing_scopes":
            error = missing_scopes(
                *(fault.headers.get("requiredScopes") or "crm.objects.contacts.read").split(",")
            )
        else:
            error = HubSpotApiError(500, error_body(f"sandbox: unknown fault kind {fault.kind!r}"))
        return _json(error.status, error.body, error.headers)(environ, start_response)

    def _answer(self, request: Request) -> Response:
        if request.path == "/__sandbox__/stats":
            return _json(200, self._stats())
        if request.headers.get("Authorization", "") != f"Bearer {self._token}":
            return _json(401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION"))
        try:
            endpoint, values = ROUTES.bind("sandbox").match(request.path, request.method)
        except NotFound:
            return _json(404, error_body(f"resource not found: {request.path}"))
        except MethodNotAllowed:
            return _json(405, error_body(f"method {request.method} not allowed on {request.path}"))
        headers: dict[str, str] = {}
        try:
            if endpoint == "events" and self.tier != "enterprise":
                raise tier_refused()
            if self._limiter is not None:
                headers = self._limiter.admit(search=endpoint == "search")
            call = Call(
                str(endpoint), values, request.method, request.args, request.get_data(), request.host_url[:-1]
            )
            status, body = handle(self._store, call)
        except HubSpotApiError as error:
            return _json(error.status, error.body, {**headers, **error.headers})
        return _json(status, body, headers)


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=status, content_type=_JSON)
    response.headers["X-HubSpot-Correlation-Id"] = correlation_id()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
