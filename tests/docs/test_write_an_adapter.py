"""docs/write-an-adapter.md stays true: its toy adapter passes the contract suite run as the page says,
every code block it shows is a verbatim excerpt of the file it names, and the adapter stays in 150 lines."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from datetime import UTC, datetime
from importlib.metadata import EntryPoint
from pathlib import Path
from types import ModuleType

from toy_crm import plugin
from toy_crm.sandbox import ToySandbox

from leadsync.adapter_api import AdapterContext, AdapterPlugin
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from leadsync.testing import Fault

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "toy_crm"  # on sys.path: conftest
DOC = EXAMPLE.parents[1] / "write-an-adapter.md"
ADAPTER = EXAMPLE / "toy_crm" / "adapter.py"
FENCE = re.compile(r"^```")
LINK = re.compile(r"\]\(([^)\s]+)\)")
SHOWN = frozenset(
    {
        "toy_crm/adapter.py",
        "toy_crm/controls.py",
        "toy_crm/sandbox.py",
        "toy_crm/mapping.toml",
        "pyproject.toml",
        "tests/test_toy_contract.py",
    }
)


def _reader_tests() -> ModuleType:
    """The example package's own test module, the one the page tells a reader to write and run."""
    spec = importlib.util.spec_from_file_location("toy_crm_tests", EXAMPLE / "tests" / "test_toy_contract.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TestToyContract = _reader_tests().TestToyContract  # pytest runs the shipped suite on the toy from here


def _code_blocks(text: str) -> list[tuple[str, str]]:
    """Each fenced block of the page, with the target of the last link on the line before it."""
    lines, blocks, n = text.splitlines(), [], 0
    while n < len(lines):
        if FENCE.match(lines[n]):
            end = next(m for m in range(n + 1, len(lines)) if FENCE.match(lines[m]))
            before = next((line for line in reversed(lines[:n]) if line.strip()), "")
            links = LINK.findall(before)
            blocks.append((links[-1] if links else "", "\n".join(lines[n + 1 : end])))
            n = end
        n += 1
    return blocks


def _is_excerpt(block: str, text: str) -> bool:
    want, have = block.splitlines(), text.splitlines()
    return bool(want) and any(have[n : n + len(want)] == want for n in range(len(have) - len(want) + 1))


def test_every_code_block_is_a_verbatim_excerpt_of_the_file_it_links() -> None:
    blocks = _code_blocks(DOC.read_text(encoding="utf-8"))
    shown: set[str] = set()
    for link, block in blocks:
        assert link, f"this block follows no line linking its file:\n{block[:200]}"
        path = (DOC.parent / link).resolve()
        assert path.is_file(), f"{link} is no file"
        text = path.read_text(encoding="utf-8")
        assert _is_excerpt(block, text), f"a block is no verbatim excerpt of {link}:\n{block}"
        shown.add(path.relative_to(EXAMPLE).as_posix() if path.is_relative_to(EXAMPLE) else link)
    assert shown >= SHOWN, f"the page shows nothing of {sorted(SHOWN - shown)}"


def test_the_toy_adapter_takes_under_150_lines() -> None:
    assert len(ADAPTER.read_bytes().splitlines()) < 150


def test_the_entry_points_the_page_registers_load_the_plugin_and_its_sandbox() -> None:
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = project["entry-points"]
    (adapter,) = (EntryPoint(n, v, "leadsync.adapters") for n, v in groups["leadsync.adapters"].items())
    (sandbox,) = (EntryPoint(n, v, "leadsync.sandboxes") for n, v in groups["leadsync.sandboxes"].items())
    assert isinstance(adapter.load(), AdapterPlugin)
    assert adapter.load() is plugin
    assert sandbox.load() is ToySandbox
    assert adapter.name == sandbox.name == "toy"


def test_a_rate_limited_call_is_sent_again_after_the_retry_after_wait() -> None:
    clock = ManualClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    with ToySandbox(people=10, clock=clock) as sandbox:
        sandbox.faults.push(Fault("rate_limit", headers={"Retry-After": "2"}), times=2)
        mapping = load_mapping(plugin.default_mapping)
        adapter = plugin.create(AdapterContext("toy", sandbox.settings(), mapping, clock, clock.sleep))
        owners = list(adapter.owners())
    assert clock.slept == [2.0, 2.0]
    assert [o.email for o in owners] == [o.email for o in sandbox.population(10).owners]
    assert adapter.usage().calls == 3
