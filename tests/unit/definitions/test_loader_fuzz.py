"""Whatever an admin does to the definitions file, loading it ends in definitions or a ConfigError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from leadsync.definitions import load_definitions
from leadsync.exceptions import ConfigError
from leadsync.problems import Problem
from tests.conftest import REPO

LINES = (REPO / "mappings" / "definitions.toml").read_text(encoding="utf-8").splitlines()
VALUES = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
    st.sampled_from(["true", "[]", "{}", '["x"]', "1.5", "-0", "nan", '{ field = "x" }', '"mql"', '"hot"']),
)


@st.composite
def edited_files(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "value", "garble", "duplicate"]))
        if action == "drop":
            del lines[i]
        elif action == "value" and "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + draw(VALUES)
        elif action == "garble":
            lines[i] = draw(st.text(max_size=20))
        else:
            lines.insert(i, lines[i])
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(edited_files())
def test_an_edited_definitions_file_loads_or_lists_its_problems(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "definitions.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        problems: tuple[Problem, ...] = ()
        try:
            load_definitions(path)
        except ConfigError as exc:
            problems = exc.problems or (Problem("", "", ""),)  # an empty list would be a bug
        assert all(p.file == str(path) and p.message for p in problems)
