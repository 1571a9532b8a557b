"""The error-mapping table each adapter declares: its API's errors → the core's typed outcomes.

An adapter lists rules (HTTP status, the API's error code, or both) in the order they are
tried; the first that matches decides. The engine never sees a CRM's codes: it sees the
exception class (`AuthError`, `StreamUnavailable`, `BudgetExhausted`, `TransientError`,
`CallRefused`) or, for one record of a batch, a `WriteResult` that says whether to retry and
whether the record is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from leadsync.adapter_api import (
    AdapterError,
    AuthError,
    BudgetExhausted,
    StreamUnavailable,
    TransientError,
    WriteResult,
)
from leadsync.model import RecordRef

__all__ = ["CallRefused", "ErrorRule", "ErrorTable", "Outcome"]

_MESSAGE_CHARS: Final = 300


class Outcome(Enum):
    """What an API error means to leadsync."""

    REJECTED = "rejected"  # this request or record is refused as it is: report it with the reason
    GONE = "gone"  # the record no longer exists (deleted, merged, converted): unlink it
    TRANSIENT = "transient"  # try again: now with a backoff, else next cycle
    UNAUTHORIZED = "unauthorized"  # the credentials are refused: a person must act
    UNAVAILABLE = "unavailable"  # this endpoint is refused to this account (tier, scope)
    BUDGET_EXHAUSTED = "budget_exhausted"  # the API allowance is spent: resume next window


class CallRefused(AdapterError):  # noqa: N818 - a condition, not a fault (STYLE.md §3)
    """The CRM refused a request as it was sent (`status`, its `codes` and parsed `body`)."""

    def __init__(self, message: str, *, status: int, codes: tuple[str, ...], body: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.status, self.codes, self.body = status, codes, body


_RAISED: Final[Mapping[Outcome, type[AdapterError]]] = {
    Outcome.TRANSIENT: TransientError,
    Outcome.UNAUTHORIZED: AuthError,
    Outcome.BUDGET_EXHAUSTED: BudgetExhausted,
}


@dataclass(frozen=True, slots=True)
class ErrorRule:
    """One row: errors with this status (a range, or None for any) and code (None: any) mean `outcome`.

    `hint` says how to fix it; `{crm}` and `{CRM}` in it name the configured CRM.
    """

    outcome: Outcome
    status: int | range | None = None
    code: str | None = None
    hint: str = ""

    def matches(self, status: int, codes: Iterable[str]) -> bool:
        """Whether an error with this status and these codes is this row's."""
        if isinstance(self.status, int) and status != self.status:
            return False
        if isinstance(self.status, range) and status not in self.status:
            return False
        return self.code is None or self.code in codes


class ErrorTable:
    """An adapter's rules, tried in order; an error no rule names is `default`."""

    def __init__(self, *rules: ErrorRule, default: Outcome = Outcome.REJECTED) -> None:
        self._rules, self._default = rules, ErrorRule(default)

    def rule(self, status: int, codes: Iterable[str] = ()) -> ErrorRule:
        """The first rule that names this error."""
        codes = tuple(codes)
        return next((rule for rule in self._rules if rule.matches(status, codes)), self._default)

    def outcome(self, status: int, codes: Iterable[str] = ()) -> Outcome:
        """What this error means."""
        return self.rule(status, codes).outcome

    def error(
        self,
        crm: str,
        message: str,
        *,
        status: int,
        codes: tuple[str, ...] = (),
        body: Mapping[str, Any] | None = None,
    ) -> AdapterError:
        """The exception the engine is given for a failed call: its class says what to do."""
        rule = self.rule(status, codes)
        hint = rule.hint.format(crm=crm, CRM=crm.upper())
        text = f"{message}; {hint}" if hint else message
        if rule.outcome is Outcome.UNAVAILABLE:
            return StreamUnavailable(text, code=codes[0] if codes else str(status), detail=message)
        raised = _RAISED.get(rule.outcome)
        if raised is not None:
            return raised(text)
        return CallRefused(text, status=status, codes=codes, body=body or {})

    def failed_write(self, ref: RecordRef, code: str, message: str) -> WriteResult:
        """One record's refusal in a batch answer, as the engine reads it: by the first rule that
        names its code (whatever the rule's status), else rejected."""
        outcome = next((rule.outcome for rule in self._rules if rule.code == code), Outcome.REJECTED)
        return WriteResult(
            ref,
            ok=False,
            code=code,
            message=message[:_MESSAGE_CHARS],
            retryable=outcome is Outcome.TRANSIENT,
            gone=outcome is Outcome.GONE,
        )
