"""Injected faults, answered in Salesforce's dialect.

Kinds: `server_error` (500 UNKNOWN_EXCEPTION with an ErrorId, as Salesforce words it),
`unavailable` (503), `lock` (400 UNABLE_TO_LOCK_ROW; on sObject Collections a 200 where every
record failed with it), `request_limit` (403 REQUEST_LIMIT_EXCEEDED), `expired_session` (the
caller's session really expires, then 401 INVALID_SESSION_ID) and `timeout` (held back by
`Fault.delay_s`, then answered normally). ErrorIds come from a seeded RNG: reproducible.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request

from leadsync.testing.sandbox_server import Fault

from .app import SalesforceApp, json_response
from .auth import Sessions
from .errors import SalesforceError
from .store import Store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["FAULT_KINDS", "FaultRenderer"]

FAULT_KINDS = ("server_error", "unavailable", "lock", "request_limit", "expired_session", "timeout")
_LOCKED = "unable to obtain exclusive access to this record or 1 records"


class FaultRenderer:
    """`render_fault` for `with_accounting`: turns a drawn Fault into Salesforce's answer."""

    def __init__(self, app: SalesforceApp, sessions: Sessions, store: Store, *, seed: int) -> None:
        self._app, self._sessions, self._store = app, sessions, store
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def __call__(
        self, fault: Fault, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Answer one faulted call."""
        if fault.kind == "timeout":
            return self._app(environ, start_response)
        request = Request(environ)
        response = json_response(*self._answer(fault, request))
        if request.path.startswith("/services/data/v"):
            response.headers["Sforce-Limit-Info"] = self._store.usage.header()
        for name, value in fault.headers.items():
            response.headers[name] = value
        return response(environ, start_response)

    def _answer(self, fault: Fault, request: Request) -> tuple[int, object]:
        kind = fault.kind
        if kind == "server_error":
            with self._lock:
                error_id = f"{self._rng.randrange(10**9, 10**10)}-{self._rng.randrange(10**4, 10**5)}"
                code = -self._rng.randrange(10**9, 2**31)
            message = (
                "An unexpected error occurred. Please include this ErrorId if you contact support: "
                f"{error_id} ({code})"
            )
            return 500, SalesforceError(500, "UNKNOWN_EXCEPTION", message).body()
        if kind == "unavailable":
            return 503, SalesforceError(503, "SERVER_UNAVAILABLE", "Server Unavailable").body()
        if kind == "request_limit":
            return 403, SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.").body()
        if kind == "expired_session":
            self._sessions.revoke(request.headers.get("Authorization"))
            return 401, SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid").body()
        if kind == "lock":
            return self._locked(request)
        message = (
            f"sandbox fault kind {kind!r} is unknown; Salesforce sandbox kinds: {', '.join(FAULT_KINDS)}"
        )
        return 500, SalesforceError(500, "UNKNOWN_EXCEPTION", message).body()

    def _locked(self, request: Request) -> tuple[int, object]:
        if request.path.rstrip("/").endswith("/composite/sobjects"):
            try:
                records = json.loads(request.get_data(as_text=True))["records"]
            except (ValueError, KeyError, TypeError):
                records = None
            if isinstance(records, list):
                error = {"statusCode": "UNABLE_TO_LOCK_ROW", "message": _LOCKED, "fields": []}
                return 200, [{"success": False, "errors": [error]} for _ in records]
        return 400, SalesforceError(400, "UNABLE_TO_LOCK_ROW", _LOCKED).body()
