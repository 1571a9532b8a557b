"""Security edges: adapters write only what a mapping names; TLS verification cannot be turned off.

A sync with a mapping that writes only the score changes no other field of any record in
either sandbox, and a change naming a raw CRM field is refused before any call. The
Salesforce sandbox serves HTTPS under a throwaway CA: an adapter (or plain client) without
that CA fails on the certificate whatever the environment says, and no option disables the
check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from adapters.salesforce.options import SalesforceOptionsError, parse_options
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.adapter_api import AdapterContext, AdapterError, AdapterPlugin, Change, UnmappedFieldError
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from leadsync.model import RecordRef
from leadsync.registry import ADAPTERS, load_plugin
from tests.conftest import REPO
from tests.engine.conftest import NOW, MakePipeline, Pipeline

# Fields every save moves by itself: the sandboxes' modification stamps.
SYSTEM_FIELDS = {"LastModifiedDate", "SystemModstamp", "LastModifiedById", "lastmodifieddate",
                 "hs_lastmodifieddate"}  # fmt: skip
SCORE_ONLY = {
    "salesforce": ('[write.Lead]\nscore = "LeadSync_Score__c"\n', {"LeadSync_Score__c"}),
    "hubspot": ('[write.contacts]\nscore = "leadsync_score"\n', {"leadsync_score"}),
}


def _score_only_mapping(tmp_path: Path, crm: str) -> Path:
    """The shipped mapping of `crm` with its [write] tables cut down to the score alone."""
    shipped = (REPO / "adapters" / crm / "mapping.toml").read_text(encoding="utf-8")
    kept = shipped.split("\n[write.", 1)[0]
    path = tmp_path / f"{crm}.toml"
    path.write_text(kept + "\n" + SCORE_ONLY[crm][0], encoding="utf-8")
    return path


def _snapshot(pipeline: Pipeline) -> dict[tuple[str, str], dict[str, Any]]:
    """Every person record of both sandboxes, raw."""
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for sobject in ("Lead", "Contact"):
        for record in pipeline.salesforce.store.records(sobject):
            records["salesforce", str(record["Id"])] = record
    for contact_id in pipeline.hubspot.store.ids():
        records["hubspot", contact_id] = pipeline.hubspot.store.contact(contact_id) or {}
    return records


def test_a_sync_writes_no_field_its_mapping_does_not_name(
    make_pipeline: MakePipeline,
    tmp_path: Path,
) -> None:
    pipeline = make_pipeline(
        people=60, crm={crm: {"mapping": str(_score_only_mapping(tmp_path, crm))} for crm in SCORE_ONLY}
    )
    before = _snapshot(pipeline)

    report = pipeline.sync()

    assert all(figures.writes > 0 for figures in report.crms.values())
    changed: dict[str, set[str]] = {"salesforce": set(), "hubspot": set()}
    for (crm, record_id), after in _snapshot(pipeline).items():
        old = before[crm, record_id]
        changed[crm] |= {name for name in after.keys() | old.keys() if after.get(name) != old.get(name)}
    for crm, (_, mapped) in SCORE_ONLY.items():
        assert changed[crm] - SYSTEM_FIELDS == mapped, crm


def test_a_change_naming_a_crm_field_is_refused_before_any_call(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=10)
    for connection in pipeline.engine().connections:
        sandbox = pipeline.salesforce if connection.name == "salesforce" else pipeline.hubspot
        ref = RecordRef(connection.name, next(iter(connection.mapping.write)), "1")
        before = sandbox.calls.count()
        for raw_field in ("Email", "OwnerId", "email", "hubspot_owner_id", "LeadSync_Score__c"):
            with pytest.raises(UnmappedFieldError):
                list(connection.adapter.apply([Change(ref, {"score": 1}), Change(ref, {raw_field: "x"})]))
        assert sandbox.calls.count() == before, connection.name


# -- TLS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def salesforce() -> Any:
    with SalesforceSandbox(people=5, clock=ManualClock(NOW)) as sandbox:
        yield sandbox


def _adapter(sandbox: SalesforceSandbox, **options: object) -> Any:
    plugin = load_plugin(ADAPTERS, "salesforce")
    assert isinstance(plugin, AdapterPlugin)
    settings = {**sandbox.settings(), **options}
    settings = {k: v for k, v in settings.items() if v is not None}
    context = AdapterContext(
        name="salesforce",
        options=settings,
        mapping=load_mapping(plugin.default_mapping),
        clock=ManualClock(NOW),
        sleep=lambda _: None,
    )
    return plugin.create(context)


def test_the_sandbox_serves_https_that_only_its_ca_vouches_for(salesforce: SalesforceSandbox) -> None:
    versions = f"{salesforce.url}/services/data/"
    assert requests.get(versions, verify=str(salesforce.ca_bundle), timeout=10).status_code == 200
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(versions, timeout=10)


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"CURL_CA_BUNDLE": ""},
        {"REQUESTS_CA_BUNDLE": "{ca}"},
        {"SSL_CERT_FILE": "{ca}", "CURL_CA_BUNDLE": "{ca}"},
    ],
)
def test_an_adapter_without_the_ca_fails_on_the_certificate_whatever_the_environment(
    salesforce: SalesforceSandbox, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(ca=salesforce.ca_bundle))
    before = salesforce.calls.count()
    with pytest.raises(AdapterError) as raised:
        list(_adapter(salesforce, ca_bundle=None).owners())
    assert "certificate" in str(raised.value).lower() or "ssl" in str(raised.value).lower()
    assert salesforce.calls.count() == before  # no request got past the handshake
    assert list(_adapter(salesforce).owners())  # the same adapter with the CA works


@pytest.mark.parametrize(
    "switch", ["verify", "verify_ssl", "ssl_verify", "tls_verify", "insecure", "ca_bundle"]
)
def test_no_option_turns_certificate_checks_off(salesforce: SalesforceSandbox, switch: str) -> None:
    off = switch == "insecure"  # the value that would switch the check off
    with pytest.raises(SalesforceOptionsError, match=switch):
        parse_options("salesforce", {**salesforce.settings(), switch: off})
