"""A thin Marketo REST client of our own on the kit (README, "Marketo": why not marketorestpython).

One `requests` session from the kit, the access token as `Authorization: Bearer` (the query
parameter is gone since 31 Aug 2026), every call counted against the daily quota, spaced by the
kit's limiter (100 calls per 20 s, 10 at once) and retried by its `Caller` through the error table
below. Marketo answers most errors inside an HTTP 200 (`success: false`, `errors[].code` a quoted
string): they are read as the error they are; 601/602 (token invalid, expired) renew the token.
"""

from __future__ import annotations

from typing import Any, Final

import requests

from leadsync import adapter_api as contract
from leadsync import kit

from .identity import Identity
from .quota import CallQuota
from .settings import MarketoSettings

__all__ = ["ERRORS", "MarketoClient", "Row"]

Row = dict[str, Any]  # a record as the API answers it: `Any` stops in the adapter
_O = kit.Outcome
ERRORS: Final = kit.ErrorTable(  # experienceleague / AdobeDocs marketo-developer `error-codes.md`
    kit.ErrorRule(_O.BUDGET_EXHAUSTED, None, "607", "the subscription's daily API quota is reached"),
    kit.ErrorRule(_O.TRANSIENT, None, "606", "over 100 calls in 20 s: waited out"),
    kit.ErrorRule(_O.TRANSIENT, None, "615", "over 10 calls at once"),
    *(kit.ErrorRule(_O.TRANSIENT, None, code) for code in ("502", "604", "608", "611", "713", "1029")),
    kit.ErrorRule(_O.UNAVAILABLE, None, "603", "give the API-only user's role this permission"),
    kit.ErrorRule(_O.UNAVAILABLE, None, "1035", "this subscription refuses the filter"),
    kit.ErrorRule(_O.REJECTED, None, "1003", "the request or record holds invalid data"),
    kit.ErrorRule(_O.GONE, None, "1004", "the lead is not found (deleted or merged away)"),
    kit.ErrorRule(_O.REJECTED, None, "1006", "a written field does not exist: run `leadsync check --live`"),
    kit.ErrorRule(_O.REJECTED, None, "1007", "several leads match"),
    kit.ErrorRule(_O.UNAUTHORIZED, 401, hint="set a valid crm.{crm}.client_id and client_secret"),
    kit.ErrorRule(_O.TRANSIENT, 0),  # no answer at all
    kit.ErrorRule(_O.TRANSIENT, range(500, 600)),
)
_RATE_WINDOW_S: Final = 20.0
_ARRIVAL_S: Final = (
    0.9  # Marketo counts a call when it arrives: with the kit's 0.1 s spread, a whole second more
)
_RENEW: Final = frozenset({"601", "602"})
_OK: Final = 200
_RATE_WAIT_S: Final = 20.0  # 606: the 20-second window is full


class MarketoClient:
    """Calls one instance's REST API; `quota` counts the day's calls, `caller` the requests."""

    def __init__(self, context: contract.AdapterContext, settings: MarketoSettings) -> None:
        self.quota = CallQuota(context.clock, settings.share_of(settings.daily_calls))
        window = kit.RateLimit(settings.share_of(100), _RATE_WINDOW_S + _ARRIVAL_S)
        limiter = kit.Limiter(
            window, clock=context.clock, sleep=context.sleep, in_flight=settings.max_in_flight
        )
        self.caller = kit.Caller(
            context.name, f"marketo crm.{context.name}", ERRORS, limiter,
            kit.RetryPolicy(settings.attempts), context.sleep, before_call=self.quota.spend,
        )  # fmt: skip
        self._http = kit.http_session(settings.connect_timeout_s, settings.timeout_s)
        self.identity = Identity(context, settings, self._http)
        self._sessions = kit.Sessions(self.caller, kit.Login("token", self.identity.token))

    def call(self, what: str, method: str, path: str, **request: Any) -> Row:  # noqa: ANN401 - requests' options
        """One logical call; its answer's body when `success` is true."""

        def once(session: kit.Session, _record: object) -> Row:
            if self.identity.expiring(session):
                raise kit.SessionExpired
            sent = {**request, "headers": {"Authorization": f"Bearer {session.access_token}"}}
            return self._try(method, session.base_url + path, sent)

        try:
            return self._sessions.call(what, once)
        except contract.BudgetExhausted:
            self.quota.exhausted()
            raise

    def _try(self, method: str, url: str, request: Row) -> Row:
        try:
            reply = self._http.request(method, url, **request)
        except requests.RequestException as exc:
            raise kit.AttemptFailed(0, type(exc).__name__) from None
        body = kit.json_object(reply.content)
        if reply.status_code != _OK:  # 413, 414 and gateway errors only
            raise kit.AttemptFailed(reply.status_code, reply.text[:300], body=body)
        if body.get("success") is not False:
            return body
        errors = [e for e in body.get("errors") or () if isinstance(e, dict)]
        codes = tuple(str(e.get("code")) for e in errors)
        if _RENEW.intersection(codes):
            raise kit.SessionExpired
        message = "; ".join(str(e.get("message") or "") for e in errors)
        wait_s = _RATE_WAIT_S if "606" in codes else None
        raise kit.AttemptFailed(_OK, message, codes=codes, body=body, retry_after_s=wait_s)
