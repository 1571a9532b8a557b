"""Every adapter registered with a sandbox runs the shipped contract suite (`leadsync.testing`).

The suite is CRM-agnostic: the sandboxes' controls say how each CRM is made to act, and a
control a CRM has no equivalent of skips its case with the reason. A case an adapter fails is
listed below with why, and expected to fail (strictly) until the adapter is fixed.
"""

from __future__ import annotations

from leadsync.testing import contract_suites

EXPECTED_FAILURES: dict[str, dict[str, str]] = {}

# Pages of 200: the crowded-stamp case spans pages in both CRMs (Salesforce reads 2,000 a page by default).
globals().update(contract_suites(adapter_options={"page_size": 200}, expected_failures=EXPECTED_FAILURES))
