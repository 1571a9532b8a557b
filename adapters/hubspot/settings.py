"""The HubSpot adapter's options (`[crm.<name>]`) on the kit's shared settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, SecretStr

from leadsync import kit
from leadsync.kit import CrmSettings, SettingsError

__all__ = ["HubSpotSettings", "SettingsError", "settings_of"]


class HubSpotSettings(CrmSettings):
    """Connection and limit options; limits default to api-notes' lowest private-app tier."""

    access_token: SecretStr
    base_url: str = "https://api.hubapi.com"
    per_ten_seconds: int = Field(100, ge=1)  # 100 on Free/Starter, 190 on Pro/Enterprise
    search_per_second: int = Field(5, ge=1)
    page_size: int = Field(200, ge=1, le=200)
    attempts: int = Field(5, ge=1, le=20)
    # HubSpot documents no cap on calls in flight: its rate limits (above) bound them.
    max_in_flight: int = Field(6, ge=1, le=25)
    # Marketing events whose participations are read (`objectId`s, as in the marketing-events
    # API); none: every event the portal lists, discovered at each read.
    marketing_event_ids: tuple[str, ...] = ()


def settings_of(name: str, options: Mapping[str, Any]) -> HubSpotSettings:
    """Validated settings, or one SettingsError listing every bad key (values never shown)."""
    return kit.settings_of(HubSpotSettings, name, options)
