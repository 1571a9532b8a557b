"""Who may see the dashboard: anyone on loopback; elsewhere, only bearers of the configured token."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from typing import Final

from pydantic import SecretStr
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from leadsync.web.exceptions import WebError

__all__ = ["OPEN_PATHS", "BearerToken", "is_loopback", "required_token"]

OPEN_PATHS: Final = frozenset({"/healthz"})
"""Answered without a token: a load balancer's or orchestrator's probe carries none."""

_LOCAL_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or name (only this machine can connect)."""
    name = host.strip("[]").lower()
    if name in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name or an interface's name: it may be reachable from elsewhere


def required_token(host: str, token: SecretStr | None) -> SecretStr | None:
    """The token requests must carry: the configured one (always, when set), none on loopback
    without one; WebError for an address others can reach when no token is configured."""
    if token is None and not is_loopback(host):
        raise WebError(
            f"the dashboard would listen on {host}, reachable from other machines, without a token. "
            "Fix: set [web] token (or LEADSYNC_WEB__TOKEN) to a long random string, "
            "or listen on 127.0.0.1"
        )
    return token


class BearerToken:
    """ASGI middleware: every request but OPEN_PATHS needs `Authorization: Bearer <token>`.

    The comparison takes constant time, and compares digests, so that neither the token's
    characters nor its length can be timed; a refusal is 401 with `WWW-Authenticate: Bearer`.
    """

    def __init__(self, app: ASGIApp, *, token: SecretStr) -> None:
        self._app = app
        self._expected = _digest(f"Bearer {token.get_secret_value()}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or self._admits(scope):
            await self._app(scope, receive, send)
            return
        refusal = JSONResponse(
            {"detail": "send the dashboard's token: Authorization: Bearer <[web] token>"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="leadsync"'},
        )
        await refusal(scope, receive, send)

    def _admits(self, scope: Scope) -> bool:
        given = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
        return hmac.compare_digest(_digest(given), self._expected)


def _digest(header: bytes) -> bytes:
    return hashlib.sha256(header).digest()
