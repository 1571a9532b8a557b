"""A batch write's passing refusals tried again, record by record: only those records are resent.

Some CRMs answer each record of a batch on its own and call some refusals passing: a row lock
another transaction holds (Salesforce's UNABLE_TO_LOCK_ROW), which the adapter's error table
makes a `retryable` result (`ErrorTable.failed_write`). The records so refused are sent again,
alone, after the `RetryPolicy`'s exponential backoff (as `Caller` waits between tries), until
none is left or the tries are spent; each resend is one `batch.narrowed` event (`step`). A
record still refused after the last try keeps its last result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import structlog

from leadsync.adapter_api import WriteResult

from .calls import RetryPolicy

__all__ = ["RecordRetries"]

B = TypeVar("B")

_log = structlog.get_logger("leadsync.kit.record_retries")


@dataclass(frozen=True, slots=True)
class RecordRetries:
    """How one CRM's batch writes retry their records; `step` names the resends in the log."""

    crm: str
    retry: RetryPolicy
    sleep: Callable[[float], None]
    step: str

    def written(
        self, batch: Sequence[B], write: Callable[[list[B]], Sequence[WriteResult]]
    ) -> list[WriteResult]:
        """One result per record of `batch`, in order; `write` answers each record it is sent, in order."""
        results: dict[int, WriteResult] = {}
        pending = list(range(len(batch)))
        for attempt in range(self.retry.attempts):
            if attempt:
                self.sleep(min(self.retry.max_wait_s, self.retry.backoff_s * 2 ** (attempt - 1)))
            answers = write([batch[i] for i in pending])
            results.update(zip(pending, answers, strict=True))
            again = [
                i for i, answer in zip(pending, answers, strict=True) if not answer.ok and answer.retryable
            ]
            if not again or attempt + 1 == self.retry.attempts:
                break
            _log.info("batch.narrowed", crm=self.crm, records=len(pending), step=self.step, resent=len(again))
            pending = again
        return [results[i] for i in range(len(batch))]
