"""The toy adapter package of docs/write-an-adapter.md, importable as `pip install -e` would make it."""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "toy_crm"
if str(EXAMPLE) not in sys.path:
    sys.path.append(str(EXAMPLE))
