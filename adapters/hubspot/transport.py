"""Calls to HubSpot through the official client, on the kit's `Caller`: its error table, raw JSON.

Every call asks the client for the raw urllib3 response (`_preload_content=False`) and
parses it with `json.loads`: the client's model deserialization costs ~85 % of a batch
call (api-notes, client-side cost). The body is always read, so no connection leaks.
The client is built with `Retry(total=0)`: urllib3 would otherwise sleep on a 429's
`Retry-After` and re-send on its own (api-notes, verified 2026-11-23). A connection that cannot
be made (DNS, refused, connect timeout, TLS) is reported at once, not retried (`adapters.unreachable`).
The client's connection pool is watched for the request it sends, since its errors do not say.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

import urllib3

from adapters.unreachable import unreachable_error
from leadsync.adapter_api import BudgetExhausted, CallRecord, Clock, current_call
from leadsync.kit import (
    AttemptFailed,
    Caller,
    ErrorRule,
    ErrorTable,
    Limiter,
    Outcome,
    RateLimit,
    RetryPolicy,
    json_object,
    retry_after_s,
)

from .settings import HubSpotSettings

__all__ = ["ERRORS", "Response", "Transport"]

_POLICY_WAIT_S: Final = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}
_RATE_HEADERS: Final = ("X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Daily-Remaining")
_SEARCH: Final = "search"

ERRORS: Final = ErrorTable(
    ErrorRule(
        Outcome.BUDGET_EXHAUSTED, 429, "DAILY",
        "the next cycle after midnight UTC resumes from the same cursor",
    ),
    ErrorRule(Outcome.TRANSIENT, 429),
    ErrorRule(Outcome.TRANSIENT, 0),
    ErrorRule(Outcome.TRANSIENT, range(500, 600)),
    ErrorRule(
        Outcome.UNAUTHORIZED, 401,
        hint="create a private-app token with the crm.objects.contacts scopes and set it as "
        "crm.{crm}.access_token (LEADSYNC_CRM__{CRM}__ACCESS_TOKEN), then run `leadsync check --live`",
    ),
    ErrorRule(
        Outcome.UNAVAILABLE, 403,
        hint="grant the private app the scopes HubSpot names (Settings → Integrations → "
        "Private apps), then run `leadsync check --live`",
    ),
    ErrorRule(Outcome.GONE, code="OBJECT_NOT_FOUND"),
)  # fmt: skip
"""HubSpot's errors (api-notes, "HubSpot CRM v3"): a 429's `policyName` is its code; a 403's
`category` (MISSING_SCOPES…) refuses an endpoint to the token or the portal's tier."""


class Response:
    """A parsed answer: its status (200 or 207 for batches) and JSON body."""

    __slots__ = ("body", "status")

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        self.status, self.body = status, body


class Transport:
    """Makes one logical call through a client API method; reads HubSpot's rate-limit headers."""

    def __init__(
        self, crm: str, settings: HubSpotSettings, *, clock: Clock, sleep: Callable[[float], None]
    ) -> None:
        self._crm, self._settings, self._clock = crm, settings, clock
        self.limiter = Limiter(
            RateLimit(settings.window_limit(), 10.0),
            kinds={_SEARCH: RateLimit(settings.search_limit(), 1.0)},
            clock=clock,
            sleep=sleep,
        )
        self._caller = Caller(
            crm, f"hubspot crm.{crm}", ERRORS, self.limiter, RetryPolicy(settings.attempts), sleep,
            rate_headers=_RATE_HEADERS, before_call=self._check_daily,
        )  # fmt: skip
        self.daily_used: int | None = None
        self.daily_limit: int | None = None
        self._counted_on = ""  # the day HubSpot's daily headers were last read

    @property
    def calls(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._caller.calls

    def call(
        self, what: str, method: Callable[..., Any], /, *, search: bool = False, **kwargs: object
    ) -> Response:
        """Call a client API method (`what` names it in errors) and return its parsed answer."""
        return self._caller.call(
            what, lambda record: self._send(method, kwargs, record), kind=_SEARCH if search else None
        )

    def _send(self, method: Callable[..., Any], kwargs: Mapping[str, object], record: CallRecord) -> Response:
        _watch(method)
        timeouts = (self._settings.connect_timeout_s, self._settings.timeout_s)
        try:
            raw = method(**kwargs, _preload_content=False, _request_timeout=timeouts)
        except urllib3.exceptions.HTTPError as exc:  # timeouts, resets: the client does not wrap them
            raise self._unreachable(exc) or AttemptFailed(
                0, _no_answer(exc, self._settings.timeout_s)
            ) from None
        except Exception as exc:
            status = getattr(exc, "status", None)
            if not type(exc).__module__.startswith("hubspot.") or not isinstance(status, int):
                raise
            if status == 0 and (failed := self._unreachable(exc)):  # the client wraps an SSLError
                raise failed from None
            headers = getattr(exc, "headers", None) or {}
            record.answered(status, headers)
            raise self._failure(status, json_object(getattr(exc, "body", None)), headers) from None
        data = raw.data  # always read: an unread response leaks its connection
        record.answered(raw.status, raw.headers)
        self._count(raw.headers)
        return Response(raw.status, json.loads(data) if data else {})

    def _failure(self, status: int, body: Mapping[str, Any], headers: Mapping[str, str]) -> AttemptFailed:
        """An error answer as the error table reads it: a 429's policy, else HubSpot's category."""
        code = str(body.get("policyName") or body.get("category") or "")
        wait_s: float | None = None
        if status == 429:  # noqa: PLR2004
            asked = retry_after_s(headers.get("Retry-After"), now_s=self._clock.now().timestamp())
            wait_s = _POLICY_WAIT_S.get(code, 10.0) if asked is None else asked
        message = str(body.get("message", ""))[:300]
        return AttemptFailed(status, message, codes=(code,) if code else (), body=body, retry_after_s=wait_s)

    def _unreachable(self, exc: BaseException) -> Exception | None:
        return unreachable_error(
            self._crm, self._settings.base_url, f"crm.{self._crm}.base_url", exc,
            connect_s=self._settings.connect_timeout_s,
        )  # fmt: skip

    def _check_daily(self) -> None:
        used, limit = self.daily_used, self.daily_limit
        if used is not None and limit is not None and used >= limit and self._counted_on == self._today():
            raise BudgetExhausted(
                f"hubspot: all {limit} calls of today's allowance are spent (HubSpot's "
                "X-HubSpot-RateLimit-Daily-Remaining is 0); nothing was sent. The next cycle "
                "after midnight UTC resumes from the same cursor"
            )

    def _today(self) -> str:
        return self._clock.now().date().isoformat()

    def _count(self, headers: Mapping[str, str] | None) -> None:
        """Honour HubSpot's `X-HubSpot-RateLimit-*` headers (api-notes, "HubSpot CRM v3"): none
        left in the 10-s window holds the next call back; none left today stops before calling."""
        if not headers:
            return
        if headers.get("X-HubSpot-RateLimit-Remaining") == "0":
            self.limiter.saturate()
        daily, remaining = (
            headers.get("X-HubSpot-RateLimit-Daily"),
            headers.get("X-HubSpot-RateLimit-Daily-Remaining"),
        )
        if daily and remaining and daily.isdigit() and remaining.isdigit():
            self.daily_limit, self.daily_used = int(daily), int(daily) - int(remaining)
            self._counted_on = self._today()


class _WatchedPool:
    """A client's urllib3 pool manager that tells the call being logged which request it sends."""

    def __init__(self, pool: urllib3.PoolManager) -> None:
        self._pool = pool

    def request(self, method: str, url: str, **kwargs: Any) -> urllib3.BaseHTTPResponse:  # noqa: ANN401
        """Send as the pool would, noting the method and URL first."""
        record = current_call()
        if record is not None:
            record.sent(method, url)
        return self._pool.request(method, url, **kwargs)

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - whatever else the pool offers
        return getattr(self._pool, name)


def _watch(method: Callable[..., Any]) -> None:
    """While a call is logged, watch the pool of the client `method` belongs to (once per client).

    Every generated HubSpot client sends through `api_client.rest_client.pool_manager.request`.
    """
    if current_call() is None:
        return
    owner = getattr(method, "__self__", None)
    rest = getattr(getattr(owner, "api_client", owner), "rest_client", None)
    pool = getattr(rest, "pool_manager", None)
    if rest is not None and pool is not None and not isinstance(pool, _WatchedPool):
        rest.pool_manager = _WatchedPool(pool)


def _no_answer(exc: urllib3.exceptions.HTTPError, timeout_s: float) -> str:
    """Why a call made on a connection got no answer, for the message after the last try."""
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
        return f"no answer within timeout_s = {timeout_s:g} s"
    return type(reason).__name__
