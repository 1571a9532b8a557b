"""Pipedrive end to end on the engine: a lost deal's reason in explain, the Leads inbox and its token
cost in `plan`, OAuth, and writes cut by the day's budget resumed the next cycle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.pipedrive import plugin
from adapters.pipedrive.sandbox import SCORE, PipedriveSandbox
from leadsync.clock import ManualClock
from leadsync.config import Settings
from leadsync.connections import connect_all
from leadsync.definitions import load_definitions
from leadsync.engine import CycleReport, SyncEngine
from leadsync.model import RecordRef
from leadsync.store import Store
from tests.pipedrive.conftest import NOW

LEADS = """
[activities.lead]
person = "person_id"
occurred_at = "add_time"
detail = "title"

[[activities.lead.rules]]
kind = "contact_request"
when = { field = "source_name", op = "=", value = "Leadbooster" }
"""


@dataclass
class Company:
    sandbox: PipedriveSandbox
    clock: ManualClock
    store: Store
    raw: dict[str, Any]

    def engine(self) -> SyncEngine:
        settings = Settings.model_validate(self.raw)
        connections = connect_all(settings, clock=self.clock, sleep=self.clock.sleep)
        return SyncEngine(settings, self.store, connections, load_definitions(), self.clock)

    def sync(self) -> CycleReport:
        self.clock.advance(minutes=1)
        return self.engine().sync()


def _company(tmp_path: Path, sandbox: PipedriveSandbox, clock: ManualClock, **crm: Any) -> Company:
    state = f"sqlite:///{tmp_path / 'state.db'}"
    raw = {"sync": {"state_url": state}, "crm": {"pipedrive": {"adapter": "pipedrive", **crm}}}
    return Company(sandbox, clock, Store.open(state), raw)


@pytest.fixture
def company(tmp_path):
    clock = ManualClock(NOW)
    with PipedriveSandbox(40, seed=3, clock=clock) as sandbox:
        made = _company(tmp_path, sandbox, clock, **sandbox.settings())
        yield made
        made.store.close()


def _ref(n: int) -> RecordRef:
    return RecordRef("pipedrive", "person", str(n))


def _email(company: Company, n: int) -> str:
    return str(company.sandbox.persons[n]["emails"][0]["value"])


def test_a_lost_deal_sends_the_person_to_nurture_with_its_reason_in_explain(company):
    company.sync()
    company.sandbox.set_deal(_ref(5), "lost", "Price too high")
    second = company.sync()
    assert second.crms["pipedrive"].writes == 0  # the stage is read from the deals, never written
    explained = company.engine().explain(_email(company, 5))
    assert explained["decision"]["stage"] == "nurture"
    assert explained["stage_history"][-1]["reason"] == "set in pipedrive:person/5: deal lost: Price too high"
    assert company.sync().crms["pipedrive"].writes == 0  # and nothing again


def test_the_mapping_chooses_the_stage_of_each_deal_status(company, tmp_path):
    text = (
        Path(plugin.default_mapping)
        .read_text(encoding="utf-8")
        .replace('lost = "nurture"', 'lost = "disqualified"')
    )
    (tmp_path / "pipedrive.toml").write_text(text, encoding="utf-8")
    company.raw["crm"]["pipedrive"]["mapping"] = str(tmp_path / "pipedrive.toml")
    company.sync()
    company.sandbox.set_deal(_ref(6), "lost", "No budget")
    company.sync()
    explained = company.engine().explain(_email(company, 6))
    assert explained["decision"]["stage"] == "disqualified"
    assert explained["stage_history"][-1]["reason"].endswith("deal lost: No budget")


def test_leads_are_read_only_where_the_mapping_names_them_and_plan_shows_the_scan(company, tmp_path):
    company.sandbox.add_lead(_ref(7), "Leadbooster")
    company.sync()
    assert company.sandbox.calls.count("GET", "leads") == 0  # off by default
    assert "Leads inbox" not in " ".join(company.engine().plan().costs["pipedrive"].notes)

    text = Path(plugin.default_mapping).read_text(encoding="utf-8") + LEADS
    (tmp_path / "pipedrive.toml").write_text(text, encoding="utf-8")
    company.raw["crm"]["pipedrive"]["mapping"] = str(tmp_path / "pipedrive.toml")
    company.sync()
    kinds = [a["kind"] for a in company.engine().explain(_email(company, 7))["activities"]]
    assert "contact_request" in kinds
    spent = company.sandbox.tokens_spent
    cost = company.engine().plan().costs["pipedrive"]
    assert company.sandbox.calls.count("GET", "leads") == 2  # the cycle's full scan, then the plan's
    assert cost.unit == "tokens"
    assert cost.read == company.sandbox.tokens_spent - spent  # the plan's read, as Pipedrive counted it
    assert any("Leads inbox: a full scan every read (20 tokens at 1 leads)" in n for n in cost.notes)


def test_oauth_renews_an_expired_access_token_and_calls_the_api_domain(tmp_path):
    clock = ManualClock(NOW)
    with PipedriveSandbox(20, seed=3, clock=clock) as sandbox:
        company = _company(tmp_path, sandbox, clock, **sandbox.oauth_settings())
        try:
            assert company.sync().crms["pipedrive"].writes > 0
            assert sandbox.oauth.refreshes == 1
            sandbox.expire_tokens()
            sandbox.set_deal(_ref(3), "won")
            report = company.sync()
            assert report.status.value == "succeeded"
            assert sandbox.oauth.refreshes == 2  # one 401, one refresh, the call sent again
            assert sandbox.calls.count("POST", "token") == 2
        finally:
            company.store.close()


def test_a_refused_refresh_token_stops_with_the_fix_and_never_shows_a_secret(tmp_path):
    clock = ManualClock(NOW)
    with PipedriveSandbox(5, seed=3, clock=clock) as sandbox:
        settings = {**sandbox.oauth_settings(), "refresh_token": "revoked-refresh-token"}
        company = _company(tmp_path, sandbox, clock, **settings)
        try:
            report = company.sync()
        finally:
            company.store.close()
    text = str(report.as_dict())
    assert report.status.value == "failed"
    assert "set crm.pipedrive.refresh_token" in text
    assert "revoked-refresh-token" not in text
    assert sandbox.oauth.client_secret not in text


def test_writes_cut_by_the_days_budget_resume_next_cycle_and_lose_nothing(company):
    company.sandbox.daily_tokens = 200  # the first cycle's reads (~110), then part of the 40 PATCHes (5 each)
    first = company.sync()
    cut = first.crms["pipedrive"]
    assert 0 < cut.writes < 40
    company.clock.advance(days=1)  # a new day: a new budget
    company.sandbox.daily_tokens = 1_000_000
    second = company.sync()
    assert second.crms["pipedrive"].writes >= 40 - cut.writes  # those left, and any a new day changed
    held = [p["custom_fields"][company.sandbox.field_code(SCORE)] for p in company.sandbox.persons.values()]
    assert None not in held  # every person holds a score
    assert company.sync().crms["pipedrive"].writes == 0
