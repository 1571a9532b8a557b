"""`leadsync serve`: the dashboard over the state store; also started by `leadsync run --serve`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from leadsync.cli.output import ConfigOption, err
from leadsync.cli.session import fail, loaded_settings, opened_pipeline
from leadsync.config import Settings
from leadsync.definitions import Definitions
from leadsync.pipeline import Crms
from leadsync.web import Dashboard, DashboardServer, WebError, create_app

__all__ = ["dashboard_beside", "serve"]


def serve(
    config: ConfigOption = None,
    host: Annotated[
        str | None, typer.Option("--host", help="address to listen on; default [web] host, else 127.0.0.1")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="TCP port; default [web] port, else 8080")
    ] = None,
) -> None:
    """Serve the dashboard (pages, /api, /healthz, /metrics) until SIGTERM or Ctrl-C.

    It reads the state store only, never a CRM. Off loopback it needs [web] token, and every
    request but /healthz must send `Authorization: Bearer <token>`.
    """
    with opened_pipeline(loaded_settings(config), crms=Crms.NONE) as dashboard:
        server = _server(dashboard, host=host, port=port)
        try:
            server.run(on_listening=lambda: _announce(server, dashboard.settings))
        except WebError as exc:
            fail(str(exc))
            raise typer.Exit(code=1) from None


@contextmanager
def dashboard_beside(settings: Settings, definitions: Definitions) -> Iterator[None]:
    """Serve the dashboard from a thread for the `with` block (the daemon's), on [web] host:port."""
    with opened_pipeline(settings, crms=Crms.NONE, definitions=definitions) as dashboard:
        server = _server(dashboard, host=None, port=None)
        try:
            server.start()
        except WebError as exc:
            fail(str(exc))
            raise typer.Exit(code=1) from None
        _announce(server, settings)
        try:
            yield
        finally:
            server.stop()


def _server(dashboard: Dashboard, *, host: str | None, port: int | None) -> DashboardServer:
    settings = dashboard.settings
    chosen = host or settings.web.host
    try:
        app = create_app(dashboard, host=chosen)
    except WebError as exc:
        fail(f"{settings.file} [web]: {exc}")
        raise typer.Exit(code=1) from None
    return DashboardServer(app, host=chosen, port=port or settings.web.port)


def _announce(server: DashboardServer, settings: Settings) -> None:
    """Say where the dashboard is, and that it wants the token when [web] has one (never the token)."""
    err.print(f"Serving the dashboard on {server.url}", markup=False, highlight=False, soft_wrap=True)
    if settings.web.token is not None:
        err.print(
            "Every request but /healthz must send `Authorization: Bearer <token>` with the [web] token "
            "(LEADSYNC_WEB__TOKEN).",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
