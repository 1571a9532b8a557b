"""The WSGI app: Salesforce's REST paths, sessions, the daily allowance, JSON error lists.

Every `/services/data/vXX.X/…` call needs `Authorization: Bearer <session>` (else 401
INVALID_SESSION_ID), counts against the daily allowance (past it: 403 REQUEST_LIMIT_EXCEEDED,
no 429) and answers `Sforce-Limit-Info: api-usage=N/M`. The versions list needs no session
and counts nothing, as documented; so do the token endpoint and the sandbox's own
`/__sandbox__/stats`. Unknown versions, paths, objects and records answer 404 NOT_FOUND.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from leadsync.testing.sandbox_server import CallLog

from .auth import Sessions
from .describe import describe_global, describe_object
from .errors import SalesforceError, not_found
from .ids import normalize_id, object_of
from .paging import Cursors, batch_size
from .query import plan_query
from .schema import FieldSpec
from .store import Store, Table
from .writes import update_collection, update_one

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["VERSIONS", "SalesforceApp", "json_response"]

VERSIONS = {
    "59.0": "Winter '24", "60.0": "Spring '24", "61.0": "Summer '24", "62.0": "Winter '25",
    "63.0": "Spring '25", "64.0": "Summer '25", "65.0": "Winter '26", "66.0": "Spring '26",
    "67.0": "Summer '26",
}  # fmt: skip
_DATA = r"/services/data/v(?P<v>[^/]+)"
_JSON = "application/json;charset=UTF-8"


@dataclass(frozen=True, slots=True)
class _Call:
    request: Request
    match: re.Match[str]
    user_id: str

    @property
    def version(self) -> str:
        return self.match["v"]


@dataclass(frozen=True, slots=True)
class _Route:
    pattern: re.Pattern[str]
    methods: tuple[str, ...]
    name: Callable[[re.Match[str]], str]  # the endpoint name the call log counts it under
    handler: Callable[[_Call], Response]


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    """A JSON response as Salesforce sends it."""
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers, content_type=_JSON)


def _error(exc: SalesforceError) -> Response:
    return json_response(exc.status, exc.body())


class SalesforceApp:
    """Routes calls to the store; `endpoint_of` names them for the call log."""

    def __init__(
        self, store: Store, sessions: Sessions, calls: CallLog, instance_url: Callable[[], str]
    ) -> None:
        self.store, self.sessions, self.calls = store, sessions, calls
        self.cursors = Cursors()
        self._instance_url = instance_url
        self._routes = [
            _Route(re.compile(rf"{_DATA}/?"), ("GET",), lambda m: "resources", self._resources),
            _Route(re.compile(rf"{_DATA}/(?P<kind>query|queryAll)/?"), ("GET",),
                   lambda m: m["kind"], self._query),
            _Route(re.compile(rf"{_DATA}/(?:query|queryAll)/(?P<locator>[^/]+)/?"), ("GET",),
                   lambda m: "queryMore", self._query_more),
            _Route(re.compile(rf"{_DATA}/limits/?"), ("GET",), lambda m: "limits", self._limits),
            _Route(re.compile(rf"{_DATA}/sobjects/?"), ("GET",),
                   lambda m: "describe global", self._describe_global),
            _Route(re.compile(rf"{_DATA}/sobjects/(?P<type>\w+)/describe/?"), ("GET",),
                   lambda m: f"describe {self._type_name(m['type'])}", self._describe),
            _Route(re.compile(rf"{_DATA}/sobjects/(?P<type>\w+)/(?P<id>[^/]+)/?"), ("GET", "PATCH"),
                   lambda m: f"sobject {self._type_name(m['type'])}", self._sobject),
            _Route(re.compile(rf"{_DATA}/composite/sobjects/?"), ("PATCH",),
                   lambda m: "composite/sobjects", self._collections),
        ]  # fmt: skip

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        return self._dispatch(request)(environ, start_response)

    def endpoint_of(self, method: str, path: str) -> str:
        """The name a call is counted under (`query`, `describe Lead`, `oauth token`…)."""
        if re.fullmatch(r"/services/data/?", path):
            return "versions"
        if re.fullmatch(r"/services/oauth2/token/?", path):
            return "oauth token"
        for route in self._routes:
            match = route.pattern.fullmatch(path)
            if match:
                return route.name(match)
        return f"unknown {method} {path}"

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path == "/__sandbox__/stats":
            return json_response(200, self._stats())
        if re.fullmatch(r"/services/data/?", path):
            return json_response(
                200,
                [
                    {"label": label, "url": f"/services/data/v{v}", "version": v}
                    for v, label in VERSIONS.items()
                ],
            )
        if re.fullmatch(r"/services/oauth2/token/?", path):
            return self._token(request)
        match = re.fullmatch(rf"{_DATA}(?:/.*)?", path)
        if match is None or match["v"] not in VERSIONS:
            return _error(not_found())
        user_id = self.sessions.user_of(request.headers.get("Authorization"))
        if user_id is None:
            return _error(SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid"))
        with self.store.lock:
            allowed = self.store.usage.take()
        response = self._route(request, user_id) if allowed else _error(
            SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        )  # fmt: skip
        response.headers["Sforce-Limit-Info"] = self.store.usage.header()
        return response

    def _route(self, request: Request, user_id: str) -> Response:
        for route in self._routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            if request.method not in route.methods:
                allowed = ",".join(route.methods)
                message = f"HTTP Method '{request.method}' not allowed. Allowed are {allowed}"
                return _error(SalesforceError(405, "METHOD_NOT_ALLOWED", message))
            try:
                return route.handler(_Call(request, match, user_id))
            except SalesforceError as exc:
                return _error(exc)
        return _error(not_found())

    def _type_name(self, raw: str) -> str:
        try:
            return self.store.table(raw).spec.name
        except KeyError:
            return raw

    # -- handlers --------------------------------------------------------------------------
    def _resources(self, call: _Call) -> Response:
        """Resources by Version: the resources served, and the session's `identity` URL (its user
        id last), as in the REST guide's example body (tests/fixtures/recorded/README.md)."""
        base = f"/services/data/v{call.version}"
        names = ("sobjects", "query", "queryAll", "limits", "composite")
        answer = {name: f"{base}/{name}" for name in names}
        answer["identity"] = f"{self._instance_url()}/id/{self.sessions.org_id}/{call.user_id}"
        return json_response(200, answer)

    def _query(self, call: _Call) -> Response:
        text = call.request.args.get("q", "")
        if not text.strip():
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
        batch = batch_size(call.request.headers.get("Sforce-Query-Options"))
        with self.store.lock:
            plan = plan_query(self.store, text)
            ids = plan.matching_ids(include_deleted=call.match["kind"] == "queryAll")
            page = self.cursors.first_page(plan, ids, user_id=call.user_id, batch=batch, version=call.version)
        return json_response(200, page)

    def _query_more(self, call: _Call) -> Response:
        batch = batch_size(call.request.headers.get("Sforce-Query-Options"))
        with self.store.lock:
            page = self.cursors.next_page(call.match["locator"], batch=batch, version=call.version)
        return json_response(200, page)

    def _limits(self, call: _Call) -> Response:
        usage = self.store.usage
        daily = {"Max": usage.limit, "Remaining": max(0, usage.limit - usage.used)}
        return json_response(200, {
            "DailyApiRequests": daily,
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DataStorageMB": {"Max": 1024, "Remaining": 1024},
        })  # fmt: skip

    def _describe_global(self, call: _Call) -> Response:
        return json_response(200, describe_global(call.version, hidden=self.store.hidden_objects))

    def _describe(self, call: _Call) -> Response:
        try:
            table = self.store.table(call.match["type"])
        except KeyError:
            raise not_found() from None
        return json_response(200, describe_object(table.spec, call.version))

    def _sobject(self, call: _Call) -> Response:
        try:
            table = self.store.table(call.match["type"])
        except KeyError:
            raise not_found() from None
        raw_id = call.match["id"]
        if call.request.method == "PATCH":
            update_one(
                self.store, table.spec.name, raw_id, _json_body(call.request), call.user_id,
                auto_assign=_auto_assign(call.request),
            )  # fmt: skip
            return Response(status=204)
        record_id = normalize_id(raw_id)
        if record_id is None:
            message = f"Provided external ID field does not exist or is not accessible: {raw_id}"
            raise SalesforceError(404, "NOT_FOUND", message)
        with self.store.lock:
            row = table.rows.get(record_id) if object_of(record_id) == table.spec.name else None
            if row is None:
                raise not_found()
            if table.value(row, "IsDeleted"):
                raise SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted")
            url = f"/services/data/v{call.version}/sobjects/{table.spec.name}/{record_id}"
            values = table.as_dict(row)
            wanted = [name for name in call.request.args.get("fields", "").split(",") if name.strip()]
            if wanted:
                values = {spec.name: values[spec.name] for spec in _fields(table, wanted)}
            return json_response(200, {"attributes": {"type": table.spec.name, "url": url}, **values})

    def _collections(self, call: _Call) -> Response:
        results = update_collection(
            self.store, _json_body(call.request), call.user_id, auto_assign=_auto_assign(call.request)
        )
        return json_response(200, results)

    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            return json_response(400, {"error": "invalid_request", "error_description": "must use HTTP POST"})
        answer = self.sessions.token(
            request.form, request.headers.get("Authorization"),
            instance_url=self._instance_url(), user_id=self.store.integration_user_id,
        )  # fmt: skip
        return json_response(answer.status, answer.body)

    def _stats(self) -> dict[str, object]:
        with self.store.lock:
            records = {name: len(table.rows) for name, table in self.store.tables.items()}
            usage = {"used": self.store.usage.used, "limit": self.store.usage.limit}
        return {"calls": self.calls.snapshot(), "api_usage": usage, "records": records}


def _fields(table: Table, names: list[str]) -> list[FieldSpec]:
    specs = []
    for name in names:
        spec = table.spec.field(name.strip())
        if spec is None:
            raise SalesforceError(
                400, "INVALID_FIELD", f"No such column '{name.strip()}' on entity '{table.spec.name}'"
            )
        specs.append(spec)
    return specs


def _json_body(request: Request) -> object:
    try:
        return json.loads(request.get_data(as_text=True) or "null")
    except json.JSONDecodeError as exc:
        found = exc.doc[exc.pos : exc.pos + 1]
        message = f"Unexpected character ('{found}'): at [line:{exc.lineno}, column:{exc.colno}]"
        raise SalesforceError(400, "JSON_PARSER_ERROR", message) from None


def _auto_assign(request: Request) -> bool:
    """Whether a save runs the lead assignment rule: anything but `Sforce-Auto-Assign: FALSE` does."""
    return request.headers.get("Sforce-Auto-Assign", "TRUE").strip().upper() != "FALSE"
