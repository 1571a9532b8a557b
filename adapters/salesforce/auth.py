"""One small session provider behind the four auth modes: a first session, and a renewal.

Client credentials are posted to the configured token URL with requests: simple-salesforce's
own client-credentials login goes to `{domain}.salesforce.com` and cannot reach a My Domain
on loopback (shared/api-notes.md). Password and JWT logins use simple-salesforce's
`SalesforceLogin`. A plain session (instance_url + session_id) cannot be renewed.
`SalesforceLogin` sends no timeout of its own: the session gives every request one.
A login is logged as a `crm.call` like any other call: its method, path and status, never a
credential (they travel in the body, which is never logged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import requests
from pydantic import SecretStr
from requests.adapters import HTTPAdapter
from simple_salesforce.exceptions import SalesforceAuthenticationFailed
from simple_salesforce.login import SalesforceLogin

from adapters.unreachable import unreachable_error
from leadsync.adapter_api import AuthError, TransientError, current_call, logged_call

from .options import AuthMode, SalesforceOptions

__all__ = ["Session", "SessionProvider", "http_session"]

_SERVER_ERRORS: Final = 500


@dataclass(frozen=True, slots=True)
class Session:
    """Where the org is and the access token to use there."""

    instance_url: str
    session_id: str


class _TimeoutAdapter(HTTPAdapter):
    """Gives a request sent without a timeout (a login's) the configured (connect, read) ones."""

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


def http_session(options: SalesforceOptions) -> requests.Session:
    """A requests session that ignores *_CA_BUNDLE variables, trusts `ca_bundle` when given, and
    times out every request."""
    http = requests.Session()
    http.trust_env = False  # else REQUESTS_CA_BUNDLE overrides `verify` (shared/api-notes.md)
    if options.ca_bundle is not None:
        http.verify = str(options.ca_bundle)
    timeouts = _TimeoutAdapter((options.connect_timeout_s, options.timeout_s))
    for scheme in ("https://", "http://"):
        http.mount(scheme, timeouts)
    http.hooks["response"].append(_seen)
    return http


def _seen(response: requests.Response, *_args: object, **_kwargs: object) -> None:
    """Tell the call being logged (`leadsync.call_log`) the request it sent and its answer."""
    record = current_call()
    if record is not None:
        record.sent(response.request.method or "", response.request.url or "")
        record.answered(response.status_code, response.headers)


class SessionProvider:
    """Opens sessions for one CRM in its configured auth mode."""

    def __init__(self, crm: str, options: SalesforceOptions, http: requests.Session) -> None:
        self._crm, self._options, self._http = crm, options, http
        self.mode = options.mode()

    @property
    def can_renew(self) -> bool:
        """Whether a new session can be had without a person (every mode but a bare session)."""
        return self.mode is not AuthMode.SESSION

    def first(self) -> Session:
        """The session to start with."""
        options = self._options
        if self.mode is AuthMode.SESSION and options.session_id is not None and options.instance_url:
            return Session(options.instance_url.rstrip("/"), options.session_id.get_secret_value())
        return self.renew()

    def renew(self) -> Session:
        """A new session; AuthError when the credentials are refused."""
        if self.mode is AuthMode.CLIENT_CREDENTIALS:
            with logged_call(self._crm, "token") as record:
                record.tried()
                return self._client_credentials()
        if self.mode in (AuthMode.PASSWORD, AuthMode.JWT):
            with logged_call(self._crm, f"login ({self.mode.value})") as record:
                record.tried()
                return self._login()
        raise AuthError(
            f"Salesforce rejected the session of crm.{self._crm} and a bare session cannot be renewed; "
            f"set a fresh crm.{self._crm}.session_id, or configure client credentials, then run "
            "`leadsync check`"
        )

    def _client_credentials(self) -> Session:
        options = self._options
        secret = options.client_secret.get_secret_value() if options.client_secret else ""
        token_url = options.token_url or ""
        form = {
            "grant_type": "client_credentials",
            "client_id": options.client_id or "",
            "client_secret": secret,
        }
        try:
            answer = self._http.post(token_url, data=form)
        except requests.RequestException as exc:
            raise self._unreachable(token_url, "token_url", exc) or self._no_answer(exc) from None
        if answer.status_code >= _SERVER_ERRORS:  # the endpoint is down, the credentials may be fine
            raise TransientError(
                f"Salesforce token endpoint {options.token_url} of crm.{self._crm} answered "
                f"HTTP {answer.status_code}; it is retried"
            )
        body = _json(answer)
        token, instance = body.get("access_token"), body.get("instance_url")
        if not answer.ok or not isinstance(token, str) or not isinstance(instance, str):
            error = body.get("error", f"HTTP {answer.status_code}")
            raise AuthError(
                f"Salesforce token endpoint {options.token_url} refused the client credentials of "
                f"crm.{self._crm} ({error}); check crm.{self._crm}.client_id and client_secret"
            )
        return Session(instance.rstrip("/"), token)

    def _login(self) -> Session:
        options = self._options
        try:
            if self.mode is AuthMode.JWT:
                session_id, host = SalesforceLogin(
                    username=options.username, consumer_key=options.consumer_key,
                    privatekey_file=str(options.private_key_file), domain=options.domain,
                    session=self._http, sf_version=options.api_version,
                )  # fmt: skip
            else:
                session_id, host = SalesforceLogin(
                    username=options.username, password=_secret(options.password),
                    security_token=_secret(options.security_token), domain=options.domain,
                    session=self._http, sf_version=options.api_version,
                )  # fmt: skip
        except SalesforceAuthenticationFailed:
            raise AuthError(
                f"Salesforce login ({self.mode.value}) of crm.{self._crm} as {options.username} was "
                f"refused; check the credentials under crm.{self._crm}, then run `leadsync check`"
            ) from None
        except requests.RequestException as exc:
            login_url = f"https://{options.domain}.salesforce.com"
            raise self._unreachable(login_url, "domain", exc) or self._no_answer(exc) from None
        return Session(f"https://{host}", session_id)

    def _unreachable(self, url: str, key: str, exc: BaseException) -> AuthError | TransientError | None:
        return unreachable_error(
            self._crm, url, f"crm.{self._crm}.{key}", exc, connect_s=self._options.connect_timeout_s
        )

    def _no_answer(self, exc: requests.RequestException) -> AuthError | TransientError:
        """A connection was made, then failed: a timeout or reset is retried, anything else is not."""
        if isinstance(exc, requests.Timeout | requests.ConnectionError):
            return TransientError(
                f"Salesforce login of crm.{self._crm} got no answer ({type(exc).__name__}); it is retried"
            )
        return AuthError(
            f"Salesforce login of crm.{self._crm} failed ({type(exc).__name__}); check the URL and "
            f"ca_bundle under crm.{self._crm}, then run `leadsync check --live`"
        )


def _json(answer: requests.Response) -> dict[str, object]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
