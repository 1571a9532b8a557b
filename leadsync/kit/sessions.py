"""A CRM session on the kit's `Caller`: opened at the first call, renewed once when the CRM refuses it.

An adapter gives `Sessions` the session it was configured with, if any, and a `Login` that gets
a new one (an OAuth token request, a SOAP login); its send raises `SessionExpired` when the CRM
refuses the session the request carried (Salesforce's 401 INVALID_SESSION_ID; Marketo's 601/602
in a 200 body). The session is then renewed, the renewal counted as one more request of the try,
and the request sent again; refused again right after, it is an `AuthError`, never a loop. Each
login is one `crm.call` event; a login that raises `TransientError` (its endpoint is down for
now) is a failed try with no answer (status 0), which the caller tries again when the adapter's
error table calls status 0 transient. A renewal another call made meanwhile is used, not repeated.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from leadsync.adapter_api import AuthError, TransientError
from leadsync.call_log import CallRecord, logged_call

from .calls import AttemptFailed, Caller

__all__ = ["Login", "Session", "SessionExpired", "Sessions"]

T = TypeVar("T")


class SessionExpired(Exception):  # noqa: N818 - a signal between an adapter's send and `Sessions`
    """Raised by an adapter's send: the CRM refused the session the request carried."""


@dataclass(frozen=True, slots=True)
class Session:
    """Where the account's API answers, and the access token to send there (never printed)."""

    base_url: str
    access_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Login:
    """How a new session is had without a person; `what` names its call in the log (`token`)."""

    what: str
    new: Callable[[], Session]


class Sessions:
    """Makes a CRM's calls in its session; `fix` says how a person renews a session no `Login` can.

    `{crm}` and `{CRM}` in `fix` name the configured CRM, as in an `ErrorRule` hint.
    """

    def __init__(
        self, caller: Caller, login: Login | None, *, given: Session | None = None, fix: str = ""
    ) -> None:
        self._caller, self._login, self._fix = caller, login, fix
        self._session = given
        self._lock = threading.Lock()

    def call(self, what: str, send: Callable[[Session, CallRecord], T], *, kind: str | None = None) -> T:
        """`Caller.call`, sending in the current session; raise only adapter_api errors."""
        return self._caller.call(what, lambda record: self._send(what, send, record), kind=kind)

    def _send(self, what: str, send: Callable[[Session, CallRecord], T], record: CallRecord) -> T:
        session = self._current()
        try:
            return send(session, record)
        except SessionExpired:
            pass
        try:
            return send(self._renewed(session, record), record)
        except SessionExpired:
            pass
        crm = self._caller.crm
        raise AuthError(
            f"{self._caller.label} refused a freshly renewed session ({what}); check the API user's "
            f"access under crm.{crm}, then run `leadsync check`"
        )

    def _current(self) -> Session:
        with self._lock:
            if self._session is None:
                self._session = self._new()
            return self._session

    def _renewed(self, expired: Session, record: CallRecord) -> Session:
        """A session other than `expired`: a new one (counted), unless another call already renewed it."""
        with self._lock:
            if self._session is not None and self._session is not expired:
                return self._session
            self._session = renewed = self._new()
            self._caller.count_request(record)
            return renewed

    def _new(self) -> Session:
        crm = self._caller.crm
        if self._login is None:
            raise AuthError(
                f"{self._caller.label} refused the session, which cannot be renewed without a person; "
                + self._fix.format(crm=crm, CRM=crm.upper())
            )
        try:
            with logged_call(crm, self._login.what) as record:
                record.tried()
                return self._login.new()
        except TransientError as exc:
            raise AttemptFailed(0, str(exc)) from None
