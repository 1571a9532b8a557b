"""Build each configured CRM's adapter (entry point, mapping, options, clock), and see it answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import structlog

from leadsync.adapter_api import Adapter, AdapterContext, AdapterError, AdapterPlugin
from leadsync.clock import Clock
from leadsync.config import CrmSettings, Settings
from leadsync.exceptions import ConfigError
from leadsync.mapping import CrmMapping, load_mapping
from leadsync.problems import Problem
from leadsync.registry import ADAPTERS, PluginError, load_plugin, plugin_names

__all__ = ["Connection", "connect_all", "unanswered"]

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Connection:
    """One enabled CRM of the config and its adapter (no call made yet)."""

    name: str
    adapter: Adapter
    mapping: CrmMapping
    settings: CrmSettings

    def writable(self, object_type: str) -> tuple[str, ...]:
        """The managed values leadsync may write to this object here: mapped, and switched on."""
        write = self.mapping.write.get(object_type)
        if write is None or not self.settings.write:
            return ()
        allowed = self.settings.write_fields
        return tuple(name for name in write.targets if allowed is None or name in allowed)

    def takes(self, object_type: str, values: Mapping[str, object]) -> dict[str, object]:
        """The values of `values` this object can hold here (a stage its map skips is left out)."""
        write = self.mapping.write.get(object_type)
        if write is None:
            return {}
        return {
            name: values[name]
            for name in self.writable(object_type)
            if values.get(name) is not None and write.crm_values(name, values[name])
        }


def connect_all(
    settings: Settings, *, clock: Clock, sleep: Callable[[float], None] = time.sleep
) -> list[Connection]:
    """An adapter per enabled CRM; ConfigError listing every CRM that cannot be set up, and why."""
    connections: list[Connection] = []
    problems: list[Problem] = []
    for name, crm in settings.enabled_crms().items():
        try:
            connections.append(_connect(settings, name, crm, clock, sleep))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    return connections


def unanswered(connections: Sequence[Connection]) -> dict[str, str]:
    """Why each CRM that cannot be reached or refuses its credentials failed, by name, found by one
    call (its owners, which every command that reads or writes a CRM asks for first). The CRMs
    are asked at once: an unreachable one costs one connect timeout, however many there are."""
    with ThreadPoolExecutor(max_workers=max(1, len(connections))) as pool:
        reasons = dict(zip((c.name for c in connections), pool.map(_reason, connections), strict=True))
    return {name: reason for name, reason in reasons.items() if reason}


def _reason(connection: Connection) -> str:
    try:
        connection.adapter.owners()
    except AdapterError as exc:
        _log.error("crm.unavailable", crm=connection.name, error=type(exc).__name__, reason=str(exc))
        return str(exc)
    return ""


def _connect(
    settings: Settings, name: str, crm: CrmSettings, clock: Clock, sleep: Callable[[float], None]
) -> Connection:
    file = str(settings.file)
    try:
        plugin = load_plugin(ADAPTERS, crm.adapter)
    except PluginError as exc:
        hint = f"use one of: {', '.join(plugin_names(ADAPTERS)) or 'none installed'}"
        raise ConfigError([Problem(file, f"crm.{name}.adapter", str(exc), hint)]) from None
    if not isinstance(plugin, AdapterPlugin):
        problem = Problem(file, f"crm.{name}.adapter", f"{crm.adapter!r} is not a leadsync adapter plugin")
        raise ConfigError([problem])
    crms = {other: settings.crm[other].adapter for other in settings.crm}  # names the mapping's same_as
    mapping = load_mapping(
        settings.resolve(crm.mapping) if crm.mapping else plugin.default_mapping, crms=crms
    )
    options = {**crm.options, "connect_timeout_s": crm.connect_timeout_s}
    context = AdapterContext(
        name=name, options=options, mapping=mapping, clock=clock, sleep=sleep, config_file=file
    )
    try:
        return Connection(name, plugin.create(context), mapping, crm)
    except AdapterError as exc:
        hint = "fix the settings named above in the config file or their LEADSYNC_CRM__… variables"
        raise ConfigError([Problem(file, f"crm.{name}", str(exc), hint)]) from None
