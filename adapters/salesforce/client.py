"""The simple-salesforce client on the kit's `Caller` and `Sessions`: its error table, the budget.

A connection that cannot be made (DNS, refused, connect timeout, TLS) is not retried: it is
reported at once, naming the host and what to check (`adapters.unreachable`).
Each logical call is one `crm.call` event (`leadsync.call_log`), its request and answer seen by
the kit's `http_session`, which also gives every request the configured (connect, read) timeouts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from operator import methodcaller
from typing import Any, Final, TypeVar

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession
from simple_salesforce.util import Usage

from adapters.unreachable import unreachable_error
from leadsync import kit
from leadsync.adapter_api import BudgetExhausted, Clock
from leadsync.kit import (
    AttemptFailed,
    Caller,
    Limiter,
    RateLimit,
    RetryPolicy,
    Session,
    SessionExpired,
    http_session,
)

from .auth import sessions
from .options import SalesforceOptions

__all__ = ["ERRORS", "UNSEEN_OBJECT", "SalesforceClient"]

T = TypeVar("T")
_MESSAGE_CHARS: Final = 300
_SOQL_POSITION: Final = "ERROR at Row:"
_RATE_HEADERS: Final = ("Sforce-Limit-Info",)
_CALLS_PER_SECOND: Final = 25
"""Salesforce counts calls per 24 h, not per second (api-notes); the limiter only keeps one
adapter from flooding an org's concurrent-request limit."""
_RENEW: Final = (
    "renew them under crm.{crm} (session_id, or the login it renews from), then run `leadsync check`"
)
UNSEEN_OBJECT: Final = (
    "the integration user cannot see the object, or it does not exist: grant the user read access "
    "to it (its profile or a permission set), or correct or remove its section in the mapping"
)

ERRORS: Final = kit.ErrorTable(
    kit.ErrorRule(kit.Outcome.BUDGET_EXHAUSTED, 403, "REQUEST_LIMIT_EXCEEDED", "the next cycle resumes"),
    kit.ErrorRule(kit.Outcome.TRANSIENT, code="UNABLE_TO_LOCK_ROW"),
    kit.ErrorRule(kit.Outcome.UNAUTHORIZED, 401, hint=_RENEW),
    kit.ErrorRule(kit.Outcome.UNAUTHORIZED, 403, hint=_RENEW),
    kit.ErrorRule(kit.Outcome.TRANSIENT, range(500, 600)),
    kit.ErrorRule(kit.Outcome.TRANSIENT, 0),
    kit.ErrorRule(kit.Outcome.GONE, code="ENTITY_IS_DELETED"),
    kit.ErrorRule(kit.Outcome.GONE, code="CANNOT_UPDATE_CONVERTED_LEAD"),
    kit.ErrorRule(kit.Outcome.GONE, code="NOT_FOUND"),
    kit.ErrorRule(kit.Outcome.UNAVAILABLE, 400, "INVALID_TYPE", UNSEEN_OBJECT),
)  # fmt: skip
"""Salesforce's errorCodes (REST API guide, "Status Codes and Error Responses"; api-notes). A query
of an object the integration user's profile cannot read is answered as one of an object that does
not exist: 400 `[{"message": "…sObject type 'X' is not supported…", "errorCode": "INVALID_TYPE"}]`
(tests/fixtures/recorded/salesforce/error_400_invalid_type.json; SalesforceLabs/OrgCheck#111;
the profile's object access, per jsforce/jsforce#423): the object is refused to this account."""


def _attempt_failed(exc: SalesforceError) -> AttemptFailed:
    """An error answer as the error table reads it: the errorCodes of its body (a JSON list) and
    its first message on one line. A SOQL error echoes the query line and a caret before its
    position and reason (tests/fixtures/recorded/salesforce/error_400_invalid_type.json): only
    the position and the reason are kept."""
    body = getattr(exc, "content", None)
    items = [item for item in body if isinstance(item, Mapping)] if isinstance(body, list) else []
    message = str(items[0].get("message", "")) if items else type(exc).__name__
    _, position, reason = message.partition(_SOQL_POSITION)
    message = " ".join((position + reason if position else message).split())[:_MESSAGE_CHARS]
    codes = tuple(str(item.get("errorCode", "")) for item in items)
    return AttemptFailed(int(getattr(exc, "status", 0) or 0), message, codes=codes)


class SalesforceClient:
    """Calls Salesforce for one adapter: counts calls, honours the budget, retries, renews once."""

    def __init__(
        self, crm: str, options: SalesforceOptions, *, clock: Clock, sleep: Callable[[float], None]
    ) -> None:
        self.crm, self._options = crm, options
        self._http = http_session(options.connect_timeout_s, options.timeout_s, ca_bundle=options.ca_bundle)
        self._caller = Caller(
            crm, f"Salesforce crm.{crm}", ERRORS,
            Limiter(
                RateLimit(_CALLS_PER_SECOND, 1.0), clock=clock, sleep=sleep, in_flight=options.max_in_flight
            ),
            RetryPolicy(options.attempts, options.backoff_s), sleep,
            rate_headers=_RATE_HEADERS, before_call=self.check_budget,
        )  # fmt: skip
        self._sessions = sessions(self._caller, options, self._http)
        self.used: int | None = None
        self.limit: int | None = None
        self._sf: Any = None  # Salesforce: its __getattr__ (sObject handlers) defeats checkers

    @property
    def calls(self) -> int:
        """HTTP requests sent so far, retries and renewals included."""
        return self._caller.calls

    def records(
        self, soql: str, *, page_size: int, include_deleted: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Every record a SOQL query returns, page by page (the batch size is sent on every page:
        api-notes); `include_deleted`: by the QueryAll resource, which also returns records deleted
        or merged away (still in the recycle bin)."""
        headers = {"Sforce-Query-Options": f"batchSize={page_size}"}
        what = "queryAll" if include_deleted else "query"
        page = self._call(what, lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers))
        while True:
            yield from page["records"]
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            more = methodcaller(
                "query_more", str(page["nextRecordsUrl"]), identifier_is_url=True, headers=headers
            )
            page = self._call("queryMore", more)

    def restful(self, what: str, path: str, *, method: str = "GET", **request: Any) -> Any:  # noqa: ANN401 - JSON
        """One call to a REST resource under /services/data/vXX.X/; `request`: what requests takes
        (`json`, and `headers`, added to the client's)."""
        return self._call(what, lambda sf: sf.restful(path, method=method, **request))

    def _call(self, what: str, request: Callable[[Any], T]) -> T:
        """Run one request with retries, renewing an expired session; raise only adapter_api errors."""
        return self._sessions.call(what, lambda session, _record: self._send(session, request))

    def check_budget(self) -> None:
        """Raise BudgetExhausted when the configured share of the daily allowance is used."""
        if self.used is not None and self.limit and self.used / self.limit >= self._options.budget_share:
            raise BudgetExhausted(
                f"Salesforce crm.{self.crm}: {self.used} of {self.limit} daily API calls used, at or "
                f"over the budget share {self._options.budget_share:.0%}; the cycle stops and resumes "
                f"when Salesforce's rolling 24 h window frees calls (or raise crm.{self.crm}.budget_share)"
            )

    def _send(self, session: Session, request: Callable[[Any], T]) -> T:
        sf = self._on(session)
        try:
            return request(sf)
        except SalesforceExpiredSession:
            raise SessionExpired from None
        except (SalesforceError, requests.RequestException) as exc:
            raise self._failure(session.base_url, exc) from None
        finally:
            usage = sf.api_usage.get("api-usage")
            if isinstance(usage, Usage):
                self.used, self.limit = usage.used, usage.total

    def _failure(self, instance_url: str, exc: SalesforceError | requests.RequestException) -> Exception:
        """A client error as the error table reads it, or a connection that cannot be made."""
        key = (
            f"crm.{self.crm}.instance_url"
            if self._options.instance_url
            else f"the instance URL crm.{self.crm}'s login returned"
        )
        unreachable = unreachable_error(
            self.crm, instance_url, key, exc, connect_s=self._options.connect_timeout_s
        )
        if unreachable is not None:
            return unreachable
        if isinstance(exc, requests.Timeout):
            return AttemptFailed(0, f"no answer within crm.{self.crm}.timeout_s")
        if isinstance(exc, requests.RequestException):
            return AttemptFailed(0, type(exc).__name__)
        return _attempt_failed(exc)

    def _on(self, session: Session) -> Any:  # noqa: ANN401 - see self._sf
        """simple-salesforce's client in this session, made again when the session is renewed."""
        if self._sf is None or self._sf.session_id != session.access_token:
            self._sf = Salesforce(
                instance_url=session.base_url, session_id=session.access_token, session=self._http,
                version=self._options.api_version, object_pairs_hook=dict,
            )  # fmt: skip
        return self._sf
