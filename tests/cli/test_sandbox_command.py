from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
import requests
from hubspot import HubSpot
from simple_salesforce.api import Salesforce
from urllib3.util.retry import Retry

from leadsync.registry import SANDBOXES, PluginError, load_plugin, plugin_names


def test_sandboxes_are_found_through_entry_points() -> None:
    assert plugin_names(SANDBOXES) == ["hubspot", "marketo", "pipedrive", "salesforce"]
    with pytest.raises(PluginError, match="installed: hubspot, marketo, pipedrive, salesforce"):
        load_plugin(SANDBOXES, "pardot")


def test_the_sandbox_command_prints_usable_settings_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "leadsync", "sandbox", "--people", "60", "--latency-ms", "5", "--format=json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        settings = json.loads(process.stdout.readline())
        assert set(settings["salesforce"]) == {"instance_url", "session_id", "ca_bundle", "api_version"}
        assert set(settings["hubspot"]) == {"base_url", "access_token"}
        assert set(settings["pipedrive"]) == {"base_url", "api_token", "plan", "seats"}
        assert set(settings["marketo"]) == {"base_url", "client_id", "client_secret"}

        salesforce = settings["salesforce"]
        session = requests.Session()
        session.trust_env = False
        session.verify = salesforce["ca_bundle"]
        sf = Salesforce(
            instance_url=salesforce["instance_url"],
            session_id=salesforce["session_id"],
            version=salesforce["api_version"],
            session=session,
        )
        assert sf.query("SELECT Id, Email FROM Lead")["totalSize"] > 0

        hubspot = HubSpot(
            access_token=settings["hubspot"]["access_token"],
            host=settings["hubspot"]["base_url"],
            retry=Retry(total=0),
        )
        assert hubspot.crm.owners.owners_api.get_page().results

        pipedrive = settings["pipedrive"]
        persons = requests.get(
            pipedrive["base_url"] + "/api/v2/persons",
            headers={"x-api-token": pipedrive["api_token"]},
            params={"limit": 5},
            timeout=10,
        )
        assert len(persons.json()["data"]) == 5
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
