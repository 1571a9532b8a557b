"""SOQL tokens: names, quoted strings with SOQL's escapes, numbers, unquoted date/datetime literals.

Errors carry Salesforce's wording and the 1-based row and column, which `SoqlError.message`
renders as Salesforce does: the offending line, a caret, `ERROR at Row:r:Column:c`, the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .errors import SalesforceError

__all__ = ["SoqlError", "Token", "TokenKind", "tokenize"]

TokenKind = Literal["name", "string", "number", "datetime", "date", "op", "punct", "bind", "eof"]

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:])", re.ASCII)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?![\w.])", re.ASCII)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_PLAIN = re.compile(r"[^'\\]+")  # a string literal's characters that need no escape handling
_PATTERNS: tuple[tuple[TokenKind, re.Pattern[str]], ...] = (
    ("datetime", _DATETIME),
    ("date", _DATE),
    ("number", _NUMBER),
    ("name", _NAME),
)
_OPS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCT = "(),."
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}
# LIKE patterns keep \_ and \% escaped for the pattern matcher
_LIKE_ESCAPES = {"_": "\\_", "%": "\\%"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token; `offset` indexes the query text, `row` and `column` count from 1."""

    kind: TokenKind
    text: str
    value: str
    offset: int
    row: int
    column: int

    def keyword(self) -> str:
        """The upper-cased text of a name token (SOQL keywords are case-insensitive)."""
        return self.text.upper() if self.kind == "name" else ""


class SoqlError(SalesforceError):
    """A query Salesforce refuses: 400 with MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE…"""

    def __init__(self, query: str, token: Token, reason: str, code: str = "MALFORMED_QUERY") -> None:
        super().__init__(400, code, _pointed(query, token, reason))
        self.reason = reason


def _pointed(query: str, token: Token, reason: str) -> str:
    line = query.splitlines()[token.row - 1] if query.strip() else ""
    return f"\n{line}\n{' ' * (token.column - 1)}^\nERROR at Row:{token.row}:Column:{token.column}\n{reason}"


def tokenize(query: str) -> list[Token]:
    """The tokens of a query, ending with an `eof` token."""
    tokens: list[Token] = []
    pos, row, line_start = 0, 1, 0
    while True:
        while pos < len(query) and query[pos].isspace():
            if query[pos] == "\n":
                row, line_start = row + 1, pos + 1
            pos += 1
        column = pos - line_start + 1
        if pos >= len(query):
            tokens.append(Token("eof", "<EOF>", "", pos, row, column))
            return tokens
        kind, text, value = _next(query, pos, row, column)
        tokens.append(Token(kind, text, value, pos, row, column))
        pos += len(text)


def _next(query: str, pos: int, row: int, column: int) -> tuple[TokenKind, str, str]:
    char = query[pos]
    if char == "'":
        text, value = _string(query, pos, row, column)
        return "string", text, value
    for kind, pattern in _PATTERNS:
        match = pattern.match(query, pos)
        if match:
            return kind, match.group(), match.group()
    op = next((op for op in _OPS if query.startswith(op, pos)), None)
    if op:
        return "op", op, op
    if char in _PUNCT:
        return "punct", char, char
    if char == ":":
        return "bind", char, char
    where = Token("punct", char, char, pos, row, column)
    raise SoqlError(query, where, f"line {row}:{column - 1} no viable alternative at character '{char}'")


def _string(query: str, start: int, row: int, column: int) -> tuple[str, str]:
    chars: list[str] = []
    pos = start + 1
    while pos < len(query):
        plain = _PLAIN.match(query, pos)  # up to the next quote or backslash, in one step
        if plain:
            chars.append(plain.group())
            pos = plain.end()
            continue
        char = query[pos]
        if char == "'":
            return query[start : pos + 1], "".join(chars)
        if char == "\\" and pos + 1 < len(query):
            escaped = query[pos + 1]
            if escaped in _ESCAPES or escaped in _LIKE_ESCAPES:
                chars.append(_ESCAPES.get(escaped) or _LIKE_ESCAPES[escaped])
                pos += 2
                continue
            if escaped == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", query[pos + 2 : pos + 6]):
                chars.append(chr(int(query[pos + 2 : pos + 6], 16)))
                pos += 6
                continue
            literal = query[start : pos + 2]
            where = Token("string", literal, "", start, row, column)
            raise SoqlError(
                query,
                where,
                f"Invalid string literal '{literal}'. "
                f"Illegal character sequence '\\{escaped}' in string literal.",
            )
        chars.append(char)
        pos += 1
    where = Token("eof", "<EOF>", "", len(query), row, column)
    raise SoqlError(query, where, f"line {row}:{column - 1} mismatched character '<EOF>' expecting '''")
