"""Calls to HubSpot through the official client, on the kit's `Caller`: its error table, raw JSON.

Every call asks the client for the raw urllib3 response (`_preload_content=False`) and
parses it with msgspec: the client's model deserialization costs ~85 % of a batch
call (api-notes, client-side cost). The body is always read, so no connection leaks.
The client is built with `Retry(total=0)`: urllib3 would otherwise sleep on a 429's
`Retry-After` and re-send on its own (api-notes, verified 2026-11-23). A connection that cannot
be made (DNS, refused, connect timeout, TLS) is reported at once, not retried (`adapters.unreachable`).
The client's connection pool is watched for the request it sends, since its errors do not say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import msgspec
import urllib3

from adapters.unreachable import unreachable_error
from leadsync.adapter_api import CallRecord, Clock
from leadsync.kit import (
    AttemptFailed,
    Caller,
    DailyAllowance,
    ErrorRule,
    ErrorTable,
    Limiter,
    Outcome,
    RateLimit,
    RetryPolicy,
    every_row,
    json_at,
    json_object,
    no_answer,
    retry_after_s,
    watch_pool,
)

from .settings import HubSpotSettings

__all__ = ["ERRORS", "Response", "Transport"]

_POLICY_WAIT_S: Final = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}
_RATE_HEADERS: Final = ("X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Daily-Remaining")
_SEARCH: Final = "search"
_SPENT: Final = (
    "hubspot: all {limit} calls of today's allowance are spent (HubSpot's "
    "X-HubSpot-RateLimit-Daily-Remaining is 0); nothing was sent. The next cycle "
    "after midnight UTC resumes from the same cursor"
)

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


@dataclass(frozen=True, slots=True)
class Response:
    """A parsed answer: its status (200 or 207 for batches) and JSON body."""

    status: int
    body: Mapping[str, Any]

    @property
    def next_after(self) -> str | None:
        """The next page's cursor (`paging.next.after`); None on the last page."""
        after = json_at(self.body, "paging", "next", "after")
        return str(after) if after else None


class Transport:
    """Makes one logical call through a client API method; reads HubSpot's rate-limit headers."""

    def __init__(
        self, crm: str, settings: HubSpotSettings, *, clock: Clock, sleep: Callable[[float], None]
    ) -> None:
        self._crm, self._settings, self._clock = crm, settings, clock
        self.limiter = Limiter(
            RateLimit(settings.share_of(settings.per_ten_seconds), 10.0),
            kinds={_SEARCH: RateLimit(settings.share_of(settings.search_per_second), 1.0)},
            clock=clock,
            sleep=sleep,
            in_flight=settings.max_in_flight,
        )
        self.daily = DailyAllowance(clock, spent=_SPENT)
        self._caller = Caller(
            crm, f"hubspot crm.{crm}", ERRORS, self.limiter, RetryPolicy(settings.attempts), sleep,
            rate_headers=_RATE_HEADERS, before_call=self.daily.check,
        )  # fmt: skip

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

    def listed(
        self, what: str, method: Callable[..., Any], /, decode: Callable[[str], str] = str, **kwargs: object
    ) -> Iterator[dict[str, Any]]:
        """Every result of a listing paged by `after`, a call per page, the next asked while this one's
        results are used; `decode` turns a returned cursor into the one to send."""

        def page(after: str | None) -> tuple[list[dict[str, Any]], str | None]:
            sent = {**kwargs, "after": after and decode(after)}
            answer = self._caller.call(what, lambda record: self._send(method, sent, record))
            return answer.body.get("results", []), answer.next_after

        return every_row(page, ahead=True)

    def _send(self, method: Callable[..., Any], kwargs: Mapping[str, object], record: CallRecord) -> Response:
        watch_pool(method)
        timeouts = (self._settings.connect_timeout_s, self._settings.timeout_s)
        try:
            raw = method(**kwargs, _preload_content=False, _request_timeout=timeouts)
        except urllib3.exceptions.HTTPError as exc:  # timeouts, resets: the client does not wrap them
            error = self._unreachable(exc) or AttemptFailed(0, no_answer(exc, self._settings.timeout_s))
            raise error from None
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
        return Response(raw.status, msgspec.json.decode(data) if data else {})

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

    def _count(self, headers: Mapping[str, str] | None) -> None:
        """Honour HubSpot's `X-HubSpot-RateLimit-*` headers (api-notes, "HubSpot CRM v3"): none
        left in the 10-s window holds the next call back; none left today stops before calling."""
        if not headers:
            return
        if headers.get("X-HubSpot-RateLimit-Remaining") == "0":
            self.limiter.saturate()
        daily = headers.get("X-HubSpot-RateLimit-Daily")
        remaining = headers.get("X-HubSpot-RateLimit-Daily-Remaining")
        if daily and remaining and daily.isdigit() and remaining.isdigit():
            self.daily.counted(int(daily), int(remaining))
