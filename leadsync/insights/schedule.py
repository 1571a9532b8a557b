"""When the [sync] schedule runs next, and when a missing run makes the sync stale.

The daemon's own trigger lives in `leadsync.scheduler`, above the read models; both read the
same `[sync]` settings through `leadsync.crontab`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from leadsync.config import SyncSettings
from leadsync.crontab import cron_trigger

__all__ = ["GRACE", "describe", "next_run_at", "stale_after"]

GRACE: Final = timedelta(minutes=5)
"""A cycle may run this long past its slot before the sync counts as stale."""

_TICK: Final = timedelta(seconds=1)


def describe(sync: SyncSettings) -> str:
    """The schedule in words: "every 15m", "every 1h30m" or "cron */15 * * * * (UTC)"."""
    if sync.cron is not None:
        return f"cron {sync.cron} ({sync.timezone})"
    minutes, seconds = divmod(int(sync.interval.total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = zip((days, hours, minutes, seconds), "dhms", strict=True)
    return "every " + "".join(f"{amount}{unit}" for amount, unit in parts if amount)


def next_run_at(sync: SyncSettings, *, last_started_at: datetime | None, now: datetime) -> datetime | None:
    """The next scheduled cycle: the next cron slot, or one interval after the last run started.

    None with an interval and no run yet: the daemon runs its first cycle as soon as it starts.
    """
    if sync.cron is None:
        return None if last_started_at is None else last_started_at + sync.interval
    return _slot_after(sync, now)


def stale_after(sync: SyncSettings, last_success_at: datetime) -> datetime:
    """When the sync is stale: two scheduled runs after the last success were missed, plus GRACE."""
    if sync.cron is None:
        return last_success_at + 2 * sync.interval + GRACE
    first = _slot_after(sync, last_success_at)
    second = _slot_after(sync, first + _TICK)
    return second + GRACE


def _slot_after(sync: SyncSettings, moment: datetime) -> datetime:
    """The first cron slot at or after `moment` (a crontab line always has a next slot)."""
    slot: datetime | None = cron_trigger(str(sync.cron), sync.timezone).get_next_fire_time(None, moment)
    if slot is None:  # pragma: no cover - five-field crontab lines repeat forever
        raise ValueError(f"cron {sync.cron!r} has no slot after {moment.isoformat()}")
    return slot
