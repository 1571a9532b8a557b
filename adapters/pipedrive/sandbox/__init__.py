"""`PipedriveSandbox`: a Pipedrive company served on 127.0.0.1, seeded, counted and controlled.

It answers the part of API v2 (and the v1 endpoints that have no v2) the adapter uses, in the
shapes of Pipedrive's v2 OpenAPI spec and client-nodejs models (`shapes.py`; provenance in
tests/fixtures/recorded/README.md). It counts each call's tokens (`x-token-cost`) against the
daily budget and each API token's calls in a rolling 2-second window, answering 429 past
either. Deliberate differences from the real API: the budget is per UTC day (Pipedrive's
resets at the server's unnamed midnight); a daily-budget 429 keeps `x-ratelimit-remaining`
above 0 while a burst 429 shows 0 (Pipedrive documents no header that tells them apart);
Cloudflare's 403 page comes from a fault (`Fault("cloudflare")`), not from sustained 429s;
error texts are ours in the spec's envelope; `GET /v1/recents` serves persons only, and leaves
deleted ones out (how it shows a deletion is not documented); saving a deal does not save its
person (not documented either way), and `include_fields` deal counts come back as integer keys
named as asked (the spec names no response key); cursors encode the last row's sort value and id
(a real one decodes to `{"field","fieldValue","sortDirection","id"}`), and deleted persons
are left out of lists (the v2 list takes no parameter that shows them).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from werkzeug.wrappers import Request, Response

from leadsync.clock import Clock
from leadsync.testing import Fault

from . import shapes
from .controls import PipedriveControls
from .oauth import TOKEN_PATH, OAuthApp

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["SCORE", "TEMPERATURE", "PipedriveSandbox"]

Row = dict[str, Any]
ROUTES: Final = {  # (method, path) -> (endpoint, tokens: the spec's x-token-cost; v1 lists 20)
    ("GET", "/api/v2/persons"): ("persons", 10),
    ("GET", "/api/v2/personFields"): ("person fields", 10),
    ("GET", "/api/v2/activities"): ("activities", 10),
    ("GET", "/v1/users"): ("users", 20),
    ("GET", "/v1/activityTypes"): ("activity types", 20),
    ("GET", "/v1/recents"): ("recents", 20),
    ("GET", "/api/v2/deals"): ("deals", 10),  # developers.pipedrive.com/docs/api/v1/Recents: "Cost 20"
    ("GET", "/v1/leads"): ("leads", 20),  # developers.pipedrive.com/docs/api/v1/Leads: "Cost 20"
}
# include_fields of GET /api/v2/persons the sandbox answers: each deal status's count. The v2 spec
# names the parameter values but no response key; the key is taken to be the value, an integer, as
# the v1 person model's counts are ("openDealsCount: the count of open deals", client-nodejs).
COUNTS: Final = {"open_deals_count": "open", "won_deals_count": "won", "lost_deals_count": "lost"}
PATCH_COST: Final = 5  # PATCH /api/v2/persons/{id}
BURST_S: Final = 2.0
OAUTH_BURST: Final = 4  # an OAuth app's window holds 4 times an API token's (Ultimate: 480 against 120)
MAX_LIMIT: Final = 500
SCORE, TEMPERATURE = "leadsync_score", "leadsync_temperature"
MEETINGS: Final = {
    "call": ("call", True),
    "meeting_booked": ("meeting", False),
    "meeting_held": ("meeting", True),
}


class BadRequestError(ValueError):
    """A request Pipedrive refuses as sent (400)."""


class PipedriveSandbox(PipedriveControls):
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
        self.fields = _fields()
        custom = {self.field_code(SCORE): None, self.field_code(TEMPERATURE): None}
        self.persons = {
            n: shapes.person(n, p, owner_ids.get(p.owner or "", 1), custom)
            for n, p in enumerate(seeded.people, 1)
        }
        self.activities = _activities(seeded.people)
        self.refused, self.hidden, self.lock = set(), set(), threading.Lock()
        self.deals: dict[int, Row] = {}  # none seeded: a test opens, wins or loses them
        self.merged: dict[int, int] = {}  # survivor id -> the id merged into it (v1 `merge_what_id`)
        self.leads: list[Row] = []  # the Leads inbox, oldest first: none seeded, a test adds them
        self.daily_tokens, self.tokens_spent, self.burst = daily_tokens, 0, burst
        self._day, self._recent = "", deque[float]()
        self.serve(self._app, endpoint_of=_endpoint, render_fault=self._fault, port=port)

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
        endpoint, cost = _route(request.method, request.path)
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
                answer = self._limited(cost, burst) or self._answer(endpoint, request)
        return answer(environ, start_response)

    def _limited(self, cost: int, burst: int) -> Response | None:
        """A 429 past the burst window or the day's budget; else the call is counted."""
        now = self.clock.now()
        if now.date().isoformat() != self._day:
            self._day, self.tokens_spent = now.date().isoformat(), 0
        while self._recent and self._recent[0] <= now.timestamp() - BURST_S:
            self._recent.popleft()
        left = burst - len(self._recent)
        if left <= 0:
            return _too_many(burst, 0, "the 2-second window's calls are spent")
        if self.tokens_spent + cost > self.daily_tokens:
            return _too_many(burst, left, "the company's daily token budget is spent")
        self._recent.append(now.timestamp())
        self.tokens_spent += cost
        return None

    def _answer(self, endpoint: str, request: Request) -> Response:
        handlers: dict[str, Callable[[Request], Response]] = {
            "persons": self._persons,
            "person fields": lambda r: _paged(
                [f for f in self.fields if f["field_code"] not in self.hidden], r, "id"
            ),
            "activities": lambda r: _paged(_window(self.activities.values(), r), r, _sort(r)),
            "users": lambda _r: shapes.listed(self.users, v1=True),
            "activity types": lambda _r: shapes.listed(shapes.ACTIVITY_TYPES, v1=True),
            "recents": self._recents,
            "deals": self._deals,
            "leads": self._leads,
            "person update": self._update,
        }
        try:
            return handlers[endpoint](request)
        except BadRequestError as exc:
            return shapes.error(400, str(exc), "Please check developers.pipedrive.com")

    def _persons(self, request: Request) -> Response:
        counts = set(request.args.get("include_fields", "").split(",")) & COUNTS.keys()
        live = [self._counted(self._shown(p), counts) for p in self.persons.values() if not p["is_deleted"]]
        if ids := request.args.get("ids"):
            wanted = {int(i) for i in ids.split(",") if i.strip().isdigit()}
            if len(wanted) > 100:  # noqa: PLR2004 - "up to 100 entity ids"
                raise BadRequestError("ids: at most 100")
            return shapes.listed([p for p in live if p["id"] in wanted])
        return _paged(_window(live, request), request, _sort(request))

    def _counted(self, person: Row, counts: set[str]) -> Row:
        """The person with the deal counts asked for in `include_fields` (v2 spec, `getPersons`)."""
        statuses = [
            d["status"] for d in self.deals.values() if d["person_id"] == person["id"] and not d["is_deleted"]
        ]
        return {**person, **{name: statuses.count(COUNTS[name]) for name in counts}}

    def _deals(self, request: Request) -> Response:
        """Deals not deleted (the default `status`), of one `person_id` if given, in a window, paged."""
        rows = [d for d in self.deals.values() if not d["is_deleted"]]
        if person := request.args.get("person_id"):
            rows = [d for d in rows if str(d["person_id"]) == person]
        return _paged(_window(rows, request), request, _sort(request))

    def _leads(self, request: Request) -> Response:
        """Leads not archived, oldest first, by `start` and `limit`: no parameter filters by time."""
        start, limit = _offsets(request)
        page = self.leads[start : start + limit]
        return shapes.leads_page(page, start, limit, start + len(page) < len(self.leads))

    def _recents(self, request: Request) -> Response:
        """Persons saved at or after `since_timestamp`, oldest first, paged by `start` and `limit`.
        Deleted persons are left out: whether and how recents shows one is not documented."""
        since_text = request.args.get("since_timestamp", "")
        try:
            since = datetime.strptime(since_text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise BadRequestError("since_timestamp: YYYY-MM-DD HH:MM:SS (UTC)") from None
        if request.args.get("items") != "person":
            raise BadRequestError("the sandbox serves items=person only")
        start, limit = _offsets(request)
        rows = sorted(
            (p for p in self.persons.values() if not p["is_deleted"] and p["update_time"] >= since),
            key=lambda p: (p["update_time"], p["id"]),
        )
        page = rows[start : start + limit]
        return shapes.recents(page, self.merged, since_text, start, start + len(page) < len(rows))

    def _update(self, request: Request) -> Response:
        person_id = int(request.path.rsplit("/", 1)[1])
        found = self.persons.get(person_id)
        if found is None or found["is_deleted"]:
            return shapes.error(404, "Person not found", "Please check developers.pipedrive.com")
        if person_id in self.refused:
            raise BadRequestError("The company's validation refuses this change")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequestError("The body must be a JSON object")
        for code, value in (body.get("custom_fields") or {}).items():
            self._check(code, value)
        if "owner_id" in body and body["owner_id"] not in {u["id"] for u in self.users if u["active_flag"]}:
            raise BadRequestError(f"owner_id {body['owner_id']!r} is no active user")
        found["custom_fields"].update(body.pop("custom_fields", {}))
        found.update({k: v for k, v in body.items() if k in {"name", "owner_id", "org_id", "label_ids"}})
        found["update_time"] = self.stamp()  # every save moves the stamp
        return shapes.one(self._shown(found))

    def _check(self, code: str, value: object) -> None:
        field = next((f for f in self.fields if f["field_code"] == code and code not in self.hidden), None)
        if field is None:
            raise BadRequestError(f"There is no person field {code}")
        options = [o["id"] for o in field["options"] or ()]
        if value is not None and options and value not in options:
            raise BadRequestError(f"{value!r} is not an option id of {field['field_name']}")
        if value is not None and field["field_type"] == "double" and not isinstance(value, int | float):
            raise BadRequestError(f"{field['field_name']} takes a number")

    def _shown(self, person: Row) -> Row:
        custom = {k: v for k, v in person["custom_fields"].items() if k not in self.hidden}
        return {**person, "custom_fields": custom}

    def _fault(
        self, fault: Fault, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if fault.kind == "rate_limit":
            answer = _too_many(self.burst, 0, "the 2-second window's calls are spent")
        elif fault.kind == "cloudflare":
            answer = shapes.html_page()
        else:
            answer = shapes.error(500, "Internal server error", f"the sandbox failed ({fault.kind})")
        return answer(environ, start_response)


def _route(method: str, path: str) -> tuple[str, int]:
    if (method, path) == ("POST", TOKEN_PATH):
        return "token", 0  # the OAuth server's, not the API's: no budget tokens
    if method == "PATCH" and path.startswith("/api/v2/persons/") and path.rsplit("/", 1)[1].isdigit():
        return "person update", PATCH_COST
    return ROUTES.get((method, path), ("", 0))


def _endpoint(method: str, path: str) -> str:
    return _route(method, path)[0] or "unknown"


def _offsets(request: Request) -> tuple[int, int]:
    """A v1 list's `start` and `limit` (default 100, at most 500)."""
    start, limit = request.args.get("start", "0"), request.args.get("limit", "100")
    if not start.isdigit() or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise BadRequestError(f"start must be a number, limit from 1 to {MAX_LIMIT}")
    return int(start), int(limit)


def _too_many(limit: int, remaining: int, why: str) -> Response:
    """A 429 with the burst window's headers (rate-limiting page: x-ratelimit-limit/-remaining/-reset)."""
    headers = {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": "2",
    }
    return shapes.error(429, f"Request over limit: {why}", "Please check developers.pipedrive.com", headers)


def _instant(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"{name} must be RFC 3339, e.g. 2025-01-01T10:20:00Z") from None


def _window(rows: Iterable[Row], request: Request) -> list[Row]:
    """Rows with `updated_since` <= update_time < `updated_until` (the v2 list parameters)."""
    since = _instant(request.args.get("updated_since"), "updated_since")
    until = _instant(request.args.get("updated_until"), "updated_until")
    return [
        r
        for r in rows
        if (since is None or r["update_time"] >= since) and (until is None or r["update_time"] < until)
    ]


def _sort(request: Request) -> str:
    sort_by = request.args.get("sort_by", "id")
    if sort_by not in {"id", "update_time", "add_time"}:
        raise BadRequestError("sort_by must be one of id, update_time, add_time")
    return sort_by


def _paged(rows: list[Row], request: Request, sort_by: str) -> Response:
    """One page in (sort value, id) order, `limit` ≤ 500, after the cursor's row."""
    limit_text = request.args.get("limit", "100")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise BadRequestError(f"limit must be from 1 to {MAX_LIMIT}")
    if request.args.get("sort_direction", "asc") != "asc":
        raise BadRequestError("the sandbox pages in ascending order only")
    order = sorted(rows, key=lambda r: (_value(r, sort_by), r.get("id", 0)))
    if cursor := request.args.get("cursor"):
        after = _decoded(cursor)
        order = [r for r in order if (_value(r, sort_by), r.get("id", 0)) > after]
    page, limit = order[: int(limit_text)], int(limit_text)
    last = page[-1] if len(order) > limit else None
    token = _encoded(sort_by, _value(last, sort_by), last.get("id", 0)) if last else None
    return shapes.listed(page, token)


def _value(row: Row, sort_by: str) -> Any:  # noqa: ANN401 - an id, a stamp or a field code
    return row.get(sort_by, row.get("field_code"))


def _encoded(field: str, value: object, row_id: object) -> str:
    shown = shapes.rfc3339(value) if isinstance(value, datetime) else value
    raw = json.dumps({"field": field, "fieldValue": shown, "sortDirection": "asc", "id": row_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decoded(cursor: str) -> tuple[Any, Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = raw["fieldValue"]
        if raw["field"] in {"update_time", "add_time"}:
            value = datetime.fromisoformat(value)
        return value, raw["id"]
    except (ValueError, KeyError, TypeError):
        raise BadRequestError("cursor is not valid") from None


def _fields() -> list[Row]:
    """The standard person fields the adapter reads or writes, and the two custom ones it writes."""
    return [
        shapes.field("name", "Name", "varchar"),
        shapes.field("first_name", "First name", "varchar"),
        shapes.field("last_name", "Last name", "varchar"),
        shapes.field("emails", "Email", "varchar"),
        shapes.field("phones", "Phone", "phone"),
        shapes.field("owner_id", "Owner", "user"),
        shapes.field("job_title", "Job title", "varchar"),
        shapes.field("add_time", "Person created", "date"),
        shapes.field("update_time", "Update time", "date"),
        shapes.field(shapes.hash_key(SCORE), SCORE, "double", custom=True),
        shapes.field(
            shapes.hash_key(TEMPERATURE), TEMPERATURE, "enum", custom=True, options=["cold", "warm", "hot"]
        ),
    ]


def _activities(people: Iterable[Any]) -> dict[int, Row]:
    """The seeded sales actions (calls and meetings) as `GET /api/v2/activities` shows them (spec example)."""
    found: dict[int, Row] = {}
    for key, person in enumerate(people, start=1):
        for seen in person.activities:
            if seen.kind not in MEETINGS:
                continue  # web visits, forms, e-mail clicks: Pipedrive keeps no such activity
            kind, done = MEETINGS[seen.kind]
            at = seen.occurred_at.replace(microsecond=0)
            n = len(found) + 1
            found[n] = {
                "id": n, "subject": seen.detail, "type": kind, "owner_id": 1, "creator_user_id": 1,
                "is_deleted": False, "add_time": at, "update_time": at, "deal_id": None, "lead_id": None,
                "person_id": key, "org_id": None, "project_id": None, "due_date": at.date().isoformat(),
                "due_time": at.strftime("%H:%M:%S"), "duration": "01:00:00", "busy": True, "done": done,
                "marked_as_done_time": at if done else None, "location": None,
                "participants": [{"person_id": key, "primary": True}], "conference_meeting_client": None,
                "conference_meeting_url": None, "conference_meeting_id": None, "public_description": None,
                "priority": None, "note": None,
            }  # fmt: skip
    return found
