"""Sessions: access tokens the OAuth token endpoint issues and tests expire.

The token endpoint speaks the client-credentials flow (form fields `client_id` and
`client_secret`, or HTTP Basic as simple-salesforce sends them) and answers the documented
shape: `access_token`, `signature`, `scope`, `instance_url`, `id`, `token_type`, `issued_at`
(epoch milliseconds, as text); the signature is Salesforce's: base64 HMAC-SHA256 of
`id + issued_at` keyed with the client secret. Errors are OAuth's `{error, error_description}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from leadsync.adapter_api import Clock

__all__ = ["Sessions", "TokenAnswer"]


@dataclass(frozen=True, slots=True)
class TokenAnswer:
    """What the token endpoint answers: a status and a JSON body."""

    status: int
    body: dict[str, str]


class Sessions:
    """The org's valid access tokens and the user each acts as; thread-safe."""

    def __init__(self, org_id: str, clock: Clock, *, client_id: str, client_secret: str) -> None:
        self.org_id = org_id
        self.client_id = client_id
        self.client_secret = client_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._users: dict[str, str] = {}
        self._expire_after: int | None = None

    def issue(self, user_id: str) -> str:
        """A new valid token acting as `user_id`."""
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(72)}"
        with self._lock:
            self._users[token] = user_id
        return token

    def user_of(self, authorization: str | None) -> str | None:
        """The user an `Authorization: Bearer …` (or `OAuth …`) header acts as, if valid.

        Counts the call towards `expire_after`: the session dies once that many calls passed.
        """
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() not in ("bearer", "oauth"):
            return None
        with self._lock:
            user = self._users.get(token.strip())
            if user is not None and self._expire_after is not None:
                self._expire_after -= 1
                if self._expire_after <= 0:
                    self._users.clear()
                    self._expire_after = None
            return user

    def expire_all(self) -> None:
        """Every issued token becomes invalid (401 INVALID_SESSION_ID)."""
        with self._lock:
            self._users.clear()

    def expire_after(self, calls: int) -> None:
        """The tokens valid now expire after `calls` more authenticated calls."""
        with self._lock:
            self._expire_after = calls

    def revoke(self, authorization: str | None) -> None:
        """Invalidate the token of one `Authorization` header."""
        _, _, token = (authorization or "").partition(" ")
        with self._lock:
            self._users.pop(token.strip(), None)

    def token(
        self, form: Mapping[str, str], authorization: str | None, *, instance_url: str, user_id: str
    ) -> TokenAnswer:
        """Answer `POST /services/oauth2/token`."""
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            return TokenAnswer(
                400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
            )
        client_id, client_secret = _basic(authorization) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        if not hmac.compare_digest(client_id, self.client_id):
            return TokenAnswer(
                400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
            )
        if not hmac.compare_digest(client_secret, self.client_secret):
            return TokenAnswer(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        identity = f"{instance_url}/id/{self.org_id}/{user_id}"
        issued_at = str(int(self._clock.now().timestamp() * 1000))
        digest = hmac.new(
            self.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256
        ).digest()
        return TokenAnswer(200, {
            "access_token": self.issue(user_id), "signature": base64.b64encode(digest).decode(),
            "scope": "api", "instance_url": instance_url, "id": identity, "token_type": "Bearer",
            "issued_at": issued_at,
        })  # fmt: skip


def _basic(authorization: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, client_secret = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, client_secret
