"""Marketo reads and writes against the sandbox: lead changes, empty activity pages, per-record codes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from leadsync.adapter_api import Change, Gone
from leadsync.mapping import load_mapping
from leadsync.model import ActivityKind, Cursor

from .conftest import MAPPING, lead

EPOCH = Cursor(datetime(2000, 1, 1, tzinfo=UTC))


def _people(adapter, since=EPOCH):
    return [p for page in adapter.changed_people(since) for p in page.items]


def test_a_custom_field_change_is_read_though_the_visible_updated_at_stays(instance):
    adapter = instance.adapter()
    pages = list(adapter.changed_people(EPOCH))
    instance.clock.advance(minutes=3)
    before = instance.sandbox.leads[7]["updatedAt"]
    instance.sandbox.change(7, {"leadsyncTemperature": "hot"})
    assert instance.sandbox.leads[7]["updatedAt"] == before  # Marketo's updatedAt ignores custom fields
    (person,) = _people(adapter, pages[-1].cursor)
    assert person.ref == lead(7)
    assert person.updated_at == instance.clock.now().replace(microsecond=0)


def test_every_lead_is_read_once_by_id_300_a_call_or_quarantined(instance):
    pages = list(instance.adapter().changed_people(EPOCH))
    read = [p.ref for page in pages for p in page.items] + [r.ref for page in pages for r in page.rejected]
    assert sorted(read) == sorted(lead(n) for n in instance.sandbox.leads)
    assert instance.sandbox.calls.count("GET", "leads by id") == 1  # 120 leads: one call


def test_activities_are_read_by_type_name_and_typed_by_the_mapping(instance):
    activities = [a for page in instance.adapter().changed_activities(EPOCH) for a in page.items]
    assert ActivityKind.PAGE_VIEW in {a.kind for a in activities}
    assert {a.person for a in activities} <= {lead(n) for n in instance.sandbox.leads}


def test_empty_pages_with_more_result_true_are_followed_to_the_end(instance):
    instance.sandbox.delete(lead(120))  # the last activity of the log
    pages = list(instance.adapter(page_size=20).changed_people(EPOCH))
    assert pages[-1].gone == (Gone(lead(120)),)
    scanned = instance.sandbox.calls.count("GET", "deleted leads")
    assert scanned == -(-len(instance.sandbox.log.rows) // 20)  # every window of 20, all but one empty


def test_a_write_sends_only_what_differs_300_a_call_and_maps_each_records_code(instance):
    adapter = instance.adapter()
    refs = [lead(n) for n in range(1, 121)]
    list(adapter.read_current(refs))
    instance.sandbox.delete(lead(5))
    with instance.sandbox.field_dropped("leadsyncTemperature"):
        results = list(
            adapter.apply([Change(lead(5), {"score": 10}), Change(lead(6), {"temperature": "hot"})])
        )
    gone, unknown = results
    assert (gone.ok, gone.gone, gone.code) == (False, True, "1004")
    assert (unknown.ok, unknown.gone, unknown.code) == (False, False, "1006")
    before = instance.sandbox.write_calls()
    assert all(r.ok for r in adapter.apply([Change(ref, {"score": 42}) for ref in refs if ref != lead(5)]))
    assert instance.sandbox.write_calls() - before == 1
    assert instance.sandbox.leads[9]["leadScore"] == 42


def test_check_names_a_field_the_native_crm_sync_manages(instance, tmp_path: Path):
    text = (
        Path(MAPPING.file)
        .read_text(encoding="utf-8")
        .replace('temperature = "leadsyncTemperature"', 'temperature = "leadStatus"')
    )
    (tmp_path / "marketo.toml").write_text(text, encoding="utf-8")
    report = instance.adapter(load_mapping(tmp_path / "marketo.toml")).check()
    assert not report.ok
    assert any("native CRM sync" in p.render() for p in report.problems), report.problems


def test_a_lead_the_native_sync_keeps_names_its_salesforce_record(instance):
    people = _people(instance.adapter())
    linked = [p for p in people if p.same_as]
    assert linked
    for person in linked:
        row = instance.sandbox.leads[int(person.ref.record_id)]
        expected = {("Lead", row["sfdcLeadId"]), ("Contact", row["sfdcContactId"])} - {
            ("Lead", None),
            ("Contact", None),
        }
        assert {(r.object_type, r.record_id) for r in person.same_as} == expected
