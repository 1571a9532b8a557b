"""The simple-salesforce client behind retries, session renewal, the call budget and one error table.

A connection that cannot be made (DNS, refused, connect timeout, TLS) is not retried: it is
reported at once, naming the host and what to check (`adapters.unreachable`).
Each logical call is one `crm.call` event (`leadsync.call_log`), its request and answer seen by
the HTTP session's response hook (`auth.http_session`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)
from simple_salesforce.util import Usage
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from adapters.unreachable import UnreachableError, unreachable, unreachable_error
from leadsync.adapter_api import (
    AdapterError,
    AuthError,
    BudgetExhausted,
    CallRecord,
    TransientError,
    logged_call,
)

from .auth import Session, SessionProvider
from .options import SalesforceOptions

__all__ = ["SalesforceClient", "error_codes", "mapped_error"]

T = TypeVar("T")
_MESSAGE_CHARS: Final = 300
_SOQL_POSITION: Final = "ERROR at Row:"
_ANY_5XX: Final = "5xx"
_RATE_HEADERS: Final = ("Sforce-Limit-Info",)

# STYLE.md §4: every client error becomes an adapter_api class here, and only here.
# (client exception, Salesforce errorCode or "5xx" or None for any, adapter class, retry it)
ERROR_TABLE: Final[tuple[tuple[type[BaseException], str | None, type[AdapterError], bool], ...]] = (
    (SalesforceRefusedRequest, "REQUEST_LIMIT_EXCEEDED", BudgetExhausted, False),
    (SalesforceMalformedRequest, "UNABLE_TO_LOCK_ROW", TransientError, True),
    (SalesforceExpiredSession, None, AuthError, False),
    (SalesforceRefusedRequest, None, AuthError, False),
    (SalesforceGeneralError, _ANY_5XX, TransientError, True),
    (requests.Timeout, None, TransientError, True),
    (requests.ConnectionError, None, TransientError, True),
    (SalesforceError, None, AdapterError, False),
)


def error_codes(exc: BaseException) -> list[str]:
    """The errorCode of each item of a Salesforce REST error body (a JSON list), if any."""
    body = getattr(exc, "content", None)
    if not isinstance(body, list):
        return []
    return [str(item.get("errorCode", "")) for item in body if isinstance(item, Mapping)]


def _error_message(exc: BaseException) -> str:
    """Salesforce's message on one line. A SOQL error echoes the query line and a caret
    before its position and reason (tests/fixtures/recorded/salesforce/error_400_invalid_type.json):
    only the position and the reason are kept."""
    body = getattr(exc, "content", None)
    if not (isinstance(body, list) and body and isinstance(body[0], Mapping)):
        return type(exc).__name__
    message = str(body[0].get("message", ""))
    _, position, reason = message.partition(_SOQL_POSITION)
    return " ".join((position + reason if position else message).split())[:_MESSAGE_CHARS]


def _rule(exc: BaseException) -> tuple[type[AdapterError], bool] | None:
    codes = error_codes(exc)
    for kind, code, adapter_class, retry in ERROR_TABLE:
        if not isinstance(exc, kind):
            continue
        if code == _ANY_5XX and not getattr(exc, "status", 0) >= 500:  # noqa: PLR2004
            continue
        if code not in (None, _ANY_5XX) and code not in codes:
            continue
        return adapter_class, retry
    return None


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, UnreachableError | BudgetExhausted) or unreachable(exc) is not None:
        return False
    if isinstance(exc, TransientError):
        return True  # the token endpoint failed while renewing an expired session
    rule = _rule(exc)
    return rule is not None and rule[1]


def mapped_error(crm: str, what: str, exc: BaseException) -> AdapterError:
    """The adapter_api error for a client error; its message names the CRM, the call and the code."""
    rule = _rule(exc)
    adapter_class = rule[0] if rule else AdapterError
    if adapter_class is AuthError:
        return AuthError(
            f"Salesforce refused the credentials of crm.{crm} ({what}); renew them under crm.{crm}, "
            "then run `leadsync check`"
        )
    if isinstance(exc, requests.Timeout):
        return adapter_class(
            f"Salesforce {what} on crm.{crm} got no answer within crm.{crm}.timeout_s; "
            "it is retried next cycle"
        )
    codes = ", ".join(error_codes(exc)) or getattr(exc, "status", "") or type(exc).__name__
    return adapter_class(f"Salesforce {what} on crm.{crm} failed: {codes}: {_error_message(exc)}")


class SalesforceClient:
    """Calls Salesforce for one adapter: counts calls, honours the budget, retries, renews once."""

    def __init__(
        self,
        crm: str,
        options: SalesforceOptions,
        provider: SessionProvider,
        http: requests.Session,
        sleep: Callable[[float], None],
    ) -> None:
        self._crm, self._options, self._provider, self._http = crm, options, provider, http
        self._sleep = sleep
        self.calls = 0
        self.used: int | None = None
        self.limit: int | None = None
        self._sf: Any = None  # Salesforce: its __getattr__ (sObject handlers) defeats checkers
        self._instance_url = options.instance_url or ""

    @property
    def crm(self) -> str:
        """The name of the CRM this client calls (its `[crm.<name>]` table)."""
        return self._crm

    @property
    def timeout(self) -> tuple[float, float]:
        """The per-call timeouts, as requests takes them: (connect, read)."""
        return self._options.connect_timeout_s, self._options.timeout_s

    def query(self, soql: str, *, page_size: int, include_deleted: bool = False) -> dict[str, Any]:
        """The first page of a SOQL query; `include_deleted`: by the QueryAll resource, which also
        returns records deleted or merged away (still in the recycle bin)."""
        headers = {"Sforce-Query-Options": f"batchSize={page_size}"}
        what = "queryAll" if include_deleted else "query"
        return self.call(
            what,
            lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers, timeout=self.timeout),
        )

    def query_more(self, next_records_url: str, *, page_size: int) -> dict[str, Any]:
        """The next page of a query (the header must be sent on every page: api-notes)."""
        headers = {"Sforce-Query-Options": f"batchSize={page_size}"}
        return self.call(
            "queryMore",
            lambda sf: sf.query_more(
                next_records_url, identifier_is_url=True, headers=headers, timeout=self.timeout
            ),
        )

    def restful(
        self,
        what: str,
        path: str,
        *,
        method: str = "GET",
        json: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:  # noqa: ANN401 - JSON
        """One call to a REST resource under /services/data/vXX.X/ (`headers` added to the client's)."""
        extra: dict[str, Any] = {"headers": dict(headers)} if headers else {}
        if json is not None:
            extra["json"] = json
        return self.call(what, lambda sf: sf.restful(path, method=method, timeout=self.timeout, **extra))

    def call(self, what: str, request: Callable[[Any], T]) -> T:
        """Run one request with retries; raise only adapter_api errors."""
        retrying = Retrying(
            stop=stop_after_attempt(self._options.attempts),
            wait=wait_exponential(multiplier=self._options.backoff_s, max=60),
            retry=retry_if_exception(_retryable),
            sleep=self._sleep,
            reraise=True,
        )
        with logged_call(self._crm, what, rate_headers=_RATE_HEADERS) as record:
            try:
                result: T = retrying(self._attempt, what, request, record)
                return result
            except AdapterError:
                raise
            except (SalesforceError, requests.RequestException) as exc:
                raise self._unreachable(exc) or mapped_error(self._crm, what, exc) from None

    def _unreachable(self, exc: BaseException) -> AdapterError | None:
        key = (
            f"crm.{self._crm}.instance_url"
            if self._options.instance_url
            else f"the instance URL crm.{self._crm}'s login returned"
        )
        return unreachable_error(
            self._crm, self._instance_url, key, exc, connect_s=self._options.connect_timeout_s
        )

    def check_budget(self) -> None:
        """Raise BudgetExhausted when the configured share of the daily allowance is used."""
        if self.used is None or not self.limit:
            return
        if self.used / self.limit >= self._options.budget_share:
            raise BudgetExhausted(
                f"Salesforce crm.{self._crm}: {self.used} of {self.limit} daily API calls used, at or "
                f"over the budget share {self._options.budget_share:.0%}; the cycle stops and resumes "
                f"when Salesforce's rolling 24 h window frees calls (or raise crm.{self._crm}.budget_share)"
            )

    def _attempt(self, what: str, request: Callable[[Any], T], record: CallRecord) -> T:
        renewed = False
        while True:
            self.check_budget()
            if self._sf is None:
                self._sf = self._connect(self._provider.first())
            self.calls += 1
            record.tried()
            try:
                result = request(self._sf)
            except SalesforceExpiredSession:
                if renewed:
                    raise AuthError(
                        f"Salesforce rejected a freshly renewed session of crm.{self._crm} ({what}); "
                        f"check the integration user's access under crm.{self._crm}, "
                        "then run `leadsync check`"
                    ) from None
                self._sf = self._connect(self._provider.renew())  # AuthError when it cannot
                renewed = True
                continue
            finally:
                self._read_usage()
            return result

    def _connect(self, session: Session) -> Any:  # noqa: ANN401 - see self._sf
        self._instance_url = session.instance_url
        return Salesforce(
            instance_url=session.instance_url, session_id=session.session_id, session=self._http,
            version=self._options.api_version, object_pairs_hook=dict,
        )  # fmt: skip

    def _read_usage(self) -> None:
        usage = self._sf.api_usage.get("api-usage") if self._sf is not None else None
        if isinstance(usage, Usage):
            self.used, self.limit = usage.used, usage.total
