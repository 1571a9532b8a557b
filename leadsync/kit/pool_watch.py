"""The call log for adapters whose client speaks urllib3, as `http_session` is for requests.

Clients generated from OpenAPI specs (hubspot-api-client among them) send every request through
`api_client.rest_client.pool_manager.request`, and their errors do not say which request
failed: the pool of the client a method belongs to is watched, and tells the call being logged
(`leadsync.call_log`) each request it sends. A request that got no answer says why in words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import urllib3

from leadsync.call_log import current_call

__all__ = ["no_answer", "watch_pool"]


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


def watch_pool(method: Callable[..., Any]) -> None:
    """While a call is logged, watch the pool of the client `method` belongs to (once per client)."""
    if current_call() is None:
        return
    owner = getattr(method, "__self__", None)
    rest = getattr(getattr(owner, "api_client", owner), "rest_client", None)
    pool = getattr(rest, "pool_manager", None)
    if rest is not None and pool is not None and not isinstance(pool, _WatchedPool):
        rest.pool_manager = _WatchedPool(pool)


def no_answer(exc: urllib3.exceptions.HTTPError, timeout_s: float) -> str:
    """Why a request made on a connection got no answer, for the message after the last try."""
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
        return f"no answer within timeout_s = {timeout_s:g} s"
    return type(reason).__name__
