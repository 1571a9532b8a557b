"""Find adapters and sandboxes through entry points: core never imports `adapters/`.

A CRM package registers itself in its `pyproject.toml`:

    [project.entry-points."leadsync.adapters"]
    pipedrive = "leadsync_pipedrive.adapter:create"
    [project.entry-points."leadsync.sandboxes"]
    pipedrive = "leadsync_pipedrive.sandbox:PipedriveSandbox"
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Final

from leadsync.exceptions import LeadsyncError

__all__ = ["ADAPTERS", "SANDBOXES", "PluginError", "load_plugin", "plugin_names"]

ADAPTERS: Final = "leadsync.adapters"
SANDBOXES: Final = "leadsync.sandboxes"


class PluginError(LeadsyncError):
    """An adapter or sandbox named in the config is not installed, or fails to load."""


def plugin_names(group: str) -> list[str]:
    """The names registered under an entry-point group, sorted."""
    return sorted({entry.name for entry in entry_points(group=group)})


def load_plugin(group: str, name: str) -> object:
    """The object registered as `name` in `group`; PluginError naming the installed ones."""
    found: list[EntryPoint] = [entry for entry in entry_points(group=group) if entry.name == name]
    if not found:
        known = ", ".join(plugin_names(group)) or "none"
        raise PluginError(f"no {group} entry point named {name!r}; installed: {known}")
    try:
        return found[0].load()
    except (ImportError, AttributeError) as exc:
        raise PluginError(f"{group} entry point {name!r} ({found[0].value}) failed to load: {exc}") from None
