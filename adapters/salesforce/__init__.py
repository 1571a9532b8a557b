"""Salesforce adapter: client glue, mapping and a loopback sandbox of the REST API subset leadsync uses."""

from pathlib import Path

from leadsync.adapter_api import AdapterPlugin

from .adapter import SalesforceAdapter, create

__all__ = ["SalesforceAdapter", "create", "plugin"]

plugin = AdapterPlugin(create=create, default_mapping=Path(__file__).with_name("mapping.toml"))
