"""One state store filled by real sandbox syncs, shared by the dashboard's tests (read only).

Both sandboxes and the real adapters, as in tests/engine: a clean first cycle, then one under
new definitions whose HubSpot writes fail (the sandbox answers 503).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import ManualClock
from leadsync.config import Settings
from leadsync.definitions import Definitions, load_definitions
from leadsync.store import Store
from leadsync.testing.sandbox_server import Fault
from leadsync.web import Dashboard, DashboardServer, create_app
from tests.conftest import REPO
from tests.engine.conftest import NOW, Pipeline

PEOPLE = 60
SEED = 25  # its 60 people include a lead with an invalid e-mail (quarantined), valid in HubSpot
COUNTRY_POINTS = ('points = 15\nvalues = ["FR"', 'points = 5\nvalues = ["FR"')  # most scores drop by 10
TOKEN = "web-test-token-0123456789abcdef"


@pytest.fixture(scope="session")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """Two cycles over 60 people ten minutes apart: the second with failed HubSpot writes."""
    clock = ManualClock(NOW)
    folder = tmp_path_factory.mktemp("web")
    state = f"sqlite:///{folder / 'state.db'}"
    definitions_file = folder / "definitions.toml"
    with (
        SalesforceSandbox(people=PEOPLE, seed=SEED, clock=clock) as salesforce,
        HubSpotSandbox(people=PEOPLE, seed=SEED, clock=clock, rate_limits=False) as hubspot,
        Store.open(state) as store,
    ):
        raw: dict[str, Any] = {
            "sync": {"state_url": state, "interval": "15m"},
            "crm": {
                "salesforce": {"adapter": "salesforce", **salesforce.settings()},
                "hubspot": {"adapter": "hubspot", **hubspot.settings()},
            },
        }
        pipeline = Pipeline(salesforce, hubspot, raw, store, clock)
        pipeline.sync()
        # New definitions rescore everyone: the second cycle writes to every record, and the
        # sandbox answers HubSpot's batch updates with 503s, so those writes stay failed.
        pipeline.definitions = _variant(pipeline.definitions, definitions_file, COUNTRY_POINTS)
        hubspot.faults.push(Fault("server_error_503", path="batch/update"), times=5)
        pipeline.sync(minutes=10, allow_large_change=True)
        yield pipeline


def _variant(definitions: Definitions, file: Path, edit: tuple[str, str]) -> Definitions:
    """`definitions` with one text edit of their file, loaded as a new version."""
    text = Path(definitions.file).read_text(encoding="utf-8")
    file.write_text(text.replace(*edit), encoding="utf-8")
    return load_definitions(file)


def dashboard_of(pipeline: Pipeline, **web: Any) -> Dashboard:
    """The dashboard over the pipeline's store, with `web` merged into its [web] settings."""
    settings = Settings.model_validate({**pipeline.raw, "web": web})
    return Dashboard(settings, pipeline.store, pipeline.definitions, pipeline.clock)


@pytest.fixture(scope="session")
def app(synced: Pipeline) -> FastAPI:
    """The dashboard app on loopback, no token."""
    return create_app(dashboard_of(synced), host="127.0.0.1")


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve `app` with the real uvicorn server on a free loopback port, from a thread; its URL."""
    server = DashboardServer(app, host="127.0.0.1", port=0)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.bound_port}"
    finally:
        server.stop()


@contextmanager
def client_of(app: FastAPI) -> Iterator[httpx.Client]:
    """An HTTP client of `app`, served for the `with` block.

    Not Starlette's TestClient: with this Starlette it warns that httpx is deprecated there, and
    warnings are errors; the real server is closer to production anyway.
    """
    with served(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def base_url(app: FastAPI) -> Iterator[str]:
    """The loopback app, served for the whole session."""
    with served(app) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client of the loopback app."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go: $LEADSYNC_ARTIFACTS, else test-artifacts/web (git-ignored)."""
    folder = Path(os.environ.get("LEADSYNC_ARTIFACTS", REPO / "test-artifacts")) / "web"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
