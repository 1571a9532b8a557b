"""Pipedrive deals: a person's stage from their deals, and a deal's save re-reads its person."""

from __future__ import annotations

from leadsync.model import Cursor, RecordRef, Stage


def test_the_stage_follows_the_deals_won_before_open_before_lost(company):
    company.clock.advance(days=1)  # after every seeded save
    since = Cursor(company.clock.now())
    company.sandbox.set_deal(_ref(1), "lost", "Price")
    company.sandbox.set_deal(_ref(2), "lost", "Price")
    company.sandbox.set_deal(_ref(2), "open")
    company.sandbox.set_deal(_ref(3), "open")
    company.sandbox.set_deal(_ref(3), "won")
    company.clock.advance(minutes=1)
    stages = {
        p.ref.record_id: p.stage for page in company.adapter().changed_people(since) for p in page.items
    }
    assert stages == {"1": Stage.NURTURE, "2": Stage.OPPORTUNITY, "3": Stage.CUSTOMER}


def test_a_deal_saved_re_reads_its_person_on_a_page_that_keeps_the_cursor(company):
    company.clock.advance(days=1)
    deal = company.sandbox.set_deal(_ref(5), "open")
    company.clock.advance(minutes=1)
    since = Cursor(company.clock.now())
    company.clock.advance(minutes=1)
    company.sandbox.set_deal(_ref(5), "won", deal=deal)  # the person itself is not saved
    company.clock.advance(minutes=1)
    (page,) = list(company.adapter().changed_people(since))
    assert [(p.ref, p.stage) for p in page.items] == [(_ref(5), Stage.CUSTOMER)]
    assert page.cursor == since


def test_a_person_without_deals_has_no_stage_from_pipedrive(company):
    company.clock.advance(days=1)
    since = Cursor(company.clock.now())
    company.clock.advance(minutes=1)
    company.sandbox.commit_late(_ref(9), company.sandbox.stamp())
    company.clock.advance(minutes=1)
    (person,) = [p for page in company.adapter().changed_people(since) for p in page.items]
    assert person.stage is None


def _ref(n: int) -> RecordRef:
    return RecordRef("pipedrive", "person", str(n))
