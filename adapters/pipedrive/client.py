"""A thin Pipedrive client of our own: no maintained Python client speaks API v2 (README, "Pipedrive").

One `requests` session from the kit (its timeouts and call log), the API token in the
`x-api-token` header (never the query string, never logged) or an OAuth app's Bearer access
token renewed by the kit's `Sessions` (`auth.py`), each call counted against the
daily token budget at its OpenAPI `x-token-cost`, spaced under the 2-second burst window, and
retried by the kit's `Caller` through the error table below.
"""

from __future__ import annotations

from typing import Any, Final

import requests

from leadsync import adapter_api as contract
from leadsync import kit

from .auth import headers, sessions
from .budget import TokenBudget
from .settings import PipedriveSettings

__all__ = ["COSTS", "ERRORS", "PipedriveClient", "Row"]

Row = dict[str, Any]  # a record as the API answers it: `Any` stops in the adapter
# Tokens per call, each operation's `x-token-cost` in Pipedrive's OpenAPI v2 spec (GET /persons 10,
# PATCH /persons/{id} 5, GET /activities 10); v1 lists cost 20 (rate-limiting page: "list = 20").
COSTS: Final = {"list": 10, "update": 5, "v1 list": 20}
_DAILY: Final = "daily-budget"  # a 429 while the burst window still has calls left (see _codes)
_HTML: Final = "html-page"  # an answer that is no JSON: Cloudflare's page after sustained 429s
ERRORS: Final = kit.ErrorTable(  # rate-limiting and error pages: pipedrive.readme.io/docs/core-api-concepts-*
    kit.ErrorRule(kit.Outcome.BUDGET_EXHAUSTED, 429, _DAILY, "the company's daily token budget is spent"),
    kit.ErrorRule(kit.Outcome.TRANSIENT, 429),  # the 2-second burst window: waited as the answer says
    kit.ErrorRule(kit.Outcome.TRANSIENT, 403, _HTML, "rate limited (Cloudflare's page after sustained 429s)"),
    kit.ErrorRule(kit.Outcome.TRANSIENT, 0),  # no answer at all
    kit.ErrorRule(kit.Outcome.TRANSIENT, range(500, 600)),
    kit.ErrorRule(kit.Outcome.UNAUTHORIZED, 401, hint="set a valid crm.{crm}.api_token (or refresh_token)"),
    kit.ErrorRule(kit.Outcome.GONE, 404),  # PATCH of a person deleted or merged away
)
# Pipedrive counts a call in its 2-second window when it arrives, the limiter when it is sent: held
# this much longer, the window never sees an earlier call arrive late beside a full window's calls.
_ARRIVAL_S: Final = 0.2
_FIRST_ERROR: Final = 400
TOO_MANY: Final = 429
UNAUTHORIZED: Final = 401


class PipedriveClient:
    """Calls one company's API; `budget` counts the day's tokens, `caller` the requests."""

    def __init__(self, context: contract.AdapterContext, settings: PipedriveSettings) -> None:
        self._settings, self._clock = settings, context.clock
        share = float(settings.budget_share)
        self.budget = TokenBudget(context.clock, int(settings.daily_tokens() * share))
        burst = kit.RateLimit(max(1, int(settings.burst() * share)), 2.0 + _ARRIVAL_S)
        in_flight = settings.max_in_flight
        limiter = kit.Limiter(burst, clock=context.clock, sleep=context.sleep, in_flight=in_flight)
        self.caller = kit.Caller(
            context.name, f"pipedrive crm.{context.name}", ERRORS, limiter,
            kit.RetryPolicy(settings.attempts), context.sleep,
            rate_headers=("x-ratelimit-remaining", "x-ratelimit-reset"),
        )  # fmt: skip
        self._http = kit.http_session(settings.connect_timeout_s, settings.timeout_s)
        self._sessions = sessions(self.caller, settings, self._http)

    def call(self, what: str, method: str, path: str, cost: int, **request: Any) -> Row:  # noqa: ANN401 - requests' options
        """One logical call of `cost` tokens: refused before it is sent when the day's share is spent."""

        def once(session: kit.Session, _record: object) -> Row:
            self.budget.spend(cost)
            sent = {**request, "headers": headers(self._settings, session)}
            return self._try(method, session.base_url + path, sent)

        try:
            return self._sessions.call(what, once)
        except contract.BudgetExhausted:
            self.budget.exhausted()
            raise

    def _try(self, method: str, url: str, request: Row) -> Row:
        """One try, as `kit.json_try` makes one, but reading the rate-limit headers too: they tell a
        429 of the daily budget from one of the burst window, and give the window's wait."""
        try:
            reply = self._http.request(method, url, **request)
        except requests.RequestException as exc:
            raise kit.AttemptFailed(0, type(exc).__name__) from None
        body = kit.json_object(reply.content)
        if reply.status_code < _FIRST_ERROR:
            return body
        if reply.status_code == UNAUTHORIZED and self._settings.oauth:
            raise kit.SessionExpired  # the access token expired: renewed once from the refresh token
        wait_s = kit.retry_after_s(reply.headers.get("Retry-After"), now_s=self._clock.now().timestamp())
        if (
            wait_s is None
            and reply.status_code == TOO_MANY
            and (reset := reply.headers.get("x-ratelimit-reset"))
        ):
            wait_s = float(reset) if reset.isdigit() else None  # seconds left in the burst window
        detail = str(body.get("error") or body.get("error_info") or reply.reason or "")
        codes = _codes(reply, body)
        raise kit.AttemptFailed(reply.status_code, detail, codes=codes, body=body, retry_after_s=wait_s)


def _codes(reply: requests.Response, body: Row) -> tuple[str, ...]:
    """The error's codes: the envelope's `errorCode`/`code`, and what the answer itself shows.

    A 429 whose `x-ratelimit-remaining` is above 0 is not the burst window's: it is read as the
    daily budget (an inference; Pipedrive sends no header for the budget). An error answer that is
    no JSON is Cloudflare's HTML page, which `api_token` traffic gets after sustained 429s.
    """
    codes = [str(body[key]) for key in ("errorCode", "code") if body.get(key) is not None]
    remaining = reply.headers.get("x-ratelimit-remaining", "0")
    if reply.status_code == TOO_MANY and remaining.isdigit() and int(remaining) > 0:
        codes.append(_DAILY)
    if not body:
        codes.append(_HTML)
    return tuple(codes)
