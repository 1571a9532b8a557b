"""The HubSpot adapter (hubspot-api-client), registered as the `hubspot` entry point."""

from __future__ import annotations

from pathlib import Path

from leadsync.adapter_api import AdapterContext, AdapterPlugin

from .adapter import HubSpotAdapter
from .settings import HubSpotSettings, SettingsError, settings_of

__all__ = ["HubSpotAdapter", "HubSpotSettings", "SettingsError", "create", "plugin"]


def create(context: AdapterContext) -> HubSpotAdapter:
    """A HubSpot adapter for `context`; a SettingsError lists every bad option by key."""
    return HubSpotAdapter(context, settings_of(context.name, context.options))


plugin = AdapterPlugin(create=create, default_mapping=Path(__file__).with_name("mapping.toml"))
