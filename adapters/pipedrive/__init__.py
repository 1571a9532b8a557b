"""The Pipedrive adapter (a client of our own on API v2), registered as the `pipedrive` entry point."""

from pathlib import Path

from leadsync.adapter_api import AdapterPlugin

from .adapter import PipedriveAdapter
from .settings import PipedriveSettings

__all__ = ["PipedriveAdapter", "PipedriveSettings", "plugin"]

plugin = AdapterPlugin(create=PipedriveAdapter, default_mapping=Path(__file__).with_name("mapping.toml"))
