"""Calls to HubSpot through the official client: limiter, retries, one error table, raw JSON.

Every call asks the client for the raw urllib3 response (`_preload_content=False`) and
parses it with `json.loads`: the client's model deserialization costs ~85 % of a batch
call (api-notes, client-side cost). The body is always read, so no connection leaks.
The client is built with `Retry(total=0)`: urllib3 would otherwise sleep on a 429's
`Retry-After` and re-send on its own (api-notes, verified 2026-11-23). A connection that cannot
be made (DNS, refused, connect timeout, TLS) is reported at once, not retried (`adapters.unreachable`).
Each logical call is one `crm.call` event (`leadsync.call_log`): the client's connection pool
is watched for the request it sends, since the client's errors do not say.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

import urllib3
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from adapters.unreachable import unreachable_error
from leadsync.adapter_api import (
    AdapterError,
    AuthError,
    BudgetExhausted,
    CallRecord,
    TransientError,
    current_call,
    logged_call,
)

from .limiter import RateLimiter

__all__ = ["BadRequestError", "ForbiddenError", "NotFoundError", "Response", "Transport"]

_POLICY_WAIT_S: Final = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}
_BACKOFF_S: Final = (1.0, 2.0, 4.0, 8.0, 16.0)
_TOO_MANY: Final = 429
_SERVER_ERRORS: Final = 500
_RATE_HEADERS: Final = ("X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Daily-Remaining")


class BadRequestError(AdapterError):
    """HubSpot refused the request (400): `body` says which inputs or properties."""

    def __init__(self, message: str, body: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.body = body


class ForbiddenError(AuthError):
    """HubSpot refused this endpoint (403): a scope the token lacks, or a tier the portal lacks.

    `category` is HubSpot's (`MISSING_SCOPES`…). Fatal for contacts; an optional activity stream
    is skipped with a warning instead (see `activities`).
    """

    def __init__(self, message: str, body: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.category = str(body.get("category") or "")
        self.detail = str(body.get("message") or "")[:300]


class NotFoundError(AdapterError):
    """HubSpot has no such object or endpoint (404)."""


class _Retryable(Exception):  # noqa: N818 - internal signal to tenacity, never leaves this module
    def __init__(self, status: int, body: Mapping[str, Any], wait_s: float | None, reason: str = "") -> None:
        super().__init__(status)
        self.status, self.body, self.wait_s = status, body, wait_s
        self.reason = reason or f"HTTP {status}"


_ERRORS: Final[Mapping[int, type[AdapterError]]] = {
    400: BadRequestError,
    401: AuthError,
    403: ForbiddenError,
    404: NotFoundError,
    429: TransientError,
}
"""The one table from an HTTP status to what the engine is told (5xx and timeouts: TransientError)."""

_HINTS: Final[Mapping[type[AdapterError], str]] = {
    AuthError: "create a private-app token with the crm.objects.contacts scopes and set it as "
    "crm.{crm}.access_token (LEADSYNC_CRM__{CRM}__ACCESS_TOKEN), then run `leadsync check --live`",
    TransientError: "it is retried next cycle",
    ForbiddenError: "grant the private app the scopes HubSpot names (Settings → Integrations → "
    "Private apps), then run `leadsync check --live`",
}


class Response:
    """A parsed answer: its status (200 or 207 for batches) and JSON body."""

    __slots__ = ("body", "status")

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        self.status, self.body = status, body


class Transport:
    """Makes one logical call: limit, send, parse, retry, map errors; counts every HTTP call."""

    def __init__(
        self, crm: str, base_url: str, *, limiter: RateLimiter, sleep: Callable[[float], None], attempts: int,
        timeout_s: float, connect_timeout_s: float,
    ) -> None:  # fmt: skip
        self._crm, self._base_url = crm, base_url
        self._limiter, self._sleep = limiter, sleep
        self._attempts, self._timeout_s, self._connect_timeout_s = attempts, timeout_s, connect_timeout_s
        self.calls = 0
        self.daily_used: int | None = None
        self.daily_limit: int | None = None
        self._counted_on = ""  # the day HubSpot's daily headers were last read

    def call(
        self, what: str, method: Callable[..., Any], /, *, search: bool = False, **kwargs: object
    ) -> Response:
        """Call a client API method (`what` names it in errors) and return its parsed answer."""
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        with logged_call(self._crm, what, rate_headers=_RATE_HEADERS) as record:
            try:
                return retrying(self._once, what, method, search, kwargs, record)
            except _Retryable as exc:
                raise TransientError(
                    f"hubspot crm.{self._crm}: {what} failed after {self._attempts} tries "
                    f"(last: {exc.reason}); {_HINTS[TransientError]}"
                ) from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.wait_s is not None:
            self._limiter.penalize(exc.wait_s)
            return exc.wait_s
        return _BACKOFF_S[min(state.attempt_number, len(_BACKOFF_S)) - 1]

    def _once(
        self,
        what: str,
        method: Callable[..., Any],
        search: bool,
        kwargs: Mapping[str, object],
        record: CallRecord,
    ) -> Response:
        if self._spent_today():
            raise BudgetExhausted(
                f"hubspot: all {self.daily_limit} calls of today's allowance are spent (HubSpot's "
                f"X-HubSpot-RateLimit-Daily-Remaining is 0); {what} was not sent. The next cycle "
                "after midnight UTC resumes from the same cursor"
            )
        self._limiter.acquire(search=search)
        self.calls += 1
        record.tried()
        _watch(method)
        try:
            raw = method(
                **kwargs, _preload_content=False, _request_timeout=(self._connect_timeout_s, self._timeout_s)
            )
        except urllib3.exceptions.HTTPError as exc:  # timeouts, resets: the client does not wrap them
            retry = _Retryable(0, {}, None, _no_answer(exc, self._timeout_s))
            raise self._unreachable(exc) or retry from None
        except Exception as exc:
            status = getattr(exc, "status", None)
            if not type(exc).__module__.startswith("hubspot.") or not isinstance(status, int):
                raise
            if status == 0 and (failed := self._unreachable(exc)):  # the client wraps an SSLError
                raise failed from None
            record.answered(status, getattr(exc, "headers", None))
            raise self._failure(
                what, status, getattr(exc, "body", None), getattr(exc, "headers", None)
            ) from None
        data = raw.data  # always read: an unread response leaks its connection
        record.answered(raw.status, raw.headers)
        self._count(raw.headers)
        return Response(raw.status, json.loads(data) if data else {})

    def _unreachable(self, exc: BaseException) -> AdapterError | None:
        return unreachable_error(
            self._crm, self._base_url, f"crm.{self._crm}.base_url", exc, connect_s=self._connect_timeout_s
        )

    def _spent_today(self) -> bool:
        used, limit = self.daily_used, self.daily_limit
        return (
            used is not None
            and limit is not None
            and used >= limit
            and self._counted_on == self._limiter.day()
        )

    def _count(self, headers: Mapping[str, str] | None) -> None:
        """Honour HubSpot's `X-HubSpot-RateLimit-*` headers (api-notes, "HubSpot CRM v3"): none
        left in the 10-s window holds the next call back; none left today stops before calling."""
        if not headers:
            return
        if headers.get("X-HubSpot-RateLimit-Remaining") == "0":
            self._limiter.saturate()
        daily, remaining = (
            headers.get("X-HubSpot-RateLimit-Daily"),
            headers.get("X-HubSpot-RateLimit-Daily-Remaining"),
        )
        if daily and remaining and daily.isdigit() and remaining.isdigit():
            self.daily_limit, self.daily_used = int(daily), int(daily) - int(remaining)
            self._counted_on = self._limiter.day()

    def _failure(
        self, what: str, status: int, raw_body: object, headers: Mapping[str, str] | None
    ) -> Exception:
        body = _json(raw_body)
        if status == _TOO_MANY:
            policy = str(body.get("policyName", ""))
            if policy == "DAILY":
                return BudgetExhausted(
                    f"hubspot: the daily API allowance is spent ({what}); the next cycle after "
                    "midnight UTC resumes from the same cursor"
                )
            retry_after = (headers or {}).get("Retry-After")
            wait_s = (
                float(retry_after)
                if retry_after and _is_number(retry_after)
                else _POLICY_WAIT_S.get(policy, 10.0)
            )
            return _Retryable(status, body, wait_s)
        if status == 0 or status >= _SERVER_ERRORS:
            return _Retryable(status, body, None)
        kind = _ERRORS.get(status, AdapterError)
        message = str(body.get("message", ""))[:300]
        hint = _HINTS.get(kind, "").format(crm=self._crm, CRM=self._crm.upper())
        text = f"hubspot crm.{self._crm}: {what} answered HTTP {status}: {message}"
        text += f"; {hint}" if hint else ""
        if kind is BadRequestError:
            return BadRequestError(text, body)
        if kind is ForbiddenError:
            return ForbiddenError(text, body)
        return kind(text)


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


def _json(raw: object) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
