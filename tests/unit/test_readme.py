"""The README stays true: what it shows is what ships."""

from __future__ import annotations

from tests.conftest import REPO


def test_the_readme_shows_the_shipped_definitions_file_in_full() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shipped = (REPO / "mappings" / "definitions.toml").read_text(encoding="utf-8")
    assert f"```toml\n{shipped}```" in readme


def test_the_readme_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
