"""A cycle against a Professional HubSpot portal: the events API is refused, everything else syncs."""

from __future__ import annotations

from structlog.testing import capture_logs

from leadsync.store import RunStatus
from tests.engine.conftest import MakePipeline


def test_a_refused_events_api_is_skipped_with_a_warning_and_the_cycle_goes_on(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(hubspot_tier="professional")
    with capture_logs() as logs:
        report = pipeline.sync()

    assert report.status is RunStatus.SUCCEEDED
    hubspot = report.crms["hubspot"]
    assert hubspot.errors == []
    assert hubspot.failed == 0
    assert hubspot.read > 0  # contacts
    assert hubspot.activities > 0  # engagements, e-mail events, webinars
    assert hubspot.writes > 0
    assert [w.split(":")[0] for w in hubspot.warnings] == ["page_views skipped", "form_submissions skipped"]
    assert all("403" in w and "Enterprise" in w for w in hubspot.warnings)
    assert report.as_dict()["crms"]["hubspot"]["warnings"] == hubspot.warnings
    assert report.crms["salesforce"].warnings == []
    skipped = [e for e in logs if e["event"] == "stream.skipped"]
    assert {(e["crm"], e["stream"], e["log_level"]) for e in skipped} == {
        ("hubspot", "page_views", "warning"),
        ("hubspot", "form_submissions", "warning"),
    }
    assert pipeline.sync().crms["hubspot"].warnings == hubspot.warnings  # said again each cycle
