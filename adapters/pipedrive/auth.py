"""How the client authenticates: an API token, or an OAuth app whose access token the kit renews.

An API token goes in the `x-api-token` header and does not expire. An OAuth app posts its refresh
token to `https://oauth.pipedrive.com/oauth/token` (`grant_type=refresh_token`, the client id and
secret as HTTP Basic) and gets `{access_token, token_type: "Bearer", refresh_token, scope,
expires_in, api_domain}`; every call then goes to `api_domain` with `Authorization: Bearer`, and a
401 renews it once (developers.pipedrive.com/docs/api/v1/Oauth, "Refreshing the tokens"). No
credential is logged: they travel in headers and the form body, which are never logged.
"""

from __future__ import annotations

from functools import partial
from typing import Final

import requests

from leadsync.adapter_api import AuthError, TransientError
from leadsync.kit import Caller, Login, Session, Sessions, json_object

from .settings import PipedriveSettings

__all__ = ["headers", "sessions"]

_SERVER_ERRORS: Final = 500


def sessions(caller: Caller, settings: PipedriveSettings, http: requests.Session) -> Sessions:
    """The caller's sessions: a fixed API token, or OAuth access tokens renewed from the refresh token."""
    if settings.api_token is not None:
        given = Session((settings.base_url or "").rstrip("/"), settings.api_token.get_secret_value())
        return Sessions(caller, None, given=given)
    refresh = [settings.refresh_token.get_secret_value() if settings.refresh_token else ""]
    return Sessions(caller, Login("token", partial(_refreshed, caller.crm, settings, http, refresh)))


def headers(settings: PipedriveSettings, session: Session) -> dict[str, str]:
    """The credential header of a call in `session`."""
    if settings.oauth:
        return {"Authorization": f"Bearer {session.access_token}"}
    return {"x-api-token": session.access_token}


def _refreshed(crm: str, settings: PipedriveSettings, http: requests.Session, refresh: list[str]) -> Session:
    """A new access token; `refresh` holds the refresh token, replaced when the answer brings a new one."""
    secret = settings.client_secret.get_secret_value() if settings.client_secret else ""
    form = {"grant_type": "refresh_token", "refresh_token": refresh[0]}
    try:
        answer = http.post(settings.token_url, data=form, auth=(settings.client_id or "", secret))
    except requests.RequestException as exc:
        raise TransientError(
            f"Pipedrive token endpoint {settings.token_url} of crm.{crm} gave no answer "
            f"({type(exc).__name__}); it is retried"
        ) from None
    if answer.status_code >= _SERVER_ERRORS:
        raise TransientError(f"Pipedrive token endpoint of crm.{crm} answered HTTP {answer.status_code}")
    body = json_object(answer.content)
    token, domain = body.get("access_token"), body.get("api_domain")
    if not answer.ok or not isinstance(token, str) or not isinstance(domain, str):
        raise AuthError(
            f"Pipedrive refused the OAuth refresh of crm.{crm} (HTTP {answer.status_code}); renew the app's "
            f"authorization and set crm.{crm}.refresh_token, then run `leadsync check --live`"
        )
    if isinstance(rotated := body.get("refresh_token"), str):
        refresh[0] = rotated
    return Session(domain.rstrip("/"), token)
