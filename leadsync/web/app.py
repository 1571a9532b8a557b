"""The dashboard's FastAPI application over one pipeline's state store."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr
from starlette.middleware.trustedhost import TrustedHostMiddleware

from leadsync import __version__
from leadsync.insights import STORE_UNREACHABLE
from leadsync.web.api import api_router
from leadsync.web.auth import BearerToken, is_loopback, required_token
from leadsync.web.context import Dashboard
from leadsync.web.headers import SECURITY_HEADERS, SecurityHeaders
from leadsync.web.hosts import LOOPBACK_NAMES, trusted_hosts
from leadsync.web.metrics import StoreCollector, metrics_registry
from leadsync.web.pages import pages_router

__all__ = ["create_app"]

_log = structlog.get_logger(__name__)


def create_app(dashboard: Dashboard, *, host: str) -> FastAPI:
    """The app for clients reaching it on `host`: a token is required when [web] has one, and
    WebError is raised when `host` is reachable from elsewhere and [web] has none.

    Every response carries SECURITY_HEADERS; a request whose `Host` is not a trusted name gets 400.
    """
    token = required_token(host, dashboard.settings.web.token)
    app = FastAPI(
        title="leadsync dashboard",
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN: /openapi.json stays
        redoc_url=None,
        version=__version__,
        description="Sync health, funnel, errors and people of one pipeline, read from its state store.",
    )
    app.include_router(api_router(dashboard))
    app.include_router(pages_router(dashboard))
    app.mount("/static", StaticFiles(packages=[("leadsync.web", "static")]), name="static")
    registry = metrics_registry(StoreCollector(dashboard))

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    def store_unreachable(_request: Request, exc: Exception) -> Response:
        _log.warning("web.store_unreachable", error=type(exc).__name__)
        detail = f"the state store {dashboard.store.url} does not answer ({type(exc).__name__}); see /healthz"
        return JSONResponse({"detail": detail}, status_code=503)

    for unreachable in STORE_UNREACHABLE:
        app.add_exception_handler(unreachable, store_unreachable)

    @app.exception_handler(Exception)
    def failed(_request: Request, _exc: Exception) -> Response:
        # Starlette answers an unhandled error outside every middleware: the headers go here too.
        return PlainTextResponse("internal error; see the dashboard's log", 500, headers=SECURITY_HEADERS)

    _guard(app, host=host, token=token, allowed_hosts=dashboard.settings.web.allowed_hosts)
    return app


def _guard(app: FastAPI, *, host: str, token: SecretStr | None, allowed_hosts: tuple[str, ...]) -> None:
    """Wrap `app` in, from the outermost: security headers, the `Host` check, the token check."""
    if token is not None:
        app.add_middleware(BearerToken, token=token)
    hosts = trusted_hosts(host, allowed_hosts)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)
    app.add_middleware(SecurityHeaders)  # added last, runs first: its refusals carry the headers too
    if hosts == LOOPBACK_NAMES and not is_loopback(host):
        _log.warning(
            "web.loopback_names_only",
            host=host,
            fix="list the names clients use to reach the dashboard in [web] allowed_hosts",
        )
