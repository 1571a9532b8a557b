"""Off loopback the dashboard needs a token: it refuses to start without one, then checks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadsync.cli import app as cli
from leadsync.web import WebError, create_app, is_loopback
from tests.engine.conftest import Pipeline
from tests.web.conftest import TOKEN, client_of, dashboard_of

PROTECTED = ("/", "/funnel", "/errors", "/person", "/api/runs", "/api/funnel", "/api/quarantine",
             "/metrics", "/openapi.json", "/static/chart.umd.min.js")  # fmt: skip


EXPOSED = ("0.0.0.0", "::", "192.168.1.20", "dashboard.example.com")  # noqa: S104 - addresses under test


@pytest.mark.parametrize(
    ("host", "loopback"),
    [*((host, True) for host in ("127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost")),
     *((host, False) for host in EXPOSED)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_exposed_host_without_a_token_is_refused(synced: Pipeline) -> None:
    with pytest.raises(WebError, match=r"0\.0\.0\.0.*without a token.*\[web\] token"):
        create_app(dashboard_of(synced), host="0.0.0.0")  # noqa: S104 - the address under test


def test_an_exposed_app_requires_the_bearer_token_on_every_page_and_api(synced: Pipeline) -> None:
    app = create_app(dashboard_of(synced, host="0.0.0.0", token=TOKEN), host="0.0.0.0")  # noqa: S104

    with client_of(app) as client:
        for path in PROTECTED:
            bare = client.get(path)
            wrong = client.get(path, headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
            right = client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
            assert (bare.status_code, wrong.status_code, right.status_code) == (401, 401, 200), path
            assert bare.headers["WWW-Authenticate"] == 'Bearer realm="leadsync"'
            assert TOKEN not in bare.text + wrong.text + right.text
        assert client.get("/api/runs", headers={"Authorization": TOKEN}).status_code == 401
        assert client.get("/no-such-page").status_code == 401  # not even whether a path exists
        assert client.get("/docs").status_code == 401
        assert client.get("/healthz").status_code == 200  # probes carry no token


def test_a_configured_token_is_required_on_loopback_too(synced: Pipeline) -> None:
    app = create_app(dashboard_of(synced, token=TOKEN), host="127.0.0.1")

    with client_of(app) as client:
        assert client.get("/api/runs").status_code == 401
        assert client.get("/api/runs", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_serve_on_an_exposed_host_without_a_token_exits_1_and_says_why(
    synced: Pipeline, tmp_path: Path
) -> None:
    config = tmp_path / "leadsync.toml"
    config.write_text(f'[sync]\nstate_url = "{synced.raw["sync"]["state_url"]}"\n', encoding="utf-8")

    result = CliRunner().invoke(cli, ["serve", "--config", str(config), "--host", "0.0.0.0"])  # noqa: S104

    assert result.exit_code == 1
    assert "[web]" in result.stderr
    assert "without a token" in result.stderr


def test_a_short_token_is_a_config_problem(write_config) -> None:
    config = write_config('[web]\nhost = "0.0.0.0"\ntoken = "abc123"\n')

    result = CliRunner().invoke(cli, ["serve", "--config", str(config)])

    assert result.exit_code == 1
    assert "[web.token]: is shorter than 16 characters" in result.stderr
    assert "abc123" not in result.stderr
