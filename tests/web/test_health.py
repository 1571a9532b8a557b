"""`/healthz`: 200 after a good run; 503 with the store unreachable, a failed or a stale last run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from leadsync.clock import ManualClock
from leadsync.config import Settings
from leadsync.definitions import load_definitions
from leadsync.insights.schedule import describe, next_run_at, stale_after
from leadsync.store import RunStatus, Store
from leadsync.web import Dashboard, create_app
from tests.engine.conftest import Pipeline
from tests.web.conftest import client_of, dashboard_of

T0 = datetime(2026, 11, 23, 12, 10, tzinfo=UTC)


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_healthy_after_a_good_run_even_if_a_partial_one_followed(synced: Pipeline, client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    partial, good = synced.store.runs.recent()
    assert (partial.status, good.status) == (RunStatus.PARTIAL, RunStatus.SUCCEEDED)
    assert body["healthy"] is True
    assert body["store_reachable"] is True
    assert body["last_run_status"] == "partial"
    assert body["lag_s"] == (synced.clock.now() - good.finished_at).total_seconds()
    assert body["problems"] == []


def test_unhealthy_when_the_last_success_is_older_than_the_schedule_allows(synced: Pipeline) -> None:
    good = synced.store.runs.recent()[1]
    assert good.finished_at is not None
    late = ManualClock(good.finished_at + timedelta(minutes=35, seconds=1))  # 15m: two slots + 5m grace
    dashboard = dashboard_of(synced)
    app = create_app(Dashboard(dashboard.settings, synced.store, synced.definitions, late), host="127.0.0.1")

    with client_of(app) as client:
        response = client.get("/healthz")

    assert response.status_code == 503
    [problem] = response.json()["problems"]
    assert "longer ago than the schedule (every 15m) allows" in problem


def test_unhealthy_when_the_last_run_failed(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}")
    for minute, status in enumerate((RunStatus.SUCCEEDED, RunStatus.FAILED)):
        run = store.runs.start("default", at=T0 + timedelta(minutes=minute))
        store.runs.finish(
            run.id, status, at=T0 + timedelta(minutes=minute, seconds=30), counts={}, api_calls={}
        )
    settings = Settings.model_validate({"sync": {"state_url": str(store.engine.url)}})
    app = create_app(
        Dashboard(settings, store, load_definitions(), ManualClock(T0 + timedelta(minutes=2))), host="::1"
    )

    with store, client_of(app) as client:
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["last_run_status"] == "failed"
    assert body["problems"] == [f"the last run {run.id} failed; see `leadsync runs` and the daemon's log"]


def test_unhealthy_when_the_store_does_not_answer(tmp_path: Path) -> None:
    gone = Store(create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'state.db'}"))
    settings = Settings.model_validate({})
    app = create_app(Dashboard(settings, gone, load_definitions(), ManualClock(T0)), host="127.0.0.1")

    with client_of(app) as client:
        health = client.get("/healthz")
        metrics = client.get("/metrics")
        runs, page = client.get("/api/runs"), client.get("/")

    assert health.status_code == 503
    assert health.json()["store_reachable"] is False
    assert "does not answer (OperationalError)" in health.json()["problems"][0]
    assert metrics.status_code == 200
    assert metrics.text.splitlines()[-1] == "leadsync_store_up 0.0"
    for answer in (runs, page):
        assert answer.status_code == 503
        assert answer.json()["detail"].endswith("does not answer (OperationalError); see /healthz")


@pytest.mark.parametrize(
    ("sync", "next_run", "stale"),
    [
        ({"interval": "15m"}, T0 + timedelta(minutes=15), T0 + timedelta(minutes=35)),
        # cron slots after 12:10 are 13:00 and 14:00; the next slot after now (12:20) is 13:00.
        ({"cron": "0 * * * *"}, _at(23, 13, 0), _at(23, 14, 5)),
        # 09:30 in Paris is 08:30 UTC in November; T0 is a Monday.
        ({"cron": "30 9 * * 1-5", "timezone": "Europe/Paris"}, _at(24, 8, 30), _at(25, 8, 35)),
    ],
)  # fmt: skip
def test_next_run_and_staleness_follow_the_schedule(
    sync: dict[str, str], next_run: datetime, stale: datetime
) -> None:
    settings = Settings.model_validate({"sync": sync}).sync

    assert next_run_at(settings, last_started_at=T0, now=T0 + timedelta(minutes=10)) == next_run
    assert stale_after(settings, T0) == stale


@pytest.mark.parametrize(
    ("sync", "words"),
    [({"interval": "15m"}, "every 15m"), ({"interval": "1d1h30m5s"}, "every 1d1h30m5s"),
     ({"cron": "*/5 * * * *", "timezone": "Europe/Paris"}, "cron */5 * * * * (Europe/Paris)")],
)  # fmt: skip
def test_the_schedule_in_words(sync: dict[str, str], words: str) -> None:
    assert describe(Settings.model_validate({"sync": sync}).sync) == words
