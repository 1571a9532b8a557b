"""What the dashboard reads: the settings, the state store, the definitions and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.clock import Clock
from leadsync.config import Settings
from leadsync.definitions import Definitions
from leadsync.store import Store

__all__ = ["Dashboard"]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """One pipeline's state store seen through its settings and definitions, as of `clock`."""

    settings: Settings
    store: Store
    definitions: Definitions
    clock: Clock
