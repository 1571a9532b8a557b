from __future__ import annotations

from datetime import timedelta

from leadsync.adapter_api import Rejection
from leadsync.model import RecordRef
from leadsync.store.quarantine import EXCERPT_CHARS, safe_excerpt
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
HUBSPOT = RecordRef("hubspot", "contact", "901")


def test_a_quarantined_record_is_upserted_then_cleared(store):
    store.quarantine.put([Rejection(LEAD, "invalid e-mail 'ada@'", '{"Email": "ada@"}')], at=T0)
    store.quarantine.put([Rejection(HUBSPOT, "no e-mail")], at=T0)
    later = T0 + timedelta(hours=1)
    store.quarantine.put([Rejection(LEAD, "employees must be >= 0", '{"NumberOfEmployees": -3}')], at=later)

    entry = store.quarantine.get(LEAD)
    assert entry is not None
    assert (entry.reason, entry.excerpt) == ("employees must be >= 0", '{"NumberOfEmployees": -3}')
    assert (entry.first_seen_at, entry.last_seen_at) == (T0, later)
    assert [e.ref for e in store.quarantine.entries()] == [LEAD, HUBSPOT]
    assert [e.ref for e in store.quarantine.entries(crm="hubspot")] == [HUBSPOT]

    store.quarantine.clear([LEAD, RecordRef("hubspot", "contact", "never-quarantined")])

    assert store.quarantine.get(LEAD) is None
    assert [e.ref for e in store.quarantine.entries()] == [HUBSPOT]


def test_excerpts_are_cut_and_keep_no_secrets(store):
    payload = '{"Email": "ada@example.com", "access_token": "00Dxx!AQ", "password": "hunter2"} ' + "x" * 900
    store.quarantine.put([Rejection(LEAD, "bad", payload)], at=T0)

    entry = store.quarantine.get(LEAD)
    assert entry is not None
    assert len(entry.excerpt) == EXCERPT_CHARS
    assert "00Dxx" not in entry.excerpt
    assert "hunter2" not in entry.excerpt
    assert '"Email": "ada@example.com"' in entry.excerpt


def test_safe_excerpt_hides_values_of_secret_keys_in_common_shapes():
    text = "session_id=abc123&x=1 Authorization: Bearer eyJhbGc api_key='k-9' Token: t0k"
    assert safe_excerpt(text) == (
        "session_id=[redacted]&x=1 Authorization: [redacted] api_key=[redacted] Token: [redacted]"
    )
