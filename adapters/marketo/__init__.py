"""The Marketo Engage adapter (a thin client of our own on the kit): the `marketo` entry point."""

from pathlib import Path

from leadsync.adapter_api import AdapterPlugin

from .adapter import MarketoAdapter
from .settings import MarketoSettings

__all__ = ["MarketoAdapter", "MarketoSettings", "plugin"]

plugin = AdapterPlugin(create=MarketoAdapter, default_mapping=Path(__file__).with_name("mapping.toml"))
