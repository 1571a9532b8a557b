"""A requests session for adapters whose client speaks requests: timeouts, trusted CAs, the call log.

Some clients send a request without a timeout (simple-salesforce's `SalesforceLogin`): the
session's transport gives every such request the configured (connect, read) ones. The
environment is not trusted, else REQUESTS_CA_BUNDLE overrides `verify` (shared/api-notes.md):
`ca_bundle` is the only CA file read. Each answer is told to the call being logged
(`leadsync.call_log`). A client that speaks urllib3 watches its pool instead (`pool_watch`).
`json_try` is one try of a JSON call on such a session, for an adapter with a client of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from leadsync.call_log import current_call

from .calls import AttemptFailed
from .http import json_object, retry_after_s

__all__ = ["Problem", "http_session", "json_try"]

_FIRST_ERROR = 400  # RFC 9110 §15.5: 4xx and 5xx answer no result

Problem = Callable[[dict[str, Any]], tuple[str, tuple[str, ...]]]
"""An API's error envelope read: (its detail, its error codes)."""


class _TimeoutAdapter(HTTPAdapter):
    """Gives a request sent without a timeout the configured (connect, read) ones."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self._timeout = timeout

    def send(  # noqa: PLR0917 - requests' own signature
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        chosen = self._timeout if timeout is None else timeout
        return super().send(request, stream, chosen, verify, cert, proxies)


def http_session(connect_s: float, read_s: float, *, ca_bundle: Path | None = None) -> requests.Session:
    """A requests session that times out every request, trusts `ca_bundle` when given and tells the
    logged call each request and its answer."""
    http = requests.Session()
    http.trust_env = False
    if ca_bundle is not None:
        http.verify = str(ca_bundle)
    timeouts = _TimeoutAdapter((connect_s, read_s))
    for scheme in ("https://", "http://"):
        http.mount(scheme, timeouts)
    http.hooks["response"].append(_seen)
    return http


def _seen(response: requests.Response, *_args: object, **_kwargs: object) -> None:
    """Tell the call being logged the request it sent and its answer."""
    record = current_call()
    if record is not None:
        record.sent(response.request.method or "", response.request.url or "")
        record.answered(response.status_code, response.headers)


def json_try(
    http: requests.Session,
    method: str,
    url: str,
    *,
    now_s: float,
    problem: Problem,
    **request: Any,  # noqa: ANN401 - requests' options
) -> dict[str, Any]:
    """One try of a JSON call: the answer's object, or `AttemptFailed` for the `Caller`'s error table.

    An answer of 400 or more fails with its status, `problem`'s detail and codes, its body and
    its `Retry-After` (seconds or an HTTP date, from `now_s`); no answer at all fails as status 0.
    """
    try:
        reply = http.request(method, url, **request)
    except requests.RequestException as exc:
        raise AttemptFailed(0, type(exc).__name__) from None
    body = json_object(reply.content)
    if reply.status_code >= _FIRST_ERROR:
        detail, codes = problem(body)
        wait_s = retry_after_s(reply.headers.get("Retry-After"), now_s=now_s)
        raise AttemptFailed(reply.status_code, detail, codes=codes, body=body, retry_after_s=wait_s)
    return body
