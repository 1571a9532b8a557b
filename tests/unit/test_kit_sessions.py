"""The kit's sessions: opened at the first call, renewed once when refused, never in a loop.

Plain functions stand for an adapter's send and login; `http_session` is shown with `responses`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import responses
import structlog
import urllib3
from werkzeug.wrappers import Request, Response

from leadsync.adapter_api import AuthError, CallRecord, TransientError, logged_call
from leadsync.clock import ManualClock
from leadsync.kit import (
    Caller,
    ErrorRule,
    ErrorTable,
    Limiter,
    Login,
    Outcome,
    RateLimit,
    RetryPolicy,
    Session,
    SessionExpired,
    Sessions,
    http_session,
    no_answer,
    watch_pool,
)
from leadsync.kit.limiter import ARRIVAL_SPREAD_S
from leadsync.logs import configure_logging
from leadsync.testing.sandbox_server import LoopbackServer

URL = "https://toy.example"
ERRORS = ErrorTable(ErrorRule(Outcome.TRANSIENT, 0))
FIX = "set a fresh crm.{crm}.access_token (LEADSYNC_CRM__{CRM}__ACCESS_TOKEN)"


def _caller(waits: list[float]) -> Caller:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = Limiter(RateLimit(100, 10.0), clock=clock, sleep=waits.append, in_flight=2)
    return Caller("toy", "Toy crm.toy", ERRORS, limiter, RetryPolicy(attempts=3), waits.append)


class Logins:
    """A login that hands out tokens `t1`, `t2`…, or raises what it is told to first."""

    def __init__(self, *failures: Exception) -> None:
        self.failures, self.count = list(failures), 0

    def __call__(self) -> Session:
        if self.failures:
            raise self.failures.pop(0)
        self.count += 1
        return Session(URL, f"t{self.count}")


def _refusing(*expired: str) -> tuple[Callable[[Session, CallRecord], str], list[str]]:
    """A send that refuses the tokens `expired` and answers with the token it carried; and what it sent."""
    sent: list[str] = []

    def send(session: Session, _record: CallRecord) -> str:
        sent.append(session.access_token)
        if session.access_token in expired:
            raise SessionExpired
        return session.access_token

    return send, sent


def test_the_first_call_logs_in_and_later_calls_keep_the_session() -> None:
    caller, login = _caller([]), Logins()
    sessions = Sessions(caller, Login("token", login))
    send, sent = _refusing()
    assert [sessions.call("read", send), sessions.call("read", send)] == ["t1", "t1"]
    assert (login.count, sent, caller.calls) == (
        1,
        ["t1", "t1"],
        2,
    )  # the first login is part of the first try


def test_a_given_session_is_used_without_a_login() -> None:
    login = Logins()
    sessions = Sessions(_caller([]), Login("token", login), given=Session(URL, "given"))
    assert sessions.call("read", _refusing()[0]) == "given"
    assert login.count == 0


def test_an_expired_session_is_renewed_counted_and_sent_again() -> None:
    caller, login = _caller([]), Logins()
    sessions = Sessions(caller, Login("token", login))
    send, sent = _refusing("t1")
    assert sessions.call("read", send) == "t2"
    assert sessions.call("read", send) == "t2"
    assert (login.count, sent, caller.calls) == (2, ["t1", "t2", "t2"], 3)


def test_a_session_refused_right_after_its_renewal_is_an_auth_error_not_a_loop() -> None:
    caller, login = _caller([]), Logins()
    send, sent = _refusing("t1", "t2")
    with pytest.raises(AuthError, match=r"Toy crm\.toy refused a freshly renewed session \(read\)") as caught:
        Sessions(caller, Login("token", login)).call("read", send)
    assert (login.count, sent, caller.calls) == (2, ["t1", "t2"], 2)
    assert "t2" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_a_session_no_login_can_renew_says_how_a_person_renews_it() -> None:
    caller = _caller([])
    sessions = Sessions(caller, None, given=Session(URL, "s3cret"), fix=FIX)
    with pytest.raises(AuthError, match="cannot be renewed without a person") as caught:
        sessions.call("read", _refusing("s3cret")[0])
    assert str(caught.value).endswith("set a fresh crm.toy.access_token (LEADSYNC_CRM__TOY__ACCESS_TOKEN)")
    assert "s3cret" not in str(caught.value)
    assert caller.calls == 1


def test_a_login_whose_endpoint_fails_for_now_is_a_try_made_again() -> None:
    waits: list[float] = []
    caller, login = _caller(waits), Logins(TransientError("token endpoint answered HTTP 503"))
    assert Sessions(caller, Login("token", login)).call("read", _refusing()[0]) == "t1"
    assert (waits, caller.calls) == ([1.0], 2)


def test_a_login_that_keeps_failing_for_now_ends_the_call_naming_it() -> None:
    waits: list[float] = []
    login = Logins(*(TransientError("token endpoint answered HTTP 503") for _ in range(3)))
    with pytest.raises(
        TransientError, match=r"read failed after 3 tries \(last: token endpoint answered HTTP 503\)"
    ):
        Sessions(_caller(waits), Login("token", login)).call("read", _refusing()[0])
    assert waits == [1.0, 2.0]


def test_refused_credentials_end_the_call_at_once() -> None:
    waits: list[float] = []
    login = Logins(AuthError("Toy crm.toy refused the client credentials"))
    with pytest.raises(AuthError, match="refused the client credentials"):
        Sessions(_caller(waits), Login("token", login)).call("read", _refusing()[0])
    assert waits == []


def test_a_renewal_another_call_made_meanwhile_is_used_not_made_again() -> None:
    caller, login = _caller([]), Logins()
    sessions = Sessions(caller, Login("token", login))
    inner, _ = _refusing("t1")
    sent: list[str] = []

    def outer(session: Session, _record: CallRecord) -> str:
        sent.append(session.access_token)
        if session.access_token == "t1":
            sessions.call("inner", inner)  # another call finds t1 expired and renews it
            raise SessionExpired
        return session.access_token

    assert sessions.call("outer", outer) == "t2"
    assert (login.count, sent, caller.calls) == (2, ["t1", "t2"], 3)  # two tries and one renewal


def test_a_call_of_a_kind_waits_for_that_kinds_own_limit() -> None:
    waits: list[float] = []
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = Limiter(
        RateLimit(100, 10.0), clock=clock, sleep=waits.append, kinds={"search": RateLimit(1, 10.0)}
    )
    caller = Caller("toy", "Toy crm.toy", ERRORS, limiter, RetryPolicy(attempts=3), waits.append)
    sessions = Sessions(caller, Login("token", Logins()))
    for _ in range(2):
        sessions.call("search", _refusing()[0], kind="search")
    assert waits == [pytest.approx(10.0 + ARRIVAL_SPREAD_S)]


def test_a_session_never_prints_its_token() -> None:
    assert "s3cret" not in repr(Session(URL, "s3cret"))


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """leadsync's JSON logging at debug level, into a buffer; the previous set-up after."""
    saved = structlog.get_config()
    buffer = io.StringIO()
    configure_logging(json=True, level="debug", stream=buffer)
    yield buffer
    structlog.configure(**saved)


@responses.activate
def test_the_http_session_times_out_every_request_and_tells_the_logged_call(
    tmp_path: Path, debug_log: io.StringIO
) -> None:
    responses.post(f"{URL}/token", json={}, headers={"X-Limit": "7"})
    http = http_session(2.0, 30.0, ca_bundle=tmp_path / "ca.pem")
    with logged_call("toy", "token", rate_headers=("X-Limit",)) as record:
        record.tried()
        http.post(f"{URL}/token?secret=no")
        http.post(f"{URL}/token", timeout=5)
    sent = [call.request.req_kwargs for call in responses.calls]  # type: ignore[attr-defined]  # added by responses
    assert [kwargs["timeout"] for kwargs in sent] == [(2.0, 30.0), 5]
    assert [kwargs["verify"] for kwargs in sent] == [str(tmp_path / "ca.pem")] * 2
    assert not http.trust_env  # REQUESTS_CA_BUNDLE and proxies from the environment are not read
    (event,) = [json.loads(line) for line in debug_log.getvalue().splitlines()]
    assert {key: event[key] for key in ("call", "method", "path", "status", "rate_limits")} == {
        "call": "token", "method": "POST", "path": "/token", "status": 200, "rate_limits": {"X-Limit": "7"},
    }  # fmt: skip


class OpenApiShaped:
    """The shape of an API class of an OpenAPI-generated client: it sends through
    `api_client.rest_client.pool_manager`, as hubspot-api-client's do."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.api_client = SimpleNamespace(rest_client=SimpleNamespace(pool_manager=urllib3.PoolManager()))

    def get_page(self) -> int:
        answer = self.api_client.rest_client.pool_manager.request("GET", f"{self.base_url}/things?secret=no")
        return answer.status


@Request.application
def _things(request: Request) -> Response:
    return Response("{}", 200 if request.path == "/things" else 404, content_type="application/json")


def test_a_watched_pool_tells_the_logged_call_each_request_it_sends(debug_log: io.StringIO) -> None:
    with LoopbackServer(_things) as server:
        api = OpenApiShaped(server.url)
        with logged_call("toy", "things") as record:
            record.tried()
            watch_pool(api.get_page)
            watch_pool(api.get_page)  # watched once: the second changes nothing
            assert api.get_page() == 200
        api.get_page()  # outside a logged call: sent as ever
    (event,) = [json.loads(line) for line in debug_log.getvalue().splitlines()]
    assert {key: event[key] for key in ("call", "method", "path")} == {
        "call": "things", "method": "GET", "path": "/things",
    }  # fmt: skip


def test_a_request_without_an_answer_says_why() -> None:
    timed_out = urllib3.exceptions.ReadTimeoutError(None, "/things", "read timed out")
    assert no_answer(timed_out, 30.0) == "no answer within timeout_s = 30 s"
    wrapped = urllib3.exceptions.MaxRetryError(None, "/things", timed_out)
    assert no_answer(wrapped, 2.5) == "no answer within timeout_s = 2.5 s"
    assert no_answer(urllib3.exceptions.ProtocolError("reset"), 30.0) == "ProtocolError"
