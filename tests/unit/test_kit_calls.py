"""The kit's calls and error table: what each kind of error answer becomes, and the waits between tries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from leadsync.adapter_api import AuthError, BudgetExhausted, StreamUnavailable, TransientError
from leadsync.clock import ManualClock
from leadsync.kit import (
    AttemptFailed,
    Caller,
    CallRefused,
    ErrorRule,
    ErrorTable,
    Limiter,
    Outcome,
    RateLimit,
    RetryPolicy,
    json_object,
    retry_after_s,
)
from leadsync.model import RecordRef

ERRORS = ErrorTable(
    ErrorRule(Outcome.BUDGET_EXHAUSTED, 429, "DAILY", "wait for tomorrow"),
    ErrorRule(Outcome.TRANSIENT, 429),
    ErrorRule(Outcome.TRANSIENT, range(500, 600)),
    ErrorRule(Outcome.UNAUTHORIZED, 401, hint="renew crm.{crm}.token (LEADSYNC_CRM__{CRM}__TOKEN)"),
    ErrorRule(Outcome.UNAVAILABLE, 403),
    ErrorRule(Outcome.GONE, code="ENTITY_IS_DELETED"),
    ErrorRule(Outcome.TRANSIENT, code="UNABLE_TO_LOCK_ROW"),
)
REF = RecordRef("toy", "Lead", "1")


def _caller(waits: list[float]) -> Caller:
    limiter = Limiter(
        RateLimit(100, 10.0), clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)), sleep=waits.append
    )
    return Caller("toy", "toy crm.toy", ERRORS, limiter, RetryPolicy(attempts=3), waits.append)


def _answers(*answers: AttemptFailed | str) -> Callable[[object], str]:
    queue: Iterator[AttemptFailed | str] = iter(answers)

    def send(_record: object) -> str:
        answer = next(queue)
        if isinstance(answer, AttemptFailed):
            raise answer
        return answer

    return send


def test_a_transient_failure_is_tried_again_after_an_exponential_backoff() -> None:
    waits: list[float] = []
    caller = _caller(waits)
    assert caller.call("read", _answers(AttemptFailed(503, "busy"), AttemptFailed(502, "busy"), "ok")) == "ok"
    assert (waits, caller.calls) == ([1.0, 2.0], 3)


def test_a_wait_the_crm_asks_for_is_waited_and_the_last_failure_named() -> None:
    waits: list[float] = []
    caller = _caller(waits)
    failures = [AttemptFailed(429, "slow down", retry_after_s=7.0) for _ in range(3)]
    with pytest.raises(TransientError, match=r"failed after 3 tries \(last: HTTP 429: slow down\)"):
        caller.call("read", _answers(*failures))
    assert waits == [7.0, 7.0]


@pytest.mark.parametrize(
    ("failure", "raised", "text"),
    [
        (AttemptFailed(429, "daily", codes=("DAILY",)), BudgetExhausted, "wait for tomorrow"),
        (AttemptFailed(401, "expired"), AuthError, "LEADSYNC_CRM__TOY__TOKEN"),
        (
            AttemptFailed(403, "no scope", codes=("MISSING_SCOPES",)),
            StreamUnavailable,
            "HTTP 403 MISSING_SCOPES",
        ),
        (AttemptFailed(400, "bad value", codes=("INVALID",), body={"x": 1}), CallRefused, "HTTP 400 INVALID"),
    ],
)
def test_an_error_answer_becomes_the_class_its_rule_names_without_a_retry(
    failure: AttemptFailed, raised: type[Exception], text: str
) -> None:
    waits: list[float] = []
    with pytest.raises(raised, match=text) as caught:
        _caller(waits).call("read", _answers(failure))
    assert waits == []
    assert type(caught.value) is raised
    if isinstance(caught.value, CallRefused):
        assert (caught.value.status, caught.value.body) == (400, {"x": 1})
    if isinstance(caught.value, StreamUnavailable):
        assert caught.value.code == "MISSING_SCOPES"


def test_a_records_refusal_says_whether_it_is_gone_or_worth_retrying() -> None:
    gone = ERRORS.failed_write(REF, "ENTITY_IS_DELETED", "deleted")
    locked = ERRORS.failed_write(REF, "UNABLE_TO_LOCK_ROW", "locked")
    refused = ERRORS.failed_write(REF, "INVALID_EMAIL", "x" * 1000)
    assert (gone.gone, gone.retryable) == (True, False)
    assert (locked.gone, locked.retryable) == (False, True)
    assert (refused.gone, refused.retryable, len(refused.message)) == (False, False, 300)


def test_retry_after_reads_seconds_or_an_http_date_and_nothing_else() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp()
    assert retry_after_s("2", now_s=now) == 2.0
    assert retry_after_s("Thu, 01 Jan 2026 12:00:30 GMT", now_s=now) == 30.0
    assert retry_after_s("soon", now_s=now) is None
    assert retry_after_s(None, now_s=now) is None


def test_a_body_is_read_as_a_json_object_or_as_nothing() -> None:
    assert json_object(b'{"a": 1}') == {"a": 1}
    assert json_object("[1, 2]") == {}
    assert json_object("<html>") == {}
    assert json_object(None) == {}
