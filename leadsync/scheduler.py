"""The daemon: run sync cycles on the configured schedule until SIGTERM or SIGINT."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable
from datetime import UTC
from types import FrameType
from typing import Any, Final

import structlog
from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from leadsync.clock import Clock, SystemClock
from leadsync.config import Settings, SyncSettings
from leadsync.crontab import cron_trigger
from leadsync.definitions import Definitions
from leadsync.exceptions import ConfigError
from leadsync.pipeline import Crms, LeaseHeld, StoreError, open_pipeline

__all__ = ["Cycle", "Daemon", "sync_cycle", "trigger_for"]

log = structlog.get_logger(__name__)

Cycle = Callable[[Callable[[], bool]], object]
"""One sync cycle; it gets `stop_requested` and should checkpoint and return once it is True."""

_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)


def sync_cycle(settings: Settings, definitions: Definitions, clock: Clock) -> Cycle:
    """The daemon's cycle: a pipeline built afresh (new clients, so each cycle's call counts are its
    own) runs one sync. What stops a cycle is logged, and the next one tries again."""

    def cycle(stop_requested: Callable[[], bool]) -> None:
        try:
            with open_pipeline(
                settings, clock=clock, crms=Crms.CONFIGURED, definitions=definitions
            ) as pipeline:
                report = pipeline.engine.sync(stop=stop_requested)
        except ConfigError as exc:
            log.error("cycle.skipped", problems=[p.render() for p in exc.problems])
            return
        except LeaseHeld as exc:
            log.warning("cycle.skipped", reason=str(exc))
            return
        except StoreError as exc:
            log.error("cycle.failed", error=type(exc).__name__, reason=str(exc))
            return
        for crm, figures in report.crms.items():
            for problem in figures.errors:
                log.error("crm.failed", run_id=report.run_id, crm=crm, problem=problem)

    return cycle


def trigger_for(sync: SyncSettings) -> BaseTrigger:
    """The APScheduler trigger for `[sync]`: every `interval`, or the `cron` line read in `timezone`."""
    if sync.cron is None:
        return IntervalTrigger(seconds=sync.interval.total_seconds(), timezone=UTC)
    return cron_trigger(sync.cron, sync.timezone)


class Daemon:
    """Runs `cycle` on `trigger`, one at a time, until a stop is requested; single use.

    A stop (SIGTERM, SIGINT or `request_stop`) lets the running cycle finish: it sees
    `stop_requested()` turn True, checkpoints and returns; then `run` returns normally.
    """

    def __init__(
        self,
        cycle: Cycle,
        trigger: BaseTrigger,
        *,
        misfire_grace_s: int = 300,
        run_first_now: bool = True,
        clock: Clock | None = None,
    ) -> None:
        self._cycle = cycle
        self._trigger = trigger
        self._misfire_grace_s = misfire_grace_s
        self._run_first_now = run_first_now
        self._clock = clock or SystemClock()
        self._stop = threading.Event()
        self._signal_name: str | None = None

    def stop_requested(self) -> bool:
        """True once a stop has been requested."""
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Ask the daemon to stop after the running cycle, if any; safe in a signal handler."""
        # Only sets an event: the scheduler is shut down from another thread (_stop_when_asked),
        # since its locks may be held by the very frame a signal handler interrupts.
        self._stop.set()

    def run(self) -> None:
        """Run cycles until a stop is requested; return once the running cycle has returned."""
        executor = ThreadPoolExecutor(max_workers=1)
        scheduler = BlockingScheduler(timezone=UTC, executors={"default": executor})
        job_options: dict[str, Any] = {}
        if self._run_first_now:
            job_options["next_run_time"] = self._clock.now()
        scheduler.add_job(
            self._run_cycle,
            self._trigger,
            id="sync",
            name="sync cycle",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self._misfire_grace_s,
            **job_options,
        )

        def on_started(_event: SchedulerEvent) -> None:
            threading.Thread(
                target=self._stop_when_asked, args=(scheduler,), name="leadsync-stop", daemon=True
            ).start()

        scheduler.add_listener(on_started, EVENT_SCHEDULER_STARTED)
        previous = self._install_signal_handlers()
        log.info("daemon.started", trigger=str(self._trigger))
        try:
            scheduler.start()  # blocks until _stop_when_asked shuts the scheduler down
            executor.shutdown(wait=True)  # the cycle still running, if any, returns first
        finally:
            self._stop.set()
            for signum, handler in previous.items():
                # None: the handler was not set from Python; the default is the best restore.
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        log.info("daemon.stopped")

    def _run_cycle(self) -> None:
        if self._stop.is_set():  # queued before the stop: do not start another cycle
            return
        try:
            self._cycle(self.stop_requested)
        except Exception:  # one bad cycle must not end the daemon; the next may succeed
            log.exception("cycle.failed")

    def _stop_when_asked(self, scheduler: BlockingScheduler) -> None:
        self._stop.wait()
        log.info("daemon.stopping", signal=self._signal_name)
        with contextlib.suppress(SchedulerNotRunningError):  # start() failed or run() is over
            scheduler.shutdown(wait=False)

    def _install_signal_handlers(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}  # Python accepts signal handlers in the main thread only

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            self._signal_name = signal.Signals(signum).name  # logged by _stop_when_asked, not here
            self.request_stop()

        return {signum: signal.signal(signum, on_signal) for signum in _SIGNALS}
