"""Marketo tokens and limits: a token's remaining lifespan, 601/602 in HTTP 200, 606 and the quota."""

from __future__ import annotations

import pytest

from adapters.marketo.sandbox import TOKEN_LIFE_S
from leadsync.adapter_api import BudgetExhausted, StreamUnavailable
from leadsync.testing import Fault

from .conftest import lead


def test_an_expired_token_answered_602_is_renewed_and_the_call_made_again(instance):
    adapter = instance.adapter()
    list(adapter.read_current([lead(1)]))
    tokens = len(instance.sandbox.tokens)
    instance.sandbox.expire_auth()
    (current,) = adapter.read_current([lead(2)])
    assert current.ref == lead(2)
    assert len(instance.sandbox.tokens) == tokens + 1
    assert instance.sandbox.calls.count("GET", "token") == 2


def test_a_token_near_its_end_is_waited_out_not_sent(instance):
    """Identity answers the same token with its remaining lifespan until it ends (authentication.md)."""
    instance.adapter().check()  # another process of the same custom service takes a token
    instance.clock.advance(seconds=TOKEN_LIFE_S - 30)
    adapter = instance.adapter(renew_before_s=60)
    assert adapter.check().ok
    assert 31.0 in instance.clock.slept  # the 30 s left, and a second, waited before a new token
    assert len(instance.sandbox.tokens) == 2


def test_a_token_the_clock_has_carried_past_its_end_is_renewed_before_it_is_sent(instance):
    adapter = instance.adapter()
    list(adapter.read_current([lead(1)]))
    instance.clock.advance(seconds=TOKEN_LIFE_S)
    list(adapter.read_current([lead(1)]))
    assert instance.sandbox.calls.count("GET", "token") == 2
    assert instance.sandbox.answered == instance.sandbox.calls.count()  # no call was refused 602


def test_606_in_an_http_200_waits_the_20_second_window_and_tries_again(instance):
    instance.sandbox.faults.push(Fault("rate_limit", path="/rest/v1/leads.json"))
    (current,) = instance.adapter().read_current([lead(3)])
    assert current.ref == lead(3)
    assert 20.0 in instance.clock.slept


def test_607_ends_the_cycle_and_nothing_more_is_sent_today(instance):
    adapter = instance.adapter()
    instance.sandbox.faults.push(Fault("quota", path="/rest/v1/leads.json"))
    with pytest.raises(BudgetExhausted):
        list(adapter.read_current([lead(3)]))
    calls = instance.sandbox.calls.count()
    with pytest.raises(BudgetExhausted):
        list(adapter.read_current([lead(3)]))
    assert instance.sandbox.calls.count() == calls


def test_leadsyncs_share_of_the_daily_quota_is_counted_before_a_call_is_sent(instance):
    adapter = instance.adapter(daily_calls=4, budget_share=0.5)  # 2 calls
    list(adapter.read_current([lead(1)]))
    list(adapter.read_current([lead(1)]))
    calls = instance.sandbox.calls.count()
    with pytest.raises(BudgetExhausted, match="2 calls"):
        list(adapter.read_current([lead(1)]))
    assert instance.sandbox.calls.count() == calls
    assert adapter.estimate(301).writes == 2


def test_615_and_1029_are_tried_again_and_1035_is_a_refusal_of_the_stream(instance):
    adapter = instance.adapter()
    for kind in ("concurrency", "queue"):
        instance.sandbox.faults.push(Fault(kind, path="/rest/v1/leads.json"))
        (current,) = adapter.read_current([lead(3)])
        assert current.ref == lead(3)
    instance.sandbox.faults.push(Fault("filter", path="/rest/v1/leads.json"))
    with pytest.raises(StreamUnavailable, match="1035"):
        list(adapter.read_current([lead(3)]))
