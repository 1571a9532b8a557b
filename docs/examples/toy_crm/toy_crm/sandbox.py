"""`ToySandbox`: a toy CRM account served on 127.0.0.1, seeded, counted and controlled.

It answers the API docs/write-an-adapter.md describes ("The toy CRM"), the toy's only reference;
each envelope follows a published standard, cited where it is built. Deliberate differences from
that reference: no rate limit is enforced (a 429 comes from a fault a test pushes:
`Fault("rate_limit", headers={"Retry-After": "2"})`, `Fault("daily_limit")`; `Fault("server_error")`
is a 500), and a save is late only when `commit_late` says so.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from werkzeug.wrappers import Request, Response

from leadsync.clock import Clock
from leadsync.testing import Fault, SeedPerson

from .controls import ToyControls

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["ToySandbox"]

ROUTES: Final = {
    ("GET", "/v1/fields"): "fields",
    ("GET", "/v1/users"): "users",
    ("GET", "/v1/people"): "people",
    ("POST", "/v1/people/read"): "people read",
    ("POST", "/v1/people/update"): "people update",
}
_TEXTS: Final = ("email", "first_name", "last_name", "title", "company", "industry", "country")
FIELDS: Final = {
    "id": "text",
    **dict.fromkeys((*_TEXTS, "owner_email"), "text"),
    **dict.fromkeys(("employees", "score"), "number"),
    "temperature": "choice",
    **dict.fromkeys(("created_at", "updated_at"), "datetime"),
}
READ_ONLY: Final = frozenset({"id", "created_at", "updated_at"})
OPTIONS: Final = {"temperature": ["cold", "warm", "hot"]}
VALUE_TYPES: Final = {"text": (str,), "number": (int, float), "choice": (str,)}
MAX_LIMIT: Final = 500
MAX_BATCH: Final = 100
PROBLEMS: Final = "https://toy-crm.example/problems/"  # a problem's type: this, then its code


class BadRequestError(ValueError):
    """A request the API refuses as sent (400 invalid-request)."""


class ToySandbox(ToyControls):
    """A seeded toy CRM account; a context manager, like every `leadsync.testing.Sandbox`."""

    def __init__(
        self,
        people: int = 1000,
        seed: int = 7,
        *,
        clock: Clock,
        seeded_at: datetime | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(clock=clock, seed=seed, seeded_at=seeded_at)
        seeded = self.population(people)
        self.api_key = f"toy_test_{seed:08d}"
        self.records = {person["id"]: person for person in map(_person, seeded.people)}
        self.users = [
            {"id": str(n), "email": o.email, "name": f"{o.first_name} {o.last_name}", "active": o.active}
            for n, o in enumerate(seeded.owners, start=1)
        ]
        self.refused, self.hidden, self.lock = set(), set(), threading.Lock()
        self._handlers: dict[str, Callable[[Request], dict[str, Any]]] = {
            "fields": self._fields,
            "users": lambda _request: _listed(self.users),
            "people": self._people,
            "people read": self._people_read,
            "people update": self._people_update,
        }
        self.serve(self._app, endpoint_of=_endpoint, render_fault=self._fault, port=port)

    def settings(self) -> dict[str, Any]:
        """What the adapter needs: `base_url` and the account's (throwaway) `api_key`."""
        return {"base_url": self.url, "api_key": self.api_key}

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        endpoint = ROUTES.get((request.method, request.path))
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            answer = _problem(401, "invalid-api-key", "the API key is missing, revoked or wrong")
            answer.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'  # RFC 6750 §3
        elif endpoint is None:
            answer = _problem(404, "not-found", f"no endpoint {request.method} {request.path}")
        else:
            try:
                with self.lock:
                    answer = _json(self._handlers[endpoint](request))
            except BadRequestError as exc:
                answer = _problem(400, "invalid-request", str(exc))
        return answer(environ, start_response)

    def _fields(self, _request: Request) -> dict[str, Any]:
        return _listed([_field(name) for name in FIELDS if name not in self.hidden])

    def _people(self, request: Request) -> dict[str, Any]:
        """People and tombstones after (`after`, `after_id`), up to `until`, in (updated_at, id) order."""
        args = request.args
        after, until = (_instant(args.get("after")), args.get("after_id", "")), _instant(args.get("until"))
        limit = _limit(args.get("limit", "100"))
        later = (r for r in self.records.values() if after < _place(r) and r["updated_at"] <= until)
        found = sorted(later, key=_place)
        return _listed([self._shown(r) for r in found[:limit]], has_more=len(found) > limit)

    def _people_read(self, request: Request) -> dict[str, Any]:
        found = (self.records.get(str(record_id)) for record_id in _body(request, "ids"))
        return _listed([self._shown(r) for r in found if r is not None and not r.get("deleted")])

    def _people_update(self, request: Request) -> dict[str, Any]:
        return {"results": [self._updated(update) for update in _body(request, "updates")]}

    def _updated(self, update: object) -> dict[str, Any]:
        """One person's update: done, or refused with its own problem (the others go on)."""
        if not isinstance(update, dict) or not isinstance(update.get("fields"), dict):
            raise BadRequestError("each update is an object with an `id` and its `fields`")
        record_id, fields = str(update.get("id")), update["fields"]
        record = self.records.get(record_id)
        if record is None or record.get("deleted"):
            return _refusal(record_id, 404, "not-found", f"no person {record_id}: deleted, merged, or none")
        if record_id in self.refused:
            return _refusal(
                record_id, 422, "validation-failed", "a validation rule of the account refuses it"
            )
        for name, value in fields.items():
            if (why := self._invalid(name, value)) is not None:
                return _refusal(record_id, 422, "invalid-value", why)
        # Every save moves the stamp, even one that changes nothing.
        record.update(fields, updated_at=self.stamp())
        return {"id": record_id, "status": 200}

    def _invalid(self, name: str, value: object) -> str | None:
        kind = FIELDS.get(name)
        if kind is None or name in self.hidden:
            return f"there is no field {name!r}"
        if name in READ_ONLY:
            return f"the field {name!r} is read-only"
        if value is not None and (isinstance(value, bool) or not isinstance(value, VALUE_TYPES[kind])):
            return f"{value!r} is not a {kind} value for {name!r}"
        if value is not None and kind == "choice" and value not in OPTIONS[name]:
            return f"{value!r} is not an option of {name!r}: {', '.join(OPTIONS[name])}"
        return None

    def _shown(self, record: dict[str, Any]) -> dict[str, Any]:
        """A person as the API shows it (a tombstone as it is), its stamps in RFC 3339."""
        return {
            name: _stamp(value) if isinstance(value, datetime) else value
            for name, value in record.items()
            if name not in self.hidden
        }

    def _fault(
        self, fault: Fault, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if fault.kind == "rate_limit":
            answer = _problem(429, "rate-limit", "more than 100 calls in 10 seconds")  # RFC 6585 §4
            answer.headers["Retry-After"] = fault.headers.get("Retry-After", "1")  # RFC 9110 §10.2.3
        elif fault.kind == "daily_limit":
            answer = _problem(429, "daily-limit", "the day's allowance is spent; it renews at 00:00 UTC")
        else:
            answer = _problem(500, "server-error", f"the toy CRM failed ({fault.kind})")
        return answer(environ, start_response)


def _endpoint(method: str, path: str) -> str:
    return ROUTES.get((method, path), "unknown")


def _place(record: dict[str, Any]) -> tuple[datetime, str]:
    return record["updated_at"], record["id"]


def _field(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": FIELDS[name],
        "read_only": name in READ_ONLY,
        "options": OPTIONS.get(name, []),
    }


def _person(seed: SeedPerson) -> dict[str, Any]:
    return {
        "id": f"{seed.key + 1:06d}",
        **{name: getattr(seed, name) for name in (*_TEXTS, "employees", "created_at")},
        "owner_email": seed.owner,
        "score": None,
        "temperature": None,
        "updated_at": seed.modified_at,
    }


def _listed(data: list[dict[str, Any]], *, has_more: bool = False) -> dict[str, Any]:
    """A page of a list, in the envelope of Stripe's list API (docs.stripe.com/api/pagination)."""
    return {"object": "list", "data": data, "has_more": has_more}


def _problem(status: int, code: str, detail: str) -> Response:
    """An RFC 9457 problem details answer; `code`, an extension member (§3.2), repeats the type's end."""
    title = code.replace("-", " ").capitalize()
    body = {"type": PROBLEMS + code, "title": title, "status": status, "detail": detail, "code": code}
    return Response(json.dumps(body), status, content_type="application/problem+json")


def _refusal(record_id: str, status: int, code: str, detail: str) -> dict[str, Any]:
    """One person's refusal inside a 200 answer: its status and its own problem details."""
    problem = json.loads(_problem(status, code, detail).get_data())
    return {"id": record_id, "status": status, "problem": problem}


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), 200, content_type="application/json")


def _stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, to the millisecond: 2026-11-23T12:00:00.000Z."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _instant(text: str | None) -> datetime:
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        raise BadRequestError(f"{text!r} is no RFC 3339 date-time") from None
    if moment.utcoffset() is None:
        raise BadRequestError(f"{text!r} has no UTC offset")
    return moment


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise BadRequestError(f"limit must be a whole number from 1 to {MAX_LIMIT}, got {text!r}")
    return int(text)


def _body(request: Request, key: str) -> list[Any]:
    items = (request.get_json(silent=True) or {}).get(key)
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise BadRequestError(f"`{key}` must be a list of at most {MAX_BATCH} items")
    return items
