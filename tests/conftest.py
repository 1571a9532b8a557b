"""Shared fixtures: a clean environment and the repository's own files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_leadsync_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without LEADSYNC_* variables from the developer's shell."""
    for name in list(os.environ):
        if name.upper().startswith("LEADSYNC_"):
            monkeypatch.delenv(name)


@pytest.fixture
def example_config() -> Path:
    return REPO / "config.example.toml"


@pytest.fixture
def write_config(tmp_path: Path):
    """Write a TOML config into a temporary folder and return its path."""

    def write(text: str, name: str = "leadsync.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
