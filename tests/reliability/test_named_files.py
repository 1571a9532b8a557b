"""Every file a user names, spoiled in every way a path or a file can be: one line, never a traceback.

The four kinds — the config, a definitions file, a mapping file and the people file of
`leadsync evaluate` — each answer one line naming the path and the problem. `/dev/zero` stands
for an endless file: configuration files are read up to a size cap and the people file line by
line up to a line cap, so it is refused instead of filling memory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadsync.cli import app
from leadsync.config import load_config
from leadsync.definitions import load_definitions
from leadsync.definitions.loader import default_definitions_path
from leadsync.exceptions import ConfigError
from leadsync.mapping import load_mapping
from tests.conftest import REPO

LOADERS: dict[str, Callable[[Path], object]] = {
    "config": load_config,
    "definitions": load_definitions,
    "mapping": load_mapping,
}
KINDS = [*LOADERS, "people"]
NOT_UTF8 = b'# caf\xe9 cr\xe8me\n{"email": "ren\xe9@example.com"}\n'  # Latin-1, as old exports write it


def problem_line(kind: str, path: Path) -> str:
    """What leadsync answers when `path` is given as the file of this kind."""
    if kind == "people":
        result = CliRunner().invoke(
            app, ["evaluate", str(path), "--definitions", str(default_definitions_path())]
        )
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        assert result.stdout == ""
        return result.stderr
    with pytest.raises(ConfigError) as caught:
        LOADERS[kind](path)
    (problem,) = caught.value.problems
    return problem.render()


def _missing(folder: Path) -> Path:
    return folder / "absent.toml"


def _folder(folder: Path) -> Path:
    (folder / "a-folder").mkdir()
    return folder / "a-folder"


def _through_a_file(folder: Path) -> Path:
    (folder / "file.toml").write_text("", encoding="utf-8")
    return folder / "file.toml" / "inner.toml"


def _name_too_long(folder: Path) -> Path:
    return folder / ("n" * 300 + ".toml")


def _symlink_loop(folder: Path) -> Path:
    (folder / "loop.toml").symlink_to(folder / "loop.toml")
    return folder / "loop.toml"


def _binary(folder: Path) -> Path:
    (folder / "garbage.toml").write_bytes(bytes(range(256)) * 64)
    return folder / "garbage.toml"


def _not_utf8(folder: Path) -> Path:
    (folder / "latin1.toml").write_bytes(NOT_UTF8)
    return folder / "latin1.toml"


def _endless(_folder: Path) -> Path:
    return Path("/dev/zero")


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (_missing, "file not found"),
    "a folder": (_folder, "is a folder, not a file"),
    "a path through a file (ENOTDIR)": (_through_a_file, "is a file, not a folder"),
    "a name too long (ENAMETOOLONG)": (_name_too_long, "too long for the file system"),
    "a symlink loop (ELOOP)": (_symlink_loop, "loop of symbolic links"),
    "binary garbage": (_binary, "holds binary data (a NUL byte on line 1)"),
    "invalid UTF-8": (_not_utf8, "is not UTF-8 text (line 1)"),
    "an endless file (/dev/zero)": (_endless, "is larger than 4 MiB"),
}
PEOPLE_PROBLEMS = {
    "an endless file (/dev/zero)": "line 1 is longer than 1,000,000 bytes"
}  # read line by line


def _assert_one_line_naming(line: str, path: Path, problem: str) -> None:
    assert "\n" not in line.strip(), line
    assert str(path) in line
    assert problem in line
    assert "Traceback" not in line


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("kind", KINDS)
def test_a_spoiled_file_answers_one_line_naming_it(kind: str, case: str, tmp_path: Path) -> None:
    make, problem = CASES[case]
    path = make(tmp_path)
    if kind == "people":
        problem = PEOPLE_PROBLEMS.get(case, problem)
    _assert_one_line_naming(problem_line(kind, path), path, problem)


def _without_root_file_access() -> list[str]:
    """A command prefix that takes away root's right to read any file (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root reads a chmod 000 file, and setpriv (util-linux) is missing to drop that right")
    rights = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={rights}", f"--bounding-set={rights}"]


@pytest.fixture(scope="module")
def unreadable(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """For each kind, a chmod 000 file and the answer to it, read in one process without root's rights."""
    folder = tmp_path_factory.mktemp("unreadable")
    paths = {kind: folder / f"{kind}.toml" for kind in KINDS}
    for path in paths.values():
        path.write_text("[sync]\n", encoding="utf-8")
        path.chmod(0)
    script = (
        "import json, sys; from pathlib import Path\n"
        "from tests.reliability.test_named_files import problem_line\n"
        "paths = json.loads(sys.argv[1])\n"
        "print(json.dumps({kind: problem_line(kind, Path(path)) for kind, path in paths.items()}))"
    )
    done = subprocess.run(
        [
            *_without_root_file_access(),
            sys.executable,
            "-c",
            script,
            json.dumps({k: str(p) for k, p in paths.items()}),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines: dict[str, str] = json.loads(done.stdout)
    return {kind: (paths[kind], lines[kind]) for kind in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_without_read_permission_answers_one_line_naming_it(
    kind: str, unreadable: dict[str, tuple[Path, str]]
) -> None:
    path, line = unreadable[kind]
    _assert_one_line_naming(line, path, "cannot be read: permission denied")


def test_the_people_file_may_start_with_a_byte_order_mark_and_end_lines_with_crlf(tmp_path: Path) -> None:
    people = tmp_path / "people.jsonl"
    people.write_bytes('\ufeff{"email": "ada@example.com"}\r\n\r\n{"email": "bob@example.com"}\r\n'.encode())
    result = CliRunner().invoke(
        app,
        ["evaluate", str(people), "--definitions", str(default_definitions_path()), "--format", "json",
         "--as-of", "2026-01-01T00:00:00Z"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [line.split('"email": ')[1].split(",")[0] for line in result.stdout.splitlines()] == [
        '"ada@example.com"',
        '"bob@example.com"',
    ]
