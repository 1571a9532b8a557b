"""A toy CRM's leadsync adapter, the walk-through of docs/write-an-adapter.md: `plugin` is its entry point."""

from .adapter import ToyAdapter, ToySettings, plugin

__all__ = ["ToyAdapter", "ToySettings", "plugin"]
