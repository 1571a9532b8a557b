"""The sandbox's OAuth app: `POST /oauth/token` (refresh grant) and the Bearer access tokens it issues.

As developers.pipedrive.com/docs/api/v1/Oauth ("Refreshing the tokens"): the client id and secret
come as HTTP Basic, the form carries `grant_type=refresh_token` and the refresh token, and the
answer is `{access_token, token_type: "Bearer", refresh_token, scope, expires_in, api_domain}`
(`expires_in` 3599, api-notes; `api_domain` the company's URL, here the sandbox's own). Deliberate
difference: the token endpoint is served by the company's server (Pipedrive's is
oauth.pipedrive.com), the refresh token is not rotated, and a refused refresh answers 401 with
`{"success": false, "message": …}` (no recorded body of one was found).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Final

from werkzeug.wrappers import Request, Response

__all__ = ["TOKEN_PATH", "OAuthApp"]

TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 - a path, not a secret
LIFETIME: Final = timedelta(seconds=3599)


class OAuthApp:
    """One installed OAuth app: its client, its refresh token and the access tokens alive."""

    def __init__(self, seed: int) -> None:
        self.client_id, self.client_secret = f"sandbox-app-{seed}", f"{seed:032x}"
        self.refresh_token = f"{seed}:refresh:{seed:016x}"
        self.alive: dict[str, datetime] = {}  # access token -> when it expires
        self.refreshes = 0

    def token(self, request: Request, api_domain: str, now: datetime) -> Response:
        """The answer to `POST /oauth/token`: a new access token, or 401 for a wrong client or token."""
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = request.form
        if (
            request.headers.get("Authorization") != f"Basic {expected}"
            or form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            body = {"success": False, "message": "Invalid grant: refresh token is invalid"}
            return Response(json.dumps(body), 401, content_type="application/json")
        self.refreshes += 1
        access = f"{self.refreshes}:{self.client_secret[:12]}:{self.refreshes:08x}"
        self.alive[access] = now + LIFETIME
        body = {
            "access_token": access, "token_type": "Bearer", "refresh_token": self.refresh_token,
            "scope": "base,contacts:full,deals:read,activities:read,users:read", "expires_in": 3599,
            "api_domain": api_domain,
        }  # fmt: skip
        return Response(json.dumps(body), 200, content_type="application/json")

    def allows(self, authorization: str | None, now: datetime) -> bool:
        """Whether `Authorization: Bearer <token>` names an access token still alive."""
        scheme, _, token = (authorization or "").partition(" ")
        return scheme == "Bearer" and self.alive.get(token, now) > now

    def expire(self) -> None:
        """Every access token expires now (the refresh token still works)."""
        self.alive.clear()
