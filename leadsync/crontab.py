"""Crontab lines as APScheduler 3 triggers, with crontab's own meaning.

APScheduler 3's `CronTrigger.from_crontab` does not keep it (verified on 3.11): weekday
numbers count from Sunday (0 or 7) in crontab, from Monday in APScheduler; and when both
day-of-month and weekday are restricted, either one matching fires the job (Vixie cron),
not both. Used by the config check and by the scheduler, so both agree on what is valid.
"""

from __future__ import annotations

import re
from typing import Final
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

__all__ = ["cron_trigger"]

# Crontab weekday numbers: 0 and 7 are Sunday. APScheduler 3 numbers Monday 0, so numbers
# never reach it: every weekday field is rewritten as names.
_DAY_NAMES: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NUMBERS: Final = {name: number for number, name in enumerate(_DAY_NAMES[:7])}
_WEEKDAY_ITEM: Final = re.compile(r"^(?:(?P<star>\*)|(?P<first>\w+)(?:-(?P<last>\w+))?)(?:/(?P<step>\d+))?$")


def cron_trigger(line: str, timezone: str) -> BaseTrigger:
    """The trigger of a five-field crontab line read in `timezone`; ValueError says what is wrong."""
    fields = line.split()
    if len(fields) != 5:  # noqa: PLR2004 - minute hour day month weekday
        raise ValueError(f"crontab line {line!r} has {len(fields)} fields, expected 5")
    minute, hour, day, month, weekday = fields
    zone = ZoneInfo(timezone)
    day_of_week = _apscheduler_weekdays(weekday)

    def cron(days: str, weekdays: str) -> CronTrigger:
        return CronTrigger(
            minute=minute, hour=hour, day=days, month=month, day_of_week=weekdays, timezone=zone
        )

    if day.startswith("*") or weekday.startswith("*"):
        return cron(day, day_of_week)
    return OrTrigger([cron(day, "*"), cron("*", day_of_week)])


def _apscheduler_weekdays(field: str) -> str:
    """A crontab weekday field ("1-5", "0,6", "*/2", "mon-fri") as APScheduler 3 day names."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.lower().split(","):
        match = _WEEKDAY_ITEM.match(item)
        if match is None:
            raise ValueError(f"crontab weekday {item!r} is not a day, range or step (e.g. 1-5, mon, */2)")
        first = 0 if match["star"] else _weekday_number(match["first"])
        if match["last"]:
            last = _weekday_number(match["last"])
        else:  # "*" and "3/2" run to the end of the week, "3" is one day
            last = 7 if match["star"] or match["step"] else first
        step = int(match["step"] or 1)
        if step < 1 or last < first:
            raise ValueError(f"crontab weekday {item!r} is an empty range")
        days.update(number % 7 for number in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[number] for number in sorted(days))


def _weekday_number(text: str) -> int:
    if text.isdigit() and int(text) <= len(_DAY_NAMES) - 1:
        return int(text)
    if text in _DAY_NUMBERS:
        return _DAY_NUMBERS[text]
    raise ValueError(f"crontab weekday {text!r} is not 0-7 (0 and 7 are Sunday) or a name sun-sat")
