"""A CRM that refuses the credentials or cannot be reached ends every command with exit 1 and its reason.

Each failure is real: refused credentials against the sandboxes, a closed loopback port, a name
under `.invalid`, a plain-HTTP server behind an https:// URL, a listener whose backlog is full
(no connection is ever made: a connect timeout), and one that accepts and never answers.
"""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.adapter_api import TransientError
from leadsync.cli import app
from leadsync.clock import ManualClock, SystemClock
from leadsync.config import load_config
from leadsync.connections import connect_all

runner = CliRunner()
START = datetime(2026, 11, 23, 12, tzinfo=UTC)

BAD_SECRETS = {
    "salesforce": {"session_id": "00Dwrong!not-a-session"},
    "hubspot": {"access_token": "pat-wrong"},
}
QUICK = {"timeout_s": 0.5, "connect_timeout_s": 0.5, "attempts": 1}
URL_KEY = {"salesforce": "instance_url", "hubspot": "base_url"}
CREDENTIALS = {"salesforce": {"session_id": "00Dfake!session"}, "hubspot": {"access_token": "pat-na1-fake"}}


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[str, dict[str, Any]]]:
    with (
        SalesforceSandbox(people=10, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=10, clock=SystemClock(), rate_limits=False) as hubspot,
    ):
        yield {"salesforce": salesforce.settings(), "hubspot": hubspot.settings()}


def config_file(folder: Path, crms: dict[str, dict[str, Any]]) -> Path:
    """A config over these `[crm.<adapter>]` tables and a fresh SQLite store in `folder`."""
    raw = {
        "sync": {"state_url": f"sqlite:///{folder / 'state.db'}"},
        "crm": {name: {"adapter": name, **values} for name, values in crms.items()},
    }
    path = folder / "leadsync.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


# -- local endpoints that fail in one way each ---------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def listener(backlog: int) -> Iterator[socket.socket]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(backlog)
    try:
        yield server
    finally:
        server.close()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts every connection and never answers: a read timeout."""
    held: list[socket.socket] = []
    with listener(8) as server:

        def accept() -> None:
            while True:
                try:
                    held.append(server.accept()[0])
                except OSError:
                    return

        threading.Thread(target=accept, daemon=True).start()
        try:
            yield f"https://127.0.0.1:{server.getsockname()[1]}"
        finally:
            for connection in held:
                connection.close()


@contextmanager
def full_backlog() -> Iterator[str]:
    """A listener that never accepts, its queue filled: Linux drops the next SYN, a connect timeout."""
    with listener(0) as server, ExitStack() as stack:
        for _ in range(3):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(server.getsockname())
        yield f"https://127.0.0.1:{server.getsockname()[1]}"


@contextmanager
def plain_http() -> Iterator[str]:
    """A plain-HTTP server behind an https:// URL: the TLS handshake fails."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:
        return None


@contextmanager
def refusing() -> Iterator[str]:
    yield f"https://127.0.0.1:{closed_port()}"


@contextmanager
def unknown_host() -> Iterator[str]:
    yield "https://crm.leadsync-test.invalid"  # RFC 2606: never resolves


Endpoint = Callable[[], Any]
FAILURES: dict[str, tuple[Endpoint, str]] = {
    "refused": (refusing, "connection refused"),
    "dns": (unknown_host, "DNS lookup failed"),
    "tls": (plain_http, "TLS handshake failed"),
    "connect-timeout": (full_backlog, "no connection within the connect timeout of 0.5 s"),
    "read-timeout": (silent_server, "no answer within"),
}


# -- tests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_plan_names_the_crm_and_what_stopped_the_connection(tmp_path: Path, crm: str, failure: str) -> None:
    endpoint, reason = FAILURES[failure]
    with endpoint() as url:
        config = config_file(tmp_path, {crm: {URL_KEY[crm]: url, **CREDENTIALS[crm], **QUICK}})
        result = runner.invoke(app, ["plan", "--config", str(config), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # no "nothing to do" plan
    problem = next(line for line in result.stderr.splitlines() if f"[crm.{crm}]" in line)
    assert reason in problem
    assert "crm.unavailable" in result.stderr  # the structlog event, with the reason


@pytest.mark.parametrize(
    "command",
    [["sync"], ["plan"], ["explain", "someone@example.com"], ["rollback", "0123abcd", "--yes"]],
    ids=lambda command: command[0],
)
def test_refused_credentials_end_each_command_with_exit_1_naming_each_crm(
    tmp_path: Path, sandboxes: dict[str, dict[str, Any]], command: list[str]
) -> None:
    crms = {name: {**settings, **BAD_SECRETS[name]} for name, settings in sandboxes.items()}
    result = runner.invoke(app, [*command, "--config", str(config_file(tmp_path, crms))])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    salesforce = next(line for line in lines if "[crm.salesforce]:" in line)
    hubspot = next(line for line in lines if "[crm.hubspot]:" in line)
    assert "session_id" in salesforce  # what to renew
    assert "HTTP 401" in hubspot
    assert "LEADSYNC_CRM__HUBSPOT__ACCESS_TOKEN" in hubspot  # a variable that is read
    assert "not-a-session" not in result.output
    assert "pat-wrong" not in result.output


def test_the_daemon_does_not_start_when_a_crm_refuses_its_credentials(
    tmp_path: Path, sandboxes: dict[str, dict[str, Any]]
) -> None:
    crms = {**sandboxes, "hubspot": {**sandboxes["hubspot"], **BAD_SECRETS["hubspot"]}}
    done = subprocess.run(
        [sys.executable, "-m", "leadsync", "run", "--config", str(config_file(tmp_path, crms))],
        capture_output=True,
        text=True,
        timeout=120,  # before: the daemon ran on, cycle after failed cycle
        check=False,
    )
    assert done.returncode == 1
    assert "[crm.hubspot]: " in done.stderr
    assert "HTTP 401" in done.stderr
    assert "[crm.salesforce]" not in done.stderr  # it answered


@pytest.mark.parametrize("failure", ["refused", "connect-timeout"])
def test_check_live_says_why_each_crm_cannot_be_reached(tmp_path: Path, failure: str) -> None:
    endpoint, reason = FAILURES[failure]
    with endpoint() as url:
        crms = {name: {URL_KEY[name]: url, **CREDENTIALS[name], **QUICK} for name in URL_KEY}
        result = runner.invoke(
            app, ["check", "--live", "--config", str(config_file(tmp_path, crms)), "--format", "json"]
        )
    assert result.exit_code == 1
    messages = [error["message"] for error in json.loads(result.stdout)["errors"]]
    for name in URL_KEY:
        assert any(f"crm.{name}: cannot connect to {url}: {reason}" in message for message in messages), name


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_a_connection_that_cannot_be_made_is_not_retried_but_a_silent_one_is(
    tmp_path: Path, crm: str
) -> None:
    def waits_until_given_up(endpoint: Endpoint, attempts: int) -> list[float]:
        waits: list[float] = []
        with endpoint() as url:
            values = {URL_KEY[crm]: url, **CREDENTIALS[crm], **QUICK, "attempts": attempts}
            settings = load_config(config_file(tmp_path, {crm: values}))
            (connection,) = connect_all(settings, clock=ManualClock(START), sleep=waits.append)
            with pytest.raises(TransientError):
                list(connection.adapter.owners())
        return waits

    assert waits_until_given_up(refusing, attempts=3) == []  # reported at once
    assert len(waits_until_given_up(silent_server, attempts=2)) == 1  # connected, no answer: tried again
