"""`AdapterContractSuite`: the standard checks every adapter passes against its sandbox, as pytest tests.

An adapter package runs it like the Singer SDK's standard tap tests, by subclassing it in a
test module (pytest collects classes named `Test…`):

    from leadsync.testing import AdapterContractSuite
    from leadsync_pipedrive import plugin
    from leadsync_pipedrive.sandbox import PipedriveSandbox

    class TestPipedriveContract(AdapterContractSuite):
        plugin = plugin
        sandbox_factory = PipedriveSandbox

One seeded sandbox serves every case of a class; each case starts a minute after the last
(the sandbox's clock is the adapter's, and the adapter's waits move it). A case that needs a
control the CRM has no equivalent of is skipped with the sandbox's reason; a case an adapter
is known to fail goes in `expected_failures` (strict: it must fail until it is fixed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Final

import pytest

from leadsync.adapter_api import AdapterPlugin
from leadsync.clock import ManualClock
from leadsync.registry import ADAPTERS, SANDBOXES, load_plugin, plugin_names
from leadsync.testing.contract_crm import Contract
from leadsync.testing.contract_reads import ReadCases
from leadsync.testing.contract_writes import WriteCases
from leadsync.testing.controls import ContractSandbox

__all__ = ["AdapterContractSuite", "Contract", "SandboxFactory", "contract_suites"]

SandboxFactory = Callable[..., ContractSandbox]
"""A sandbox class: called as `(people=, seed=, clock=, **sandbox_options)`."""
START: Final = datetime(2026, 11, 23, 12, tzinfo=UTC)
_NOTHING: Final[Mapping[str, Any]] = MappingProxyType({})


class AdapterContractSuite(ReadCases, WriteCases):
    """Subclass as `Test…` and set `plugin` and `sandbox_factory`; the other settings have defaults."""

    plugin: ClassVar[AdapterPlugin]
    sandbox_factory: ClassVar[SandboxFactory]
    crm_name: ClassVar[str] = "crm"
    """The CRM's name in the adapter's context (and so in every RecordRef it makes)."""
    people: ClassVar[int] = 3500
    seed: ClassVar[int] = 7
    sandbox_options: ClassVar[Mapping[str, Any]] = _NOTHING
    adapter_options: ClassVar[Mapping[str, Any]] = _NOTHING
    """Options every adapter of the suite is given besides the sandbox's settings (e.g. a page size
    small enough that the crowded-stamp case spans pages)."""
    expected_failures: ClassVar[Mapping[str, str]] = _NOTHING
    """Case name → why this adapter fails it: marked xfail(strict=True)."""

    @pytest.fixture(scope="class")
    @classmethod
    def crm(cls) -> Iterator[Contract]:
        """The adapter under test and its seeded sandbox, shared by every case of the class."""
        clock = ManualClock(START)
        with cls.sandbox_factory(people=cls.people, seed=cls.seed, clock=clock, **cls.sandbox_options) as box:
            yield Contract(cls.crm_name, cls.plugin, box, clock, cls.adapter_options)

    @pytest.fixture(autouse=True)
    def _case_setup(self, request: pytest.FixtureRequest, crm: Contract) -> None:
        """A minute passes between cases; a known failure is expected, strictly."""
        crm.clock.advance(minutes=1)
        reason = self.expected_failures.get(request.function.__name__)
        if reason is not None:
            request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def contract_suites(
    *,
    adapter_options: Mapping[str, Any] = _NOTHING,
    expected_failures: Mapping[str, Mapping[str, str]] = _NOTHING,
) -> dict[str, type[AdapterContractSuite]]:
    """A suite class per adapter registered with a sandbox (`leadsync.adapters`, `leadsync.sandboxes`),
    named `Test<Name>Contract`, to put in a test module's namespace; `expected_failures` by adapter name."""
    sandboxes = set(plugin_names(SANDBOXES))
    suites: dict[str, type[AdapterContractSuite]] = {}
    for name in (n for n in plugin_names(ADAPTERS) if n in sandboxes):
        plugin = load_plugin(ADAPTERS, name)
        if not isinstance(plugin, AdapterPlugin):
            raise TypeError(f"the {ADAPTERS} entry point {name!r} is not an AdapterPlugin: {plugin!r}")
        attributes = {
            "plugin": plugin,
            "sandbox_factory": load_plugin(SANDBOXES, name),
            "crm_name": name,
            "adapter_options": adapter_options,
            "expected_failures": expected_failures.get(name, _NOTHING),
        }
        title = f"Test{name.title().replace('_', '')}Contract"
        suites[title] = type(title, (AdapterContractSuite,), attributes)
    return suites
