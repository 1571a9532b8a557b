"""Request building and error mapping with `responses`: logins, renewal, headers, the error table.

simple-salesforce 1.12.10 (`simple_salesforce/login.py`): a password + security token login
POSTs a SOAP envelope to `https://{domain}.salesforce.com/services/Soap/u/{version}` with the
token appended to the password, and reads `sessionId` and `serverUrl` from the answer; a JWT
bearer login POSTs `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and an RS256
`assertion` (iss = consumer key, sub = username, aud = https://{domain}.salesforce.com) to
`https://{domain}.salesforce.com/services/oauth2/token`.

`owners()` asks once per adapter who the session's user is (Resources by Version), then
queries the users, then the queues: the `salesforce_api` fixture answers the first and the
last; each test answers the users' query.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.salesforce import SalesforceAdapter, create
from leadsync.adapter_api import (
    AdapterContext,
    AdapterError,
    AuthError,
    BudgetExhausted,
    StreamUnavailable,
    TransientError,
)
from leadsync.clock import ManualClock
from leadsync.kit import CallRefused

from .conftest import MAPPING, soql_from

pytestmark = pytest.mark.usefixtures("salesforce_api")

INSTANCE = "https://na1.my.salesforce.com"
RESOURCES = f"{INSTANCE}/services/data/v59.0/"
QUERY = f"{RESOURCES}query/"
USERS_QUERY = [soql_from("User")]
PASSWORD, TOKEN = "p&ss<word>", "TOKEN42xyz"
SESSIONS = ("00DSESSION!first", "00DSESSION!second")
USERS = {"totalSize": 1, "done": True, "records": [
    {"attributes": {"type": "User"}, "Id": "0055e0000004C92AAE", "Name": "Ann", "Email": "ann@x.example",
     "IsActive": True},
]}  # fmt: skip


def _adapter(waits: list[float] | None = None, **options: Any) -> SalesforceAdapter:
    sleep = waits.append if waits is not None else (lambda _s: None)
    context = AdapterContext(
        name="sf",
        options=options,
        mapping=MAPPING,
        clock=ManualClock(datetime(2026, 11, 23, 12, tzinfo=UTC)),
        sleep=sleep,
    )
    return create(context)


def _soap_ok(session_id: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">'
        f"<soapenv:Body><loginResponse><result><serverUrl>{INSTANCE}/services/Soap/u/59.0/00D5e</serverUrl>"
        f"<sessionId>{session_id}</sessionId></result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )


_SOAP_FAULT = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">'
    "<soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><detail><sf:LoginFault>"
    "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>Invalid username, password, "
    "security token; or user locked out.</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>"
    "</soapenv:Body></soapenv:Envelope>"
)
_EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def _bearer(call: Any) -> str:
    return str(call.request.headers["Authorization"]).removeprefix("Bearer ")


def test_password_login_sends_the_token_and_renews_once_on_401() -> None:
    login = "https://test.salesforce.com/services/Soap/u/59.0"
    responses.post(login, body=_soap_ok(SESSIONS[0]))
    responses.post(login, body=_soap_ok(SESSIONS[1]))
    responses.get(QUERY, json=USERS, match=USERS_QUERY)
    responses.get(QUERY, json=_EXPIRED, status=401, match=USERS_QUERY)
    responses.get(QUERY, json=USERS, match=USERS_QUERY)
    adapter = _adapter(username="ann@x.example", password=PASSWORD, security_token=TOKEN, domain="test")
    assert [o.email for o in adapter.owners()] == ["ann@x.example"]
    assert [o.email for o in adapter.owners()] == ["ann@x.example"]
    logins = [c for c in responses.calls if c.request.url == login]
    assert len(logins) == 2
    envelope = str(logins[0].request.body)
    assert "<n1:username>ann@x.example</n1:username>" in envelope
    assert f"<n1:password>p&amp;ss&lt;word&gt;{TOKEN}</n1:password>" in envelope  # escaped, token appended
    assert logins[0].request.headers["SOAPAction"] == "login"
    queries = [c for c in responses.calls if str(c.request.url).startswith(QUERY)]
    # users, queues; users refused (401); after the renewal: users, queues
    assert [_bearer(c) for c in queries] == [SESSIONS[0]] * 3 + [SESSIONS[1]] * 2
    assert [c.request.url for c in responses.calls].count(RESOURCES) == 1  # the session's user: asked once
    assert adapter.usage().calls == 6


def test_a_refused_password_login_is_an_auth_error_without_secrets() -> None:
    responses.post("https://login.salesforce.com/services/Soap/u/59.0", body=_SOAP_FAULT, status=500)
    adapter = _adapter(username="ann@x.example", password=PASSWORD, security_token=TOKEN)
    with pytest.raises(AuthError, match=r"crm\.sf") as caught:
        list(adapter.owners())
    text = str(caught.value)
    assert PASSWORD not in text
    assert TOKEN not in text
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_a_renewed_session_that_is_refused_again_fails_clearly() -> None:
    login = "https://login.salesforce.com/services/Soap/u/59.0"
    responses.post(login, body=_soap_ok(SESSIONS[0]))
    responses.post(login, body=_soap_ok(SESSIONS[1]))
    responses.get(QUERY, json=_EXPIRED, status=401, match=USERS_QUERY)
    responses.get(QUERY, json=_EXPIRED, status=401, match=USERS_QUERY)
    adapter = _adapter(username="ann@x.example", password=PASSWORD, security_token=TOKEN)
    with pytest.raises(AuthError, match="freshly renewed session") as caught:
        list(adapter.owners())
    assert not any(secret in str(caught.value) for secret in (*SESSIONS, PASSWORD, TOKEN))
    assert len(responses.calls) == 5  # login, the session's user, 401, one renewal, 401: no loop


def _rsa_key(tmp_path: Path) -> tuple[Path, rsa.RSAPublicKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "server.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path, key.public_key()


@pytest.mark.parametrize("domain", ["login", "test"])
def test_jwt_bearer_login_posts_a_signed_assertion_and_renews_on_401(tmp_path: Path, domain: str) -> None:
    key_file, public = _rsa_key(tmp_path)
    token_url = f"https://{domain}.salesforce.com/services/oauth2/token"
    for session_id in SESSIONS:
        responses.post(token_url, json={"access_token": session_id, "instance_url": INSTANCE,
                                        "token_type": "Bearer"})  # fmt: skip
    responses.get(QUERY, json=_EXPIRED, status=401, match=USERS_QUERY)
    responses.get(QUERY, json=USERS, match=USERS_QUERY)
    adapter = _adapter(username="ann@x.example", consumer_key="3MVG9consumer", private_key_file=str(key_file),
                       domain=domain)  # fmt: skip
    assert [o.email for o in adapter.owners()] == ["ann@x.example"]
    posts = [c for c in responses.calls if c.request.url == token_url]
    assert len(posts) == 2
    form = {k: v[0] for k, v in parse_qs(str(posts[0].request.body)).items()}
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(
        form["assertion"], public, algorithms=["RS256"], audience=f"https://{domain}.salesforce.com"
    )
    assert (claims["iss"], claims["sub"]) == ("3MVG9consumer", "ann@x.example")
    queries = [c for c in responses.calls if str(c.request.url).startswith(QUERY)]
    # users refused (401); after the renewal: users, queues
    assert [_bearer(c) for c in queries] == [SESSIONS[0], SESSIONS[1], SESSIONS[1]]


def test_a_refused_jwt_login_is_an_auth_error(tmp_path: Path) -> None:
    key_file, _ = _rsa_key(tmp_path)
    responses.post(
        "https://login.salesforce.com/services/oauth2/token",
        status=400,
        json={"error": "invalid_grant", "error_description": "user hasn't approved this consumer"},
    )
    adapter = _adapter(username="ann@x.example", consumer_key="3MVG9consumer", private_key_file=str(key_file))
    with pytest.warns(UserWarning, match="authorize"), pytest.raises(AuthError, match="jwt"):
        list(adapter.owners())


SESSION = "00Dsecret!session"
BARE: dict[str, Any] = {"instance_url": INSTANCE, "session_id": SESSION, "attempts": 3, "backoff_s": 1.0}


def _error(code: str, message: str) -> list[dict[str, str]]:
    return [{"message": message, "errorCode": code}]


@pytest.mark.parametrize(
    ("status", "body", "expected", "waits"),
    [
        (403, _error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."), BudgetExhausted, []),
        (400, _error("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access"), TransientError, [1.0, 2.0]),
        (500, _error("UNKNOWN_EXCEPTION", "An unexpected error occurred"), TransientError, [1.0, 2.0]),
        (503, _error("SERVER_UNAVAILABLE", "Server unavailable"), TransientError, [1.0, 2.0]),
        (502, "<html>Bad gateway</html>", TransientError, [1.0, 2.0]),
        (401, _EXPIRED, AuthError, []),
        (403, _error("INSUFFICIENT_ACCESS", "insufficient access rights"), AuthError, []),
        (400, _error("MALFORMED_QUERY", "unexpected token"), CallRefused, []),
        (404, _error("NOT_FOUND", "The requested resource does not exist"), CallRefused, []),
        (400, _error("INVALID_TYPE", "sObject type 'User' is not supported."), StreamUnavailable, []),
    ],
)
def test_the_error_table_maps_each_answer_to_one_adapter_error(
    status: int, body: object, expected: type[AdapterError], waits: list[float]
) -> None:
    kwargs: dict[str, Any] = {"json": body} if isinstance(body, list) else {"body": str(body)}
    responses.get(QUERY, status=status, match=USERS_QUERY, **kwargs)
    slept: list[float] = []
    with pytest.raises(AdapterError) as caught:
        list(_adapter(slept, **BARE).owners())
    assert type(caught.value) is expected
    assert slept == waits
    assert len(responses.calls) == 2 + len(waits)  # the session's user, then the users' query and its retries
    text = str(caught.value)
    assert "crm.sf" in text
    assert SESSION not in text
    assert caught.value.__cause__ is None
    if isinstance(body, list) and expected is not AuthError:
        assert body[0]["errorCode"] in text


@pytest.mark.parametrize("error", [requests.ConnectTimeout("slow"), requests.ReadTimeout("slow"),
                                   requests.ConnectionError("refused")])  # fmt: skip
def test_timeouts_and_connection_errors_are_retried_then_transient(error: Exception) -> None:
    responses.get(QUERY, body=error, match=USERS_QUERY)
    responses.get(QUERY, body=error, match=USERS_QUERY)
    responses.get(QUERY, body=error, match=USERS_QUERY)
    slept: list[float] = []
    with pytest.raises(TransientError, match=r"crm\.sf") as caught:
        list(_adapter(slept, **BARE).owners())
    assert slept == [1.0, 2.0]
    assert SESSION not in str(caught.value)


def test_batch_size_header_is_sent_on_the_first_page_and_on_query_more() -> None:
    more = "/services/data/v59.0/query/01gxx0000000001AAA-200"
    first = {**USERS, "done": False, "nextRecordsUrl": more}
    responses.get(QUERY, json=first, match=USERS_QUERY)
    responses.get(f"{INSTANCE}{more}", json=USERS)
    owners = list(_adapter(**BARE, page_size=250).owners())
    assert len(owners) == 2
    assert len(responses.calls) == 4  # the session's user, the users' two pages, the queues
    queries = [c for c in responses.calls if str(c.request.url).startswith(QUERY)]
    assert [c.request.headers.get("Sforce-Query-Options") for c in queries] == ["batchSize=250"] * 3
    assert all(json.dumps(dict(c.request.headers)).count(SESSION) == 1 for c in responses.calls)
