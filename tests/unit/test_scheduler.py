from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import ValidationError
from structlog.testing import capture_logs

from leadsync.clock import ManualClock
from leadsync.config import Settings, SyncSettings
from leadsync.definitions import load_definitions
from leadsync.insights import recent_runs
from leadsync.pipeline import open_store
from leadsync.scheduler import Daemon, sync_cycle, trigger_for
from tests.conftest import REPO

SUNDAY = datetime(2025, 1, 5, tzinfo=UTC)  # 2025-01-05 was a Sunday
FAST = IntervalTrigger(seconds=0.05, timezone=UTC)


def fire_times(trigger: BaseTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Every fire time of `trigger` in [start, end), as APScheduler computes them."""
    times: list[datetime] = []
    previous = None
    now = start
    while (fire := trigger.get_next_fire_time(previous, now)) < end:
        times.append(fire)
        previous = now = fire
    return times


def weekdays_in_first_week(settings: SyncSettings) -> list[str]:
    return [
        t.strftime("%a").lower() for t in fire_times(trigger_for(settings), SUNDAY, SUNDAY + timedelta(7))
    ]


@pytest.mark.parametrize(
    ("line", "days"),
    [
        ("0 9 * * 1-5", ["mon", "tue", "wed", "thu", "fri"]),
        ("0 9 * * 0", ["sun"]),
        ("0 9 * * 1", ["mon"]),
        ("0 9 * * 6,0", ["sun", "sat"]),
        ("0 9 * * */2", ["sun", "tue", "thu", "sat"]),
        ("0 9 * * 1-5/2", ["mon", "wed", "fri"]),
        ("0 9 * * mon-fri", ["mon", "tue", "wed", "thu", "fri"]),
        ("0 9 * * SAT,sun", ["sun", "sat"]),
        ("0 9 * * *", ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
    ],
)
def test_crontab_weekdays_keep_their_crontab_meaning(line: str, days: list[str]) -> None:
    assert weekdays_in_first_week(SyncSettings(cron=line)) == days


@pytest.mark.parametrize(("line", "days"), [("0 9 * * 7", ["sun"]), ("0 9 * * 5-7", ["sun", "fri", "sat"])])
def test_weekday_seven_is_sunday(line: str, days: list[str]) -> None:
    assert weekdays_in_first_week(SyncSettings(cron=line)) == days


def test_monday_to_friday_at_nine_skips_the_weekend() -> None:
    trigger = trigger_for(SyncSettings(cron="0 9 * * 1-5"))
    friday_after_nine = datetime(2025, 1, 10, 9, 30, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, friday_after_nine) == datetime(2025, 1, 13, 9, tzinfo=UTC)


def test_day_of_month_and_weekday_both_set_fire_on_either() -> None:
    # Vixie cron: "0 0 13 * 5" is every 13th and every Friday, not only Friday the 13th.
    trigger = trigger_for(SyncSettings(cron="0 0 13 * 5"))
    days = [
        t.day for t in fire_times(trigger, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC))
    ]
    assert days == [3, 10, 13, 17, 24, 31]


@pytest.mark.parametrize("weekday", ["8", "fri-mon", "funday", "1-5/0"])
def test_a_weekday_crontab_does_not_know_is_refused(weekday: str) -> None:
    with pytest.raises(ValueError, match="crontab weekday"):
        trigger_for(SyncSettings.model_construct(cron=f"0 9 * * {weekday}", timezone="UTC"))
    with pytest.raises(ValidationError, match="is not a crontab line"):  # the config says so first
        SyncSettings(cron=f"0 9 * * {weekday}")


@pytest.mark.parametrize(
    ("now", "fires_at"),
    [
        (datetime(2025, 1, 15, tzinfo=UTC), datetime(2025, 1, 15, 8, tzinfo=UTC)),  # CET, UTC+1
        (datetime(2025, 7, 15, tzinfo=UTC), datetime(2025, 7, 15, 7, tzinfo=UTC)),  # CEST, UTC+2
    ],
)
def test_a_crontab_line_is_read_in_the_configured_time_zone(now: datetime, fires_at: datetime) -> None:
    trigger = trigger_for(SyncSettings(cron="0 9 * * *", timezone="Europe/Paris"))
    assert trigger.get_next_fire_time(None, now) == fires_at


def test_an_interval_fires_every_interval_in_utc() -> None:
    trigger = trigger_for(SyncSettings(interval=timedelta(minutes=15)))
    previous = datetime(2025, 3, 30, 0, 55, tzinfo=UTC)  # across the Paris DST switch: no effect
    fire = trigger.get_next_fire_time(previous, previous)
    assert fire == datetime(2025, 3, 30, 1, 10, tzinfo=UTC)
    assert fire.utcoffset() == timedelta(0)


class Recorder:
    """A cycle that records what it saw; `stop_on` asks its daemon to stop on that call."""

    def __init__(self, stop_on: int, fail_on: int | None = None) -> None:
        self.stop_on, self.fail_on = stop_on, fail_on
        self.daemon: Daemon | None = None
        self.seen_stop: list[bool] = []

    def __call__(self, stop_requested: Callable[[], bool]) -> None:
        call = len(self.seen_stop) + 1
        if call == self.stop_on:
            assert self.daemon is not None
            self.daemon.request_stop()
        self.seen_stop.append(stop_requested())
        if call == self.fail_on:
            raise RuntimeError("the CRM is down")


def test_the_daemon_runs_cycles_until_a_stop_is_requested() -> None:
    cycle = Recorder(stop_on=2)
    cycle.daemon = Daemon(cycle, trigger_for(SyncSettings(interval=timedelta(seconds=1))))
    sigterm_handler = signal.getsignal(signal.SIGTERM)
    with capture_logs() as logs:
        cycle.daemon.run()
    assert cycle.seen_stop == [False, True]
    assert [entry["event"] for entry in logs] == ["daemon.started", "daemon.stopping", "daemon.stopped"]
    assert logs[0]["trigger"] == "interval[0:00:01]"
    assert signal.getsignal(signal.SIGTERM) is sigterm_handler


def test_a_failing_cycle_is_logged_and_the_next_one_runs() -> None:
    cycle = Recorder(stop_on=2, fail_on=1)
    cycle.daemon = Daemon(cycle, FAST)
    with capture_logs() as logs:
        cycle.daemon.run()
    assert cycle.seen_stop == [False, True]
    failed = [entry for entry in logs if entry["event"] == "cycle.failed"]
    assert len(failed) == 1
    assert failed[0]["log_level"] == "error"
    assert failed[0]["exc_info"] is True


def test_a_stop_requested_from_another_thread_waits_for_the_running_cycle() -> None:
    started, returned = threading.Event(), threading.Event()

    def cycle(stop_requested: Callable[[], bool]) -> None:
        started.set()
        stop_requested_seen = threading.Event()
        while not stop_requested():
            stop_requested_seen.wait(0.01)
        returned.set()

    daemon = Daemon(cycle, FAST)

    def stop_once_started() -> None:
        started.wait()
        daemon.request_stop()

    stopper = threading.Thread(target=stop_once_started)
    stopper.start()
    daemon.run()
    stopper.join()
    assert returned.is_set()


SCRIPT = """
    import sys
    import time
    from datetime import UTC

    from apscheduler.triggers.interval import IntervalTrigger

    from leadsync.logs import configure_logging
    from leadsync.scheduler import Daemon


    def cycle(stop_requested):
        print("started", flush=True)
        while not stop_requested():
            time.sleep(0.05)
        print("checkpoint", flush=True)


    configure_logging(json=True)
    Daemon(cycle, IntervalTrigger(seconds=1, timezone=UTC)).run()
    print("exited", flush=True)
"""


def test_sigterm_lets_the_running_cycle_checkpoint_and_exits_zero(tmp_path: Path) -> None:
    script = tmp_path / "daemon.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(30, process.kill)  # a hung daemon fails the test, not the run
    watchdog.start()
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "started\n"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()
    assert process.returncode == 0, stderr
    assert stdout.splitlines() == ["checkpoint", "exited"]
    assert '"signal": "SIGTERM"' in stderr
    assert '"event": "daemon.stopped"' in stderr


def _never() -> bool:
    return False


def _settings(folder: Path, **crm: dict[str, str]) -> Settings:
    return Settings.model_validate({"sync": {"state_url": f"sqlite:///{folder / 'state.db'}"}, "crm": crm})


def test_a_daemon_cycle_builds_its_pipeline_from_the_config_and_runs_one_sync(tmp_path: Path) -> None:
    settings = _settings(tmp_path)  # no CRM: the cycle runs on the state store alone

    sync_cycle(settings, load_definitions(), ManualClock(SUNDAY))(_never)

    with open_store(settings) as store:
        [run] = recent_runs(store, limit=5)
    assert (run.pipeline, run.status.value, run.started_at) == ("default", "succeeded", SUNDAY)


def test_a_daemon_cycle_whose_crms_cannot_be_built_is_skipped_naming_each_problem(tmp_path: Path) -> None:
    settings = _settings(tmp_path, pipedrive={"adapter": "no-such-adapter"})

    with capture_logs() as logs:
        sync_cycle(settings, load_definitions(), ManualClock(SUNDAY))(_never)

    [skipped] = [event for event in logs if event["event"] == "cycle.skipped"]
    [problem] = skipped["problems"]
    assert "[crm.pipedrive.adapter]" in problem
    assert "no-such-adapter" in problem
    assert not (tmp_path / "state.db").exists()  # the state store is not even opened


def test_a_daemon_cycle_is_skipped_while_another_runner_holds_the_lease(tmp_path: Path) -> None:
    settings = _settings(tmp_path)

    with open_store(settings) as store, store.lease("default"), capture_logs() as logs:
        sync_cycle(settings, load_definitions(), ManualClock(SUNDAY))(_never)

    [skipped] = [event for event in logs if event["event"] == "cycle.skipped"]
    assert "being run by another leadsync process" in skipped["reason"]
    with open_store(settings) as store:
        assert recent_runs(store, limit=5) == []
