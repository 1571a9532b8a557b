"""Figures of people's paths through the funnel: conversions, time in stage, sales cycle.

Fed one person's stage history at a time (oldest first), so only counts and durations are kept.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median, quantiles
from typing import Final

from leadsync.definitions import FUNNEL
from leadsync.insights.report import Conversion, TimeInStage
from leadsync.model import Stage
from leadsync.store import StageChange

__all__ = ["Journeys"]

_HOUR: Final = timedelta(hours=1)
_DAY: Final = timedelta(days=1)


class Journeys:
    """Tallies over stage histories: who entered each funnel stage in the window and went further.

    A person counts once per stage: their first entry into it in the window. Time in stage takes
    every stay that began in the window and has ended; the sales cycle runs from a person's
    first stage change to their first entry into customer in the window (people who entered
    the funnel as customers have no cycle).
    """

    def __init__(self, since: datetime | None) -> None:
        self._since = since
        self._entered: Counter[Stage] = Counter()
        self._converted: Counter[Stage] = Counter()
        self._stays: defaultdict[Stage, list[float]] = defaultdict(list)
        self._cycles: list[float] = []

    def add(self, history: Sequence[StageChange]) -> None:
        """Count one person's stage changes, oldest first."""
        for stay, left in pairwise(history):
            if self._in_window(stay.at):
                self._stays[stay.to_stage].append((left.at - stay.at) / _HOUR)
        for rank, stage in enumerate(FUNNEL[:-1]):
            entry = next(
                (i for i, c in enumerate(history) if c.to_stage is stage and self._in_window(c.at)), None
            )
            if entry is None:
                continue
            self._entered[stage] += 1
            further = FUNNEL[rank + 1 :]
            if any(change.to_stage in further for change in history[entry + 1 :]):
                self._converted[stage] += 1
        customer = next(
            (c for c in history[1:] if c.to_stage is Stage.CUSTOMER and self._in_window(c.at)), None
        )
        if customer is not None and history[0].to_stage is not Stage.CUSTOMER:
            self._cycles.append((customer.at - history[0].at) / _DAY)

    def conversions(self) -> list[Conversion]:
        """Each step of the funnel: entered, converted, rate."""
        return [
            Conversion(
                from_stage=stage.value,
                to_stage=following.value,
                entered=self._entered[stage],
                converted=self._converted[stage],
                rate=self._converted[stage] / self._entered[stage] if self._entered[stage] else None,
            )
            for stage, following in pairwise(FUNNEL)
        ]

    def time_in_stage(self, stages: Sequence[Stage]) -> list[TimeInStage]:
        """Median and p90 hours per stay in each of `stages`, with the number of stays."""
        return [
            TimeInStage(stage.value, _median(stays), _p90(stays), len(stays))
            for stage in stages
            for stays in (self._stays[stage],)
        ]

    def sales_cycle(self) -> tuple[float | None, int]:
        """Median days from first stage change to customer, and over how many people."""
        return _median(self._cycles), len(self._cycles)

    def _in_window(self, at: datetime) -> bool:
        return self._since is None or at >= self._since


def _median(samples: list[float]) -> float | None:
    return median(samples) if samples else None


def _p90(samples: list[float]) -> float | None:
    """The 90th percentile, interpolated between the closest ranks (numpy's default, "inclusive")."""
    if not samples:
        return None
    if len(samples) == 1:  # quantiles needs two points; one stay is its own p90
        return samples[0]
    return quantiles(samples, n=10, method="inclusive")[-1]
