"""State-store fixtures: every test runs on SQLite (tmp_path) and on PostgreSQL (its own schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from leadsync.store import Store

POSTGRES_URLS = (
    "postgresql+psycopg://root@127.0.0.1:5432/test",
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
)
T0 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def _reachable_postgres() -> tuple[str, Engine] | None:
    for url in POSTGRES_URLS:
        engine = create_engine(url, connect_args={"connect_timeout": 3}, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError:
            engine.dispose()
            continue
        return url, engine
    return None


@pytest.fixture(scope="session")
def postgres() -> Iterator[tuple[str, Engine]]:
    """A reachable PostgreSQL (URL and an admin engine); in CI an unreachable server fails the test."""
    found = _reachable_postgres()
    if found is None:
        message = f"PostgreSQL is unreachable at {', '.join(POSTGRES_URLS)}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: the state store must be tested on PostgreSQL)")
        pytest.skip(message)
    yield found
    found[1].dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty state-store URL: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    base, admin = request.getfixturevalue("postgres")
    schema = f"leadsync_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def pipeline() -> str:
    """A pipeline name of its own: PostgreSQL advisory locks are database-wide."""
    return f"main-{uuid.uuid4().hex[:8]}"
