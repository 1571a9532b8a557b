"""`crm.call`: one structured event per CRM API call, the same for every adapter.

An adapter runs each logical call (its retries included) inside `logged_call` and tells the
`CallRecord` it is given what happened: each try (`tried`), the request sent and the answer
(`sent`, `answered`). Low-level hooks that cannot be handed the record (a client's connection
pool, a requests response hook) find it with `current_call`. The event keeps the URL's path
only, never its query string (it may carry a token or a long cursor), and of the headers only
the rate-limit ones the adapter names. It is a debug event: when that level is filtered out,
nothing is timed, watched or built.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final
from urllib.parse import urlsplit

import structlog

__all__ = ["CallRecord", "current_call", "logged_call", "safe_path"]

_log = structlog.get_logger("leadsync.crm")
_current: ContextVar[CallRecord | None] = ContextVar("leadsync_crm_call", default=None)
_PATH_CHARS: Final = 120


class CallRecord:
    """What one logical call did, filled in as it runs and logged once when it ends."""

    __slots__ = ("_rate_headers", "method", "rate_limits", "status", "tries", "url")

    def __init__(self, rate_headers: tuple[str, ...] = ()) -> None:
        self._rate_headers = rate_headers
        self.method = ""
        self.url = ""
        self.status: int | None = None
        self.rate_limits: dict[str, str] = {}
        self.tries = 0

    def tried(self) -> None:
        """One more HTTP request is sent for this call (the first, or a retry)."""
        self.tries += 1

    def sent(self, method: str, url: str) -> None:
        """The request's method and URL (the URL's query string is never logged)."""
        self.method, self.url = method, url

    def answered(self, status: int, headers: Mapping[str, str] | None) -> None:
        """An answer's status, and the named rate-limit headers it carries (the last seen of each)."""
        self.status = status
        for name in self._rate_headers:
            if headers and (value := headers.get(name)) is not None:
                self.rate_limits[name] = value


_IGNORED: Final = CallRecord()
"""Handed out while the event is filtered out: whatever it is told is never read."""


def current_call() -> CallRecord | None:
    """The record of the call being made on this thread, if it is being logged."""
    return _current.get()


@contextmanager
def logged_call(crm: str, what: str, *, rate_headers: tuple[str, ...] = ()) -> Iterator[CallRecord]:
    """Log one `crm.call` event for the call made inside: method, path, status, ms, retries,
    the rate-limit headers seen, and the error class if it raised."""
    if not _log.is_enabled_for(logging.DEBUG):
        yield _IGNORED
        return
    record = CallRecord(rate_headers)
    token = _current.set(record)
    started = time.perf_counter()
    error = ""
    try:
        yield record
    except BaseException as exc:
        error = type(exc).__name__
        raise
    finally:
        _current.reset(token)
        if record.tries:  # a call refused before sending (a spent budget) is no API call
            _log_call(crm, what, record, ms=(time.perf_counter() - started) * 1000, error=error)


def _log_call(crm: str, what: str, record: CallRecord, *, ms: float, error: str) -> None:
    _log.debug(
        "crm.call",
        crm=crm,
        call=what,
        method=record.method,
        path=safe_path(record.url),
        status=record.status,
        ms=round(ms, 1),
        retries=record.tries - 1,
        rate_limits=record.rate_limits,
        **({"error": error} if error else {}),
    )


def safe_path(url: str) -> str:
    """The path of `url` alone (no scheme, host, query or fragment), cut to a readable length."""
    path = urlsplit(url).path
    return path if len(path) <= _PATH_CHARS else f"{path[: _PATH_CHARS - 1]}…"
