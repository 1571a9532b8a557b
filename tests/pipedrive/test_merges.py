"""Pipedrive merges: read from `GET /v1/recents?items=person`, each merged person gone into its survivor."""

from __future__ import annotations

from datetime import UTC, datetime

from leadsync.adapter_api import Gone
from leadsync.model import Cursor, RecordRef

RECENTS_TOKENS = 20  # developers.pipedrive.com/docs/api/v1/Recents: "Cost 20"


def test_merges_are_the_last_page_and_every_recents_page_is_read_and_counted(company):
    since = Cursor(company.clock.now())
    company.clock.advance(minutes=1)
    for n in range(10, 30):  # 20 persons saved first: the survivors come on recents' third page of 10
        company.sandbox.commit_late(_ref(n), company.sandbox.stamp())
    company.clock.advance(seconds=5)
    company.sandbox.merge(_ref(3), _ref(4))
    company.sandbox.merge(_ref(5), _ref(6))
    company.clock.advance(minutes=1)
    pages = list(company.adapter(page_size=10).changed_people(since))
    assert set(pages[-1].gone) == {Gone(_ref(4), _ref(3)), Gone(_ref(6), _ref(5))}
    assert pages[-1].items == ()
    assert pages[-1].cursor == pages[-2].cursor
    assert all(not p.gone for p in pages[:-1])
    calls = company.sandbox.calls
    assert calls.count("GET", "recents") == 3
    v2_lists = sum(calls.count("GET", endpoint) for endpoint in ("persons", "person fields", "deals"))
    assert company.sandbox.tokens_spent == 3 * RECENTS_TOKENS + 10 * v2_lists


def test_no_merge_no_extra_page(company):
    since = Cursor(datetime(2000, 1, 1, tzinfo=UTC))
    pages = list(company.adapter().changed_people(since))
    assert pages
    assert all(not p.gone for p in pages)


def _ref(n: int) -> RecordRef:
    return RecordRef("pipedrive", "person", str(n))
