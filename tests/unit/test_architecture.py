"""The architecture's "never" rules are enforced: a forbidden import fails `lint-imports`, so `make test`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# (file, the forbidden import added to it, the contract that must break)
VIOLATIONS = [
    ("leadsync/definitions/__init__.py", "import leadsync.store", "definitions and mapping are pure"),
    ("leadsync/mapping/__init__.py", "import sqlalchemy", "definitions and mapping are pure"),
    ("leadsync/store/__init__.py", "import leadsync.engine", "the store never imports the engine"),
    ("leadsync/kit/__init__.py", "import leadsync.config", "the kit stands beside the adapter contract"),
    ("adapters/hubspot/settings.py", "import leadsync.store", "adapters import only the adapter contract"),
    ("leadsync/cli/__init__.py", "import leadsync.store", "CLI, daemon and web reach the store only"),
    ("leadsync/web/__init__.py", "import leadsync.registry", "only the composition root loads plugins"),
    ("leadsync/model.py", "import adapters", "core never imports an adapter"),
]


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    for package in ("leadsync", "adapters"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _lint_imports(copy: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=copy, env=env, capture_output=True, text=True, check=False
    )


def test_the_unchanged_code_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_imports(_copy(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_each_forbidden_import_breaks_its_contract(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    for file, line, _ in VIOLATIONS:
        with (copy / file).open("a", encoding="utf-8") as module:
            module.write(f"\n{line}  # noqa: F401, E402\n")
    result = _lint_imports(copy)
    assert result.returncode == 1
    broken = result.stdout.split("Broken contracts", 1)[1]
    flat = " ".join(broken.split())  # contract names wrap in the report
    missing = [contract for _, _, contract in VIOLATIONS if contract not in flat]
    assert missing == [], result.stdout
