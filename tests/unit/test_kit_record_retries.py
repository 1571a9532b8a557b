"""The kit's record retries: only the records a batch answer calls retryable are sent again."""

from __future__ import annotations

from collections.abc import Sequence

from structlog.testing import capture_logs

from leadsync.adapter_api import WriteResult
from leadsync.kit import RetryPolicy
from leadsync.kit.record_retries import RecordRetries
from leadsync.model import RecordRef


def _locked(ref: RecordRef) -> WriteResult:
    return WriteResult(ref, ok=False, code="UNABLE_TO_LOCK_ROW", retryable=True)


class _Org:
    """Answers each record it is sent: locked for its first `locks[id]` sends, else saved."""

    def __init__(self, **locks: int) -> None:
        self.locks, self.sent = locks, list[list[str]]()

    def write(self, refs: list[RecordRef]) -> Sequence[WriteResult]:
        self.sent.append([ref.record_id for ref in refs])
        answers = []
        for ref in refs:
            left = self.locks.get(ref.record_id, 0)
            self.locks[ref.record_id] = left - 1
            if ref.record_id == "bad":
                answers.append(WriteResult(ref, ok=False, code="INVALID_FIELD"))
            else:
                answers.append(_locked(ref) if left > 0 else WriteResult(ref, ok=True))
        return answers


def _refs(*ids: str) -> list[RecordRef]:
    return [RecordRef("toy", "Lead", i) for i in ids]


def _retries(waits: list[float], attempts: int = 4) -> RecordRetries:
    return RecordRetries(
        "toy", RetryPolicy(attempts, backoff_s=1.0, max_wait_s=3.0), waits.append, "retry_locked"
    )


def test_only_the_locked_records_are_resent_after_the_policys_backoff() -> None:
    org, waits = _Org(b=2, d=1), []
    with capture_logs() as logs:
        results = _retries(waits).written(_refs("a", "b", "bad", "d"), org.write)
    assert org.sent == [["a", "b", "bad", "d"], ["b", "d"], ["b"]]
    assert waits == [1.0, 2.0]
    assert [(r.ref.record_id, r.ok, r.code) for r in results] == [
        ("a", True, ""), ("b", True, ""), ("bad", False, "INVALID_FIELD"), ("d", True, ""),
    ]  # fmt: skip
    narrowed = [(e["records"], e["resent"], e["step"]) for e in logs if e["event"] == "batch.narrowed"]
    assert narrowed == [(4, 2, "retry_locked"), (2, 1, "retry_locked")]


def test_a_record_still_locked_after_the_last_try_keeps_its_last_answer() -> None:
    org, waits = _Org(a=9), []
    [result] = _retries(waits, attempts=4).written(_refs("a"), org.write)
    assert (result.ok, result.retryable, result.code) == (False, True, "UNABLE_TO_LOCK_ROW")
    assert len(org.sent) == 4
    assert waits == [1.0, 2.0, 3.0]  # capped at max_wait_s; no wait after the last try


def test_a_batch_written_at_once_is_sent_once() -> None:
    org, waits = _Org(), []
    results = _retries(waits).written(_refs("a", "b"), org.write)
    assert all(r.ok for r in results)
    assert (org.sent, waits) == ([["a", "b"]], [])
