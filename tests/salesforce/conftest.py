"""Fixtures: one seeded Salesforce sandbox per module and adapters built against it; for the
`responses` tests, the answers `owners()` needs besides the users'."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from requests import PreparedRequest

from adapters.salesforce import SalesforceAdapter, create, plugin
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.adapter_api import AdapterContext
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from tests.recorded.shapes import recorded

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
MAPPING = load_mapping(plugin.default_mapping)
Matcher = Callable[[PreparedRequest], tuple[bool, str]]

# Any instance, any API version: Resources by Version, and the Query resource.
RESOURCES = re.compile(r"https://[^/]+/services/data/v\d+\.\d/$")
QUERIES = re.compile(r"https://[^/]+/services/data/v\d+\.\d/query/")
# A query that finds nothing: the recorded last page, no records (tests/fixtures/recorded/README.md).
NO_RECORDS = {**recorded("salesforce/query_last_page.json"), "totalSize": 0, "records": []}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(people=3000, seed=7, clock=ManualClock(NOW)) as started:
        yield started


MakeAdapter = Callable[..., SalesforceAdapter]


@pytest.fixture
def make_adapter(sandbox: SalesforceSandbox) -> Iterator[MakeAdapter]:
    def make(*, sleep: Callable[[float], None] | None = None, mapping: Any = MAPPING, **options: Any):
        # No lookback: these tests pin the exact cursor; the lookback has tests of its own.
        settings: dict[str, Any] = {**sandbox.settings(), "page_size": 200, "lookback_s": 0, **options}
        context = AdapterContext(
            name="sf", options=settings, mapping=mapping, clock=sandbox.clock,
            sleep=sleep or (lambda _s: None),
        )  # fmt: skip
        return create(context)

    yield make
    sandbox.faults.clear()


def mapping_path() -> Path:
    return plugin.default_mapping


def soql_from(sobject: str) -> Matcher:
    """A `responses` matcher for a query (its `q`) that reads `sobject`."""

    def match(request: PreparedRequest) -> tuple[bool, str]:
        soql = parse_qs(urlsplit(str(request.url)).query).get("q", [""])[0]
        found = re.search(r"\bFROM\s+(\w+)", soql)
        if found and found.group(1) == sobject:
            return True, ""
        return False, f"not a query of {sobject}: {soql!r}"

    return match


@pytest.fixture
def salesforce_api() -> Iterator[None]:
    """`responses` on, answering what `owners()` asks besides the users: the identity of the
    session's user (the recorded Resources by Version, whose user is none of the tests') and
    the queues (none). Each test registers its own answers for the rest."""
    with responses.mock:
        responses.get(RESOURCES, json=recorded("salesforce/resources_by_version.json"))
        responses.get(QUERIES, json=NO_RECORDS, match=[soql_from("Group")])
        yield
