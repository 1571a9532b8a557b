"""Read a TOML input file, turning a missing file or a syntax error into a Problem."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from leadsync.exceptions import ConfigError
from leadsync.problems import Problem

__all__ = ["read_toml"]

_SYNTAX_HINT = "fix the TOML syntax there: strings need quotes, tables go in [brackets]"
_FLATTEN_HINT = "flatten the nesting: no real setting needs more than a few levels"


def read_toml(file: Path, *, missing_hint: str) -> dict[str, Any]:
    """The parsed document; a ConfigError naming the file (and line) when it cannot be read."""
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([Problem(str(file), "", "file not found", missing_hint)]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(str(file), "", "is a folder, not a file", missing_hint)]) from None
    except PermissionError:
        hint = "let the user running leadsync read it (chmod / chown)"
        raise ConfigError([Problem(str(file), "", "cannot be read: permission denied", hint)]) from None
    except UnicodeDecodeError:
        raise ConfigError([Problem(str(file), "", "is not UTF-8 text", "save the file as UTF-8")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(file), "", f"not valid TOML: {exc}", _SYNTAX_HINT)]) from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        problem = Problem(str(file), "", "nests lists or tables too deeply to be read", _FLATTEN_HINT)
        raise ConfigError([problem]) from None
