"""A cycle against a Professional HubSpot portal: the events API is refused, everything else syncs."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from leadsync.store import RunStatus
from tests.engine.conftest import MakePipeline, Pipeline


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


WEB_KINDS = ("page_view", "form_submit", "demo_request", "quote_request", "whitepaper_download", "newsletter")


def _web_reasons(pipeline: Pipeline, email: str) -> list[tuple[str, int]]:
    """The rules that fired for a person's page views and forms, with their points."""
    doc = pipeline.engine().explain(email)
    assert doc is not None
    return sorted((r["rule"], r["points"]) for r in doc["reasons"] if any(k in r["rule"] for k in WEB_KINDS))


def _emails_with(pipeline: Pipeline, *, url_part: str, form_part: str) -> list[str]:
    """E-mails of contacts whose last page seen has `url_part` and whose recent form has `form_part`."""
    store = pipeline.hubspot.store
    found = []
    for contact_id in store.ids():
        values = store.contact(contact_id) or {}
        if url_part in values.get("hs_analytics_last_url", "") and form_part in values.get(
            "recent_conversion_event_name", ""
        ):
            found.append(values["email"].strip().lower())
    return found


def test_a_professional_portal_scores_page_views_and_forms_as_enterprise_does(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    size = 400  # enough pricing-page visitors and demo requesters in a long-tailed population
    enterprise = make_pipeline(size)
    professional = make_pipeline(size, hubspot_tier="professional", url=f"sqlite:///{tmp_path / 'pro.db'}")
    assert enterprise.sync().status is RunStatus.SUCCEEDED
    assert professional.sync().status is RunStatus.SUCCEEDED

    people = _emails_with(professional, url_part="/pricing", form_part="demo")
    people += _emails_with(professional, url_part="/product", form_part="")
    assert len(people) >= 3
    for email in people:
        reasons = _web_reasons(professional, email)
        assert reasons, email  # before: a Professional portal scored no page view and no form
        assert reasons == _web_reasons(enterprise, email)  # the same rules, the same points
    fired = {rule for email in people for rule, points in _web_reasons(professional, email) if points > 0}
    assert any("pricing_page_view" in rule for rule in fired)
    assert any("product_page_view" in rule for rule in fired)
    assert any("demo_request" in rule for rule in fired)


PAGE_KINDS = {"page_view", "product_page_view", "pricing_page_view"}


def test_an_enterprise_portal_counts_each_page_view_once(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline()
    assert pipeline.sync().crms["hubspot"].warnings == []
    store = pipeline.hubspot.store
    checked = 0
    for contact_id in store.ids()[:60]:
        values = store.contact(contact_id) or {}
        if "hs_analytics_num_page_views" not in values:
            continue
        doc = pipeline.engine().explain(values["email"].strip().lower())
        if doc is None or len(doc["records"]) != 1:
            continue  # a HubSpot-only person: every page view is HubSpot's
        views = [a for a in doc["activities"] if a["crm"] == "hubspot" and a["kind"] in PAGE_KINDS]
        assert len(views) == int(values["hs_analytics_num_page_views"])  # events API only, not history too
        checked += 1
    assert checked >= 3
