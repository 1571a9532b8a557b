"""No web page can reach the dashboard: it answers known `Host` names only, every response carries
the security headers, its pages hold no inline code, and the token is compared whole."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from structlog.testing import capture_logs
from typer.testing import CliRunner

from leadsync.cli import app as cli
from leadsync.config import load_config
from leadsync.web import create_app
from tests.engine.conftest import Pipeline
from tests.web.conftest import TOKEN, client_of, dashboard_of

PATHS = ("/", "/funnel", "/errors", "/person", "/api/runs", "/api/funnel", "/api/quarantine", "/metrics",
         "/openapi.json", "/static/dashboard.js", "/static/dashboard.css", "/healthz")  # fmt: skip
FOREIGN = ("evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example",
           "attacker.localhost", "10.0.0.5")  # fmt: skip
WriteConfig = Callable[[str], Path]
LOOPBACK = ("localhost", "LocalHost:8080", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080")


def assert_secured(response: httpx.Response) -> None:
    """Every security header is there, and the policy allows no inline code and no framing."""
    where = f"{response.request.url.path} ({response.status_code})"
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {
        name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
    }
    assert directives.get("default-src") == "'none'", where
    assert directives.get("script-src") == "'self'", where
    assert directives.get("style-src") == "'self'", where
    assert directives.get("frame-ancestors") == "'none'", where
    assert "unsafe-inline" not in policy, where
    assert "unsafe-eval" not in policy, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") == "no-referrer", where


@pytest.mark.parametrize("host", FOREIGN)
def test_a_foreign_host_is_refused_on_every_path(client: httpx.Client, host: str) -> None:
    for path in PATHS:
        response = client.get(path, headers={"Host": host})

        assert response.status_code == 400, (host, path)
        assert response.text == "Invalid host header"
        assert response.headers["Content-Type"].startswith("text/plain")
        assert_secured(response)


@pytest.mark.parametrize("host", LOOPBACK)
def test_loopback_names_are_answered_on_any_port(client: httpx.Client, host: str) -> None:
    for path in PATHS:
        assert client.get(path, headers={"Host": host}).status_code in {200, 503}, (host, path)  # 503: health


def test_configured_names_are_answered_and_no_others(synced: Pipeline) -> None:
    web = {"allowed_hosts": ["Dash.Example.com", "*.corp.example", "::2"]}
    app = create_app(dashboard_of(synced, **web), host="127.0.0.1")

    with client_of(app) as client:

        def status(host: str) -> int:
            return client.get("/api/runs", headers={"Host": host}).status_code

        assert [
            status(h) for h in ("dash.example.com", "DASH.example.com:8443", "a.corp.example", "[::2]")
        ] == [200] * 4
        assert [status(h) for h in ("corp.example", "dash.example.com.evil", "evil.example", "[::3]")] == [
            400
        ] * 4
        assert status("localhost:8080") == 200


def test_the_address_it_listens_on_is_answered_but_not_every_address(synced: Pipeline) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    on_lan = create_app(dashboard_of(synced, token=TOKEN), host="192.168.1.20")
    with capture_logs() as logs:
        everywhere = create_app(dashboard_of(synced, token=TOKEN), host="0.0.0.0")  # noqa: S104

    with client_of(on_lan) as client:
        assert client.get("/api/runs", headers={"Host": "192.168.1.20:8080", **bearer}).status_code == 200
        assert client.get("/api/runs", headers={"Host": "10.0.0.5", **bearer}).status_code == 400
    with client_of(everywhere) as client:
        assert client.get("/api/runs", headers={"Host": "0.0.0.0:8080", **bearer}).status_code == 400
        assert client.get("/api/runs", headers={"Host": "localhost:8080", **bearer}).status_code == 200
    warning = next(entry for entry in logs if entry["event"] == "web.loopback_names_only")
    assert "[web] allowed_hosts" in warning["fix"]


def test_allowed_hosts_come_from_the_environment_too(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config('[web]\nallowed_hosts = ["dash.example.com"]\n')
    monkeypatch.setenv("LEADSYNC_WEB__ALLOWED_HOSTS", '["Reports.Example.com", "fd00::1"]')

    assert load_config(config).web.allowed_hosts == ("reports.example.com", "[fd00::1]")


@pytest.mark.parametrize(
    "name", ["*", "http://dash.example.com", "dash.example.com:8080", "dash example", "a.*.b"]
)
def test_a_name_that_is_not_a_host_is_a_config_problem(write_config: WriteConfig, name: str) -> None:
    config = write_config(f'[web]\nallowed_hosts = ["localhost", "{name}"]\n')

    result = CliRunner().invoke(cli, ["serve", "--config", str(config)])

    assert result.exit_code == 1
    assert "[web.allowed_hosts.1]: is not a host name or IP address" in result.stderr
    assert '"*.example.com"' in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.fixture(scope="module")
def person_page(synced: Pipeline) -> str:
    """The page of the person seen in most CRMs."""
    person = synced.store.persons.most_active_in_several_crms()
    assert person is not None
    return f"/person/{quote(str(synced.store.links.email_of(person)))}"


def test_every_response_carries_the_security_headers(client: httpx.Client, person_page: str) -> None:
    for path in (*PATHS, person_page, "/static/chart.umd.min.js"):
        assert_secured(client.get(path))
    for path, status in (
        ("/no-such-page", 404),
        ("/static/no-such-file.js", 404),
        ("/api/people/nobody%40example.com", 404),
        ("/person/nobody%40example.com", 404),
        ("/api/runs?limit=0", 422),
        ("/person?email=x%40example.com", 303),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        assert_secured(response)
    assert_secured(client.post("/api/runs"))  # 405


def test_token_refusals_and_internal_errors_carry_the_security_headers(synced: Pipeline) -> None:
    app = create_app(dashboard_of(synced, token=TOKEN), host="127.0.0.1")

    def fail() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/fail", fail)  # a bug in a route: the one way to a 500
    with client_of(app) as client:
        refused = client.get("/api/runs")
        failed = client.get("/fail", headers={"Authorization": f"Bearer {TOKEN}"})

    assert refused.status_code == 401
    assert_secured(refused)
    assert failed.status_code == 500
    assert_secured(failed)
    assert failed.text == "internal error; see the dashboard's log"


class _InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block: inline scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name, _ in attrs if name == "style" or name.startswith("on")]


def test_pages_hold_no_inline_script_or_style(client: httpx.Client, person_page: str) -> None:
    for path in ("/", "/funnel", "/errors", "/person", person_page, "/person/x%40example.com"):
        parser = _InlineCode()
        parser.feed(client.get(path).text)

        assert parser.found == [], path


def test_only_the_whole_token_is_let_in(synced: Pipeline) -> None:
    app = create_app(dashboard_of(synced, token=TOKEN), host="127.0.0.1")
    near_misses = (
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}X",
        f"Bearer {TOKEN.upper()}",
        f"Bearer  {TOKEN}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer",
        "Bearer " + "é" * len(TOKEN),
    )

    with client_of(app) as client:
        wrong = [client.get("/api/runs", headers={b"Authorization": given.encode()}) for given in near_misses]
        right = client.get("/api/runs", headers={"Authorization": f"Bearer {TOKEN}"})

    assert [response.status_code for response in wrong] == [401] * len(near_misses)
    assert right.status_code == 200
