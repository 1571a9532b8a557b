"""A requests session for adapters whose client speaks requests: timeouts, trusted CAs, the call log.

Some clients send a request without a timeout (simple-salesforce's `SalesforceLogin`): the
session's transport gives every such request the configured (connect, read) ones. The
environment is not trusted, else REQUESTS_CA_BUNDLE overrides `verify` (shared/api-notes.md):
`ca_bundle` is the only CA file read. Each answer is told to the call being logged
(`leadsync.call_log`). HubSpot's client speaks urllib3, not requests: it watches its pool instead.
"""

from __future__ import annotations

from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from leadsync.call_log import current_call

__all__ = ["http_session"]


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
