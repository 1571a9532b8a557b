"""Pipedrive writes and limits: one PATCH per person by importance, the token budget, 429 and 403 pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.pipedrive.sandbox import SCORE, TEMPERATURE
from leadsync.adapter_api import BudgetExhausted, Change, TransientError
from leadsync.model import Cursor, RecordRef
from leadsync.testing import Fault

EPOCH = Cursor(datetime(2000, 1, 1, tzinfo=UTC))


def _ref(person_id: int) -> RecordRef:
    return RecordRef("pipedrive", "person", str(person_id))


def test_custom_values_go_under_their_hash_and_owners_by_e_mail(company):
    user = next(u for u in company.sandbox.users if u["active_flag"] and u["id"] != 1)
    changes = [Change(_ref(3), {"score": 71, "temperature": "hot", "owner": user["email"]})]
    (result,) = company.adapter().apply(changes)
    assert result.ok, result
    person = company.sandbox.persons[3]
    assert person["custom_fields"][company.sandbox.field_code(SCORE)] == 71
    options = next(f for f in company.sandbox.fields if f["field_name"] == TEMPERATURE)["options"]
    assert person["custom_fields"][company.sandbox.field_code(TEMPERATURE)] == next(
        o["id"] for o in options if o["label"] == "hot"
    )
    assert person["owner_id"] == user["id"]
    assert result.properties["leadsync_score"].after == 71


def test_an_unknown_owner_or_option_fails_its_person_and_nothing_is_sent_for_it(company):
    adapter = company.adapter()
    list(adapter.read_current([_ref(4), _ref(5)]))
    before = company.sandbox.write_calls()
    results = list(
        adapter.apply([Change(_ref(4), {"owner": "nobody@example.com"}), Change(_ref(5), {"score": 3})])
    )
    assert [r.code for r in results] == ["UNKNOWN_OWNER", ""]
    assert company.sandbox.write_calls() - before == 1


def test_writes_go_stage_and_owner_first_and_stop_cleanly_when_the_day_is_spent(company):
    adapter = company.adapter()
    held = {company.sandbox.persons[n]["owner_id"] for n in (12, 13)}
    owner = next(u for u in company.sandbox.users if u["active_flag"] and u["id"] not in held)["email"]
    list(adapter.read_current([_ref(n) for n in (10, 11, 12, 13)]))
    list(adapter.owners())  # users and fields read: from here on only PATCHes (5 tokens each) are spent
    company.sandbox.daily_tokens = company.sandbox.tokens_spent + 2 * 5
    changes = [
        Change(_ref(10), {"score": 5}),
        Change(_ref(11), {"score": 6}),
        Change(_ref(12), {"owner": owner}),
        Change(_ref(13), {"owner": owner}),
    ]
    results = list(adapter.apply(changes))
    assert [r.ref for r in results] == [c.ref for c in changes]
    assert [(r.ok, r.retryable) for r in results] == [
        (False, True),
        (False, True),
        (True, False),
        (True, False),
    ]
    assert company.waits == []  # a spent day is not waited for


def test_a_429_of_the_burst_window_is_waited_for_and_the_call_goes_through(company):
    company.sandbox.faults.push(Fault("rate_limit"))
    owners = list(company.adapter().owners())
    assert owners
    assert company.waits == [2.0]  # x-ratelimit-reset: the burst window's seconds left


def test_the_403_html_page_after_sustained_429s_is_rate_limiting_not_a_refused_token(company):
    company.sandbox.faults.push(Fault("cloudflare"), times=10)
    with pytest.raises(TransientError, match="rate limited"):
        list(company.adapter(attempts=2).owners())


def test_our_share_of_the_daily_budget_stops_calls_before_they_are_sent(company):
    adapter = company.adapter(plan="lite", seats=1, budget_share=0.001, page_size=10)  # 30 tokens a day
    calls = company.sandbox.calls.count()
    with pytest.raises(BudgetExhausted):
        list(adapter.changed_people(EPOCH))  # person fields (10) + persons (10) + persons (10) + ...
    assert company.sandbox.calls.count() - calls == 3  # the fourth would pass 30 tokens: never sent
