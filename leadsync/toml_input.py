"""Read a TOML input file (config, definitions, mapping), turning every failure into a Problem."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Final

from leadsync.exceptions import ConfigError
from leadsync.problems import Problem
from leadsync.user_files import read_text

__all__ = ["MAX_TOML_BYTES", "parse_toml", "read_toml", "read_toml_text"]

MAX_TOML_BYTES: Final = 4 << 20  # 300 times the largest shipped file (13 KB); /dev/zero stops here
_SYNTAX_HINT = "fix the TOML syntax there: strings need quotes, tables go in [brackets]"
_FLATTEN_HINT = "flatten the nesting: no real setting needs more than a few levels"


def read_toml(file: Path, *, missing_hint: str) -> dict[str, Any]:
    """The parsed document; a ConfigError naming the file (and line) when it cannot be read."""
    return parse_toml(file, read_toml_text(file, missing_hint=missing_hint))


def read_toml_text(file: Path, *, missing_hint: str) -> str:
    """The file's text, at most MAX_TOML_BYTES; a ConfigError naming the file when it cannot be read."""
    return read_text(file, limit_bytes=MAX_TOML_BYTES, missing_hint=missing_hint)


def parse_toml(file: Path, text: str) -> dict[str, Any]:
    """The TOML document in `text`, read from `file`; a ConfigError naming the line when invalid."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(file), "", f"not valid TOML: {exc}", _SYNTAX_HINT)]) from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        problem = Problem(str(file), "", "nests lists or tables too deeply to be read", _FLATTEN_HINT)
        raise ConfigError([problem]) from None
