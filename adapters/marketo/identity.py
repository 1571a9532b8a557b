"""Access tokens from the instance's Identity service, and their remaining lifespan.

`GET /identity/oauth/token?grant_type=client_credentials&client_id=&client_secret=` answers
`{access_token, token_type, expires_in, scope}`; asked again before expiry it answers the same
token with the lifespan it has left (`authentication.md`). A token about to expire is therefore
waited out before a new one is asked for, and one past its lifespan is renewed before it is sent.
A refused client answers HTTP 401. The secret travels in the query string Marketo requires and
is never logged.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import requests

from leadsync import adapter_api as contract
from leadsync import kit

from .settings import MarketoSettings

__all__ = ["Identity"]

_SERVER_ERRORS = 500


class Identity:
    """One custom service's tokens: `token` asks for one, `expiring` says when to renew it."""

    def __init__(
        self, context: contract.AdapterContext, settings: MarketoSettings, http: requests.Session
    ) -> None:
        self._clock, self._sleep, self._settings, self._http = context.clock, context.sleep, settings, http
        self._crm = context.name
        self._expiry: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def token(self) -> kit.Session:
        """A token with more than `renew_before_s` to live; a dying one is waited out first."""
        token, left = self._ask()
        if left <= self._settings.renew_before_s:
            self._sleep(left + 1.0)
            token, left = self._ask()
        with self._lock:
            self._expiry[token] = self._clock.now() + timedelta(seconds=left)
        return kit.Session(self._settings.base_url.rstrip("/"), token)

    def expiring(self, session: kit.Session) -> bool:
        """Whether this session's token is within `renew_before_s` of its end (or past it)."""
        with self._lock:
            end = self._expiry.get(session.access_token)
        margin = timedelta(seconds=self._settings.renew_before_s)
        return end is not None and self._clock.now() >= end - margin

    def _ask(self) -> tuple[str, float]:
        params = {
            "grant_type": "client_credentials",
            "client_id": self._settings.client_id,
            "client_secret": self._settings.client_secret.get_secret_value(),
        }
        url = self._settings.base_url.rstrip("/") + "/identity/oauth/token"
        try:
            answer = self._http.get(url, params=params)
        except requests.RequestException as exc:
            raise contract.TransientError(
                f"Marketo Identity of crm.{self._crm} gave no answer ({type(exc).__name__}); it is retried"
            ) from None
        if answer.status_code >= _SERVER_ERRORS:
            raise contract.TransientError(
                f"Marketo Identity of crm.{self._crm} answered HTTP {answer.status_code}"
            )
        body = kit.json_object(answer.content)
        token, left = body.get("access_token"), body.get("expires_in")
        if not answer.ok or not isinstance(token, str) or not isinstance(left, int | float):
            raise contract.AuthError(
                f"Marketo Identity refused the custom service of crm.{self._crm} "
                f"(HTTP {answer.status_code}); "
                f"set crm.{self._crm}.client_id and client_secret from Admin → LaunchPoint → View Details, "
                "then run `leadsync check --live`"
            )
        return token, float(left)
