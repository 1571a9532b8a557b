"""Every adapter registered with a sandbox runs the shipped contract suite (`leadsync.testing`).

The suite is CRM-agnostic: the sandboxes' controls say how each CRM is made to act, and a
control a CRM has no equivalent of skips its case with the reason. A case an adapter fails is
listed below with why, and expected to fail (strictly) until the adapter is fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from adapters.pipedrive import plugin as pipedrive
from adapters.pipedrive.sandbox import PipedriveSandbox
from leadsync.testing import AdapterContractSuite, contract_suites

EXPECTED_FAILURES: dict[str, dict[str, str]] = {}

# Pages of 200: the crowded-stamp case spans pages in both CRMs (Salesforce reads 2,000 a page by default).
globals().update(contract_suites(adapter_options={"page_size": 200}, expected_failures=EXPECTED_FAILURES))


class TestPipedriveContract(AdapterContractSuite):
    """Pipedrive's sandbox is not registered yet (`leadsync.sandboxes` would put it in `leadsync demo`,
    which issue #28 phase 2 does), so its suite is declared here; it goes when the entry point lands."""

    plugin = pipedrive
    sandbox_factory = PipedriveSandbox
    crm_name = "pipedrive"
    adapter_options: ClassVar[Mapping[str, Any]] = {"page_size": 200}
    # No documented poll shows a deleted person: GET /api/v2/persons leaves it out and takes no
    # parameter that shows it (client-nodejs v2/api/persons-api.ts); GET /v1/recents lists no
    # `delete_log` item any more (its `items` enum, v1/api/recents-api.ts) and no recorded or
    # documented recents body shows a deleted person; only webhooks ("deleted" events) tell it,
    # and a polling daemon takes none. A merge is read from the survivor's `merge_what_id`
    # (adapters/pipedrive/merges.py).
    expected_failures: ClassVar[Mapping[str, str]] = {
        "test_a_deleted_record_is_reported_gone_by_the_next_read": (
            "Pipedrive shows a deleted person to no poll: only webhooks tell it (#28)"
        ),
    }
