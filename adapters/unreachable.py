"""Why no connection to a CRM was made: DNS, refused, connect timeout or TLS, from urllib3's errors.

Both clients end in urllib3 (requests wraps its `MaxRetryError`; the HubSpot client lets it
through), whose `reason` says what failed. None of these is retried inside a call: the host is
not there, or not the one configured, so the error is reported at once and the next cycle
tries again (a read timeout or a reset, after connecting, is retried as before).
"""

from __future__ import annotations

from enum import Enum
from typing import Final

import urllib3.exceptions as u3

from leadsync.adapter_api import AuthError, TransientError

__all__ = ["TlsError", "Unreachable", "UnreachableError", "unreachable", "unreachable_error"]

_DETAIL_CHARS: Final = 160


class UnreachableError(TransientError):
    """The CRM's host could not be reached (DNS, refused, connect timeout); the next cycle retries."""


class TlsError(AuthError):
    """The CRM's host failed the TLS handshake or certificate check: a person must fix the URL or CA."""


class Unreachable(Enum):
    """What stopped a connection, as an admin reads it, and what to check (`{key}`: the URL's key)."""

    DNS = ("DNS lookup failed: the host name does not resolve", "check the host name in {key}")
    REFUSED = (
        "connection refused (or no route to the host)",
        "check the host and port in {key} and that the service is up",
    )
    CONNECT_TIMEOUT = (
        "no connection within the connect timeout of {connect_s:g} s",
        "check {key}, firewalls and proxies on the way, or raise crm.{crm}.connect_timeout_s",
    )
    TLS = (
        "TLS handshake failed",
        "check that {key} is the CRM's https:// address and that its certificate is trusted (ca_bundle)",
    )

    def __init__(self, what: str, fix: str) -> None:
        self.what, self.fix = what, fix


def unreachable(exc: BaseException) -> tuple[Unreachable, str] | None:
    """What stopped the connection and urllib3's detail, or None when a connection was made."""
    reason: BaseException | None = exc
    seen: set[int] = set()
    while reason is not None and id(reason) not in seen:  # requests → MaxRetryError → its reason
        seen.add(id(reason))
        kind = _kind(reason)
        if kind is not None:
            said = [arg for arg in reason.args if isinstance(arg, str)]  # not the connection's repr
            return kind, (said[-1] if said else str(reason))[-_DETAIL_CHARS:]
        nested = getattr(reason, "reason", None)
        if not isinstance(nested, BaseException) and reason.args:
            nested = reason.args[0]
        reason = nested if isinstance(nested, BaseException) else reason.__context__
    return None


def unreachable_error(
    crm: str, url: str, key: str, exc: BaseException, *, connect_s: float
) -> UnreachableError | TlsError | None:
    """The error to raise for a connection to `url` (`key` configures it) that `exc` stopped, if it did."""
    found = unreachable(exc)
    if found is None:
        return None
    kind, detail = found
    what = kind.what.format(connect_s=connect_s)
    message = f"crm.{crm}: cannot connect to {url}: {what} ({detail}); {kind.fix.format(key=key, crm=crm)}"
    return TlsError(message) if kind is Unreachable.TLS else UnreachableError(message)


def _kind(error: BaseException) -> Unreachable | None:
    # NameResolutionError and NewConnectionError subclass ConnectTimeoutError: the order matters.
    if isinstance(error, u3.NameResolutionError):
        return Unreachable.DNS
    if isinstance(error, u3.NewConnectionError):
        return Unreachable.REFUSED
    if isinstance(error, u3.ConnectTimeoutError):
        return Unreachable.CONNECT_TIMEOUT
    if isinstance(error, u3.SSLError):
        return Unreachable.TLS
    return None
