"""What an adapter package tests itself with: the sandbox kit and the shipped contract suite.

The sandbox kit (`Sandbox`, `LoopbackServer`, `Faults`, `CallLog`, the seeded `population`)
runs `leadsync demo` and `leadsync sandbox` too, so it needs nothing beyond leadsync's own
dependencies. The contract suite (`AdapterContractSuite`, `contract_suites`) is a set of pytest
tests: it is imported on first use and needs pytest (`pip install 'leadsync[testing]'`).
See docs/write-an-adapter.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadsync.testing.controls import ContractSandbox, ControlAbsent, SandboxControls, TokensDoNotExpire
from leadsync.testing.sandbox import Sandbox, collector_paused
from leadsync.testing.sandbox_server import CallLog, Fault, Faults, LoopbackServer, with_accounting
from leadsync.testing.seed import Population, SeedActivity, SeedOwner, SeedPerson, population, seed_instant

if TYPE_CHECKING:
    from leadsync.testing.contract import AdapterContractSuite, Contract, SandboxFactory, contract_suites

__all__ = [
    "AdapterContractSuite",
    "CallLog",
    "Contract",
    "ContractSandbox",
    "ControlAbsent",
    "Fault",
    "Faults",
    "LoopbackServer",
    "Population",
    "Sandbox",
    "SandboxControls",
    "SandboxFactory",
    "SeedActivity",
    "SeedOwner",
    "SeedPerson",
    "TokensDoNotExpire",
    "collector_paused",
    "contract_suites",
    "population",
    "seed_instant",
    "with_accounting",
]

_SUITE = frozenset({"AdapterContractSuite", "Contract", "SandboxFactory", "contract_suites"})


def __getattr__(name: str) -> object:
    """The contract suite's names, imported on first use: only they need pytest."""
    if name in _SUITE:
        from leadsync.testing import contract  # noqa: PLC0415 - pytest is a test-time dependency

        return getattr(contract, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
