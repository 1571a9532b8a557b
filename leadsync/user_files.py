"""Read a file the user named, in bounded memory: each way it can fail is one Problem naming it.

Every input file goes through here — config, definitions, mappings and the people file of
`leadsync evaluate` — so a missing file, a folder, a symlink loop, an unreadable, binary,
non-UTF-8 or endless file (`/dev/zero`) answers the same one-line error and never a traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Final

from leadsync.exceptions import ConfigError
from leadsync.problems import Problem

__all__ = ["read_text", "text_lines"]

_UTF8_HINT: Final = "save the file as UTF-8"
_PERMISSION_HINT: Final = "let the user running leadsync read it (chmod / chown)"
_OPEN_PROBLEMS: Final = {
    errno.ENOENT: "file not found",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a name before the last one in the path is a file, not a folder",
    errno.ENAMETOOLONG: "the path, or a name in it, is too long for the file system",
    errno.ELOOP: "the path runs round a loop of symbolic links",
    errno.EACCES: "cannot be read: permission denied",
    errno.EPERM: "cannot be read: permission denied",
}


def read_text(file: Path, *, limit_bytes: int, missing_hint: str) -> str:
    """The whole file as text, with at most `limit_bytes` + 1 bytes ever held; ConfigError when
    it cannot be opened, is larger than the limit, holds binary data or is not UTF-8."""
    with _opened(file, missing_hint) as handle:
        data = _read(file, lambda: handle.read(limit_bytes + 1))
    if len(data) > limit_bytes:
        problem = f"is larger than {_size(limit_bytes)}, more than such a file ever holds"
        raise _error(file, problem, missing_hint)
    return _decoded(file, data, 1, missing_hint)


def text_lines(file: Path, *, max_line_bytes: int, missing_hint: str) -> Iterator[str]:
    """The file's lines in order (without their line break), read one at a time; ConfigError
    when it cannot be opened, or at the first line that is too long, binary or not UTF-8."""
    with _opened(file, missing_hint) as handle:
        number = 0
        # Room for the longest line and its "\r\n": one byte more proves the line too long.
        while line := _read(file, lambda: handle.readline(max_line_bytes + 2)):
            number += 1
            if len(line.rstrip(b"\r\n")) > max_line_bytes:
                problem = f"line {number} is longer than {max_line_bytes:,} bytes (one line holds one item)"
                raise _error(file, problem, missing_hint)
            text = _decoded(file, line, number, missing_hint).rstrip("\r\n")
            yield text.removeprefix("\ufeff") if number == 1 else text


@contextmanager
def _opened(file: Path, missing_hint: str) -> Iterator[BinaryIO]:
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise _os_error(file, exc, missing_hint) from None
    with handle:
        yield handle


def _read(file: Path, read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except OSError as exc:  # EISDIR on systems that open folders, EIO on a failing disk
        raise _os_error(file, exc, "") from None


def _os_error(file: Path, exc: OSError, missing_hint: str) -> ConfigError:
    known = _OPEN_PROBLEMS.get(exc.errno or 0)
    if known is None:
        return _error(file, f"cannot be read ({exc.strerror or type(exc).__name__})", "check the path")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _error(file, known, _PERMISSION_HINT)
    if exc.errno == errno.ELOOP:
        return _error(file, known, "point the link at the file itself")
    return _error(file, known, missing_hint)


def _decoded(file: Path, data: bytes, first_line: int, missing_hint: str) -> str:
    if b"\x00" in data:
        line = first_line + data.count(b"\n", 0, data.index(b"\x00"))
        raise _error(file, f"holds binary data (a NUL byte on line {line}), not text", missing_hint)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise _error(file, f"is not UTF-8 text (line {line})", _UTF8_HINT) from None


def _error(file: Path, problem: str, hint: str) -> ConfigError:
    return ConfigError([Problem(str(file), "", problem, hint)])


def _size(limit_bytes: int) -> str:
    mebibytes, rest = divmod(limit_bytes, 1 << 20)
    return f"{mebibytes} MiB" if not rest else f"{limit_bytes:,} bytes"
