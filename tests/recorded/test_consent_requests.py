"""The HubSpot opt-out goes out as HubSpot's documented unsubscribe-all call, then reads back."""

from __future__ import annotations

from adapters.hubspot import plugin as hubspot_plugin
from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.adapter_api import AdapterContext, Change
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from leadsync.model import RecordRef
from tests.recorded.documented import hubspot_operations, recording_proxy, undocumented
from tests.sandbox.hubspot_helpers import NOW


def test_an_opt_out_is_a_documented_unsubscribe_all_and_reads_back_as_true():
    clock = ManualClock(NOW)
    with (
        HubSpotSandbox(people=20, seed=7, clock=clock, rate_limits=False) as sandbox,
        recording_proxy(sandbox.url) as (proxy, recorder),
    ):
        context = AdapterContext(
            name="hubspot",
            options={**sandbox.settings(), "base_url": proxy.url},
            mapping=load_mapping(hubspot_plugin.default_mapping),
            clock=clock,
        )
        adapter = hubspot_plugin.create(context)
        ref = RecordRef("hubspot", "contacts", sandbox.store.ids()[0])
        before = next(iter(adapter.read_current([ref])))
        [result] = adapter.apply([Change(ref, {"email_opt_out": True, "score": 3}, before.values)])
        after = next(iter(adapter.read_current([ref])))
        refused = adapter.apply([Change(ref, {"email_opt_out": False})])

    assert before.values["email_opt_out"] is None
    assert result.ok
    assert result.properties["hs_email_optout"].after == "true"
    assert after.values["email_opt_out"] is True
    assert after.values["score"] == 3
    assert [r.code for r in refused] == ["CONSENT_NOT_REGRANTED"]  # nothing sent to re-subscribe
    posts = [path for method, path in recorder.sent if "unsubscribe-all" in path]
    email = (sandbox.store.contact(ref.record_id) or {})["email"]
    assert posts == [f"/communication-preferences/v4/statuses/{email}/unsubscribe-all"]
    assert undocumented(recorder.sent, hubspot_operations()) == []
