"""Funnel-report fixtures: state stores on SQLite and PostgreSQL, the hand-made funnel, the sandboxes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from leadsync.store import Store
from tests.engine.conftest import make_pipeline  # noqa: F401 - shared with the engine tests
from tests.insights.funnel_fixture import fill
from tests.store.conftest import postgres, store, store_url  # noqa: F401 - shared with the store tests


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The hand-made funnel in a store, built once per module and database (tests only read it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('funnel') / 'state.db'}"
        with Store.open(url) as opened:
            fill(opened)
            yield opened
        return
    base, admin = request.getfixturevalue("postgres")
    schema = f"leadsync_funnel_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        with Store.open(f"{base}?options=-csearch_path%3D{schema}") as opened:
            fill(opened)
            yield opened
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
