"""Salesforce's logins, which the kit's `Sessions` renews a session with, one for each auth mode.

Client credentials are posted to the configured token URL with requests: simple-salesforce's
own client-credentials login goes to `{domain}.salesforce.com` and cannot reach a My Domain
on loopback (shared/api-notes.md). Password and JWT logins use simple-salesforce's
`SalesforceLogin` (which sends no timeout of its own: the kit's `http_session` gives one).
A plain session (instance_url + session_id) cannot be renewed. No credential is logged: they
travel in the body, which is never logged.
"""

from __future__ import annotations

from functools import partial
from typing import Final

import requests
from pydantic import SecretStr
from simple_salesforce.exceptions import SalesforceAuthenticationFailed
from simple_salesforce.login import SalesforceLogin

from adapters.unreachable import unreachable_error
from leadsync.adapter_api import AuthError, TransientError
from leadsync.kit import Caller, Login, Session, Sessions, json_object

from .options import AuthMode, SalesforceOptions

__all__ = ["sessions"]

_SERVER_ERRORS: Final = 500
_BARE: Final = "set a fresh crm.{crm}.session_id, or configure client credentials, then run `leadsync check`"


def sessions(caller: Caller, options: SalesforceOptions, http: requests.Session) -> Sessions:
    """The caller's sessions in the configured auth mode."""
    mode, crm = options.mode(), caller.crm
    if mode is AuthMode.CLIENT_CREDENTIALS:
        return Sessions(caller, Login("token", partial(_client_credentials, crm, options, http)))
    if mode is not AuthMode.SESSION:
        return Sessions(caller, Login(f"login ({mode.value})", partial(_login, crm, options, http)))
    given = None
    if options.instance_url and options.session_id is not None:
        given = Session(options.instance_url.rstrip("/"), options.session_id.get_secret_value())
    return Sessions(caller, None, given=given, fix=_BARE)


def _client_credentials(crm: str, options: SalesforceOptions, http: requests.Session) -> Session:
    form = {
        "grant_type": "client_credentials",
        "client_id": options.client_id or "",
        "client_secret": _secret(options.client_secret),
    }
    try:
        answer = http.post(options.token_url or "", data=form)
    except requests.RequestException as exc:
        raise _failure(crm, options, options.token_url or "", "token_url", exc) from None
    if answer.status_code >= _SERVER_ERRORS:  # the endpoint is down, the credentials may be fine
        raise TransientError(
            f"Salesforce token endpoint {options.token_url} of crm.{crm} answered "
            f"HTTP {answer.status_code}; it is retried"
        )
    body = json_object(answer.content)
    token, instance = body.get("access_token"), body.get("instance_url")
    if not answer.ok or not isinstance(token, str) or not isinstance(instance, str):
        error = body.get("error", f"HTTP {answer.status_code}")
        raise AuthError(
            f"Salesforce token endpoint {options.token_url} refused the client credentials of "
            f"crm.{crm} ({error}); check crm.{crm}.client_id and client_secret"
        )
    return Session(instance.rstrip("/"), token)


def _login(crm: str, options: SalesforceOptions, http: requests.Session) -> Session:
    mode = options.mode()
    proof = (  # a JWT bearer assertion signed with the key, or a SOAP login with password and token
        {"consumer_key": options.consumer_key, "privatekey_file": str(options.private_key_file)}
        if mode is AuthMode.JWT
        else {"password": _secret(options.password), "security_token": _secret(options.security_token)}
    )
    try:
        session_id, host = SalesforceLogin(
            username=options.username,
            domain=options.domain,
            session=http,
            sf_version=options.api_version,
            **proof,
        )
    except SalesforceAuthenticationFailed:
        raise AuthError(
            f"Salesforce login ({mode.value}) of crm.{crm} as {options.username} was "
            f"refused; check the credentials under crm.{crm}, then run `leadsync check`"
        ) from None
    except requests.RequestException as exc:
        login_url = f"https://{options.domain}.salesforce.com"
        raise _failure(crm, options, login_url, "domain", exc) from None
    return Session(f"https://{host}", session_id)


def _failure(
    crm: str, options: SalesforceOptions, url: str, key: str, exc: requests.RequestException
) -> AuthError | TransientError:
    """A login that got no session: no connection, or a timeout or reset (retried), or else a refusal."""
    unreachable = unreachable_error(crm, url, f"crm.{crm}.{key}", exc, connect_s=options.connect_timeout_s)
    if unreachable is not None:
        return unreachable
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return TransientError(
            f"Salesforce login of crm.{crm} got no answer ({type(exc).__name__}); it is retried"
        )
    return AuthError(
        f"Salesforce login of crm.{crm} failed ({type(exc).__name__}); check the URL and "
        f"ca_bundle under crm.{crm}, then run `leadsync check --live`"
    )


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
