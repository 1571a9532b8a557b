"""One logical CRM call: budget check, rate limit, retries (tenacity), error table, logging, counting.

An adapter gives `Caller.call` a function that sends one request and returns its parsed answer,
or raises `AttemptFailed` for an error answer (or no answer: status 0). The caller asks the
limiter for a slot before each try, retries what the adapter's error table calls transient —
waiting as long as the CRM asked (`retry_after_s`, counted by the limiter) or else backing off
exponentially — and turns the last failure into the exception the engine acts on. Any other
exception the function raises (a connection that cannot be made) ends the call untried again.
Each call is one `crm.call` event (`leadsync.call_log`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from leadsync.adapter_api import AdapterError, TransientError
from leadsync.call_log import CallRecord, logged_call

from .errors import ErrorTable, Outcome
from .limiter import Limiter

__all__ = ["AttemptFailed", "Caller", "RetryPolicy"]

T = TypeVar("T")


class AttemptFailed(Exception):  # noqa: N818 - a signal between an adapter's send and the caller
    """One try's error answer (status 0: none came), as the error table reads it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        codes: tuple[str, ...] = (),
        body: Mapping[str, Any] | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.codes = status, message, codes
        self.body: Mapping[str, Any] = body or {}
        self.retry_after_s = retry_after_s

    def describe(self) -> str:
        """`HTTP 400 INVALID_FIELD: message`, or the message alone when no answer came."""
        if not self.status:
            return self.message
        return " ".join(filter(None, (f"HTTP {self.status}", ", ".join(self.codes)))) + f": {self.message}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a transient failure is tried again, and the exponential backoff between tries."""

    attempts: int
    backoff_s: float = 1.0
    max_wait_s: float = 60.0


@dataclass(slots=True)
class Caller:
    """Makes one CRM's calls; `label` starts every message (`hubspot crm.main`)."""

    crm: str
    label: str
    errors: ErrorTable
    limiter: Limiter
    retry: RetryPolicy
    sleep: Callable[[float], None]
    rate_headers: tuple[str, ...] = ()
    before_call: Callable[[], None] = field(default=lambda: None)
    """Runs before every try: raises `BudgetExhausted` when the CRM's allowance is known spent."""
    calls: int = 0
    _counting: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def call(self, what: str, send: Callable[[CallRecord], T], *, kind: str | None = None) -> T:
        """Send with retries; raise only adapter_api errors (and `CallRefused`)."""
        retrying = Retrying(
            retry=retry_if_exception(self._transient),
            stop=stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
        )
        with logged_call(self.crm, what, rate_headers=self.rate_headers) as record:
            try:
                result: T = retrying(self._once, send, kind, record)
                return result
            except AttemptFailed as failed:
                raise self._error(what, failed) from None

    def count_request(self, record: CallRecord) -> None:
        """Count one more request sent inside a try (a session's renewal): in `calls` and in its log."""
        with self._counting:  # calls may be in flight on several threads
            self.calls += 1
        record.tried()

    def _once(self, send: Callable[[CallRecord], T], kind: str | None, record: CallRecord) -> T:
        self.before_call()
        with self.limiter.slot(kind):
            self.count_request(record)
            return send(record)

    def _transient(self, exc: BaseException) -> bool:
        return (
            isinstance(exc, AttemptFailed) and self.errors.outcome(exc.status, exc.codes) is Outcome.TRANSIENT
        )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, AttemptFailed) and exc.retry_after_s is not None:
            self.limiter.penalize(exc.retry_after_s)
            return exc.retry_after_s
        backoff = wait_exponential(multiplier=self.retry.backoff_s, max=self.retry.max_wait_s)
        return float(backoff(state))

    def _error(self, what: str, failed: AttemptFailed) -> AdapterError:
        if self._transient(failed):
            hint = self.errors.rule(failed.status, failed.codes).hint or "it is retried next cycle"
            return TransientError(
                f"{self.label}: {what} failed after {self.retry.attempts} tries "
                f"(last: {failed.describe()}); {hint.format(crm=self.crm, CRM=self.crm.upper())}"
            )
        message = f"{self.label}: {what} answered {failed.describe()}"
        return self.errors.error(
            self.crm, message, status=failed.status, codes=failed.codes, body=failed.body
        )
