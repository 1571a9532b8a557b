"""A recursive-descent parser for the SOQL subset the sandbox answers.

    query     := SELECT path (',' path)* FROM name [WHERE condition]
                 [ORDER BY order (',' order)*] [LIMIT integer]
    condition := term (AND term)* | term (OR term)*      -- mixing needs parentheses, as in SOQL
    term      := NOT term | '(' condition ')' | path op literal
               | path [NOT] IN '(' literal (',' literal)* ')' | path [NOT] LIKE string
    order     := path [ASC | DESC] [NULLS (FIRST | LAST)]

Valid SOQL outside the subset (functions, GROUP BY, OFFSET, subqueries, date literals such
as TODAY, TYPEOF…) is refused with MALFORMED_QUERY and a message saying so: never answered wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from .soql_lexer import SoqlError, Token, tokenize

__all__ = [
    "Comparison",
    "Condition",
    "FieldPath",
    "Junction",
    "Literal",
    "Not",
    "OrderItem",
    "Query",
    "parse",
]

_CLAUSE_WORDS = frozenset(
    {"FROM", "WHERE", "ORDER", "LIMIT", "GROUP", "HAVING", "OFFSET", "FOR", "WITH", "USING"}
)
_UNSUPPORTED = {
    "GROUP": "GROUP BY",
    "HAVING": "HAVING",
    "OFFSET": "OFFSET",
    "FOR": "FOR VIEW/REFERENCE/UPDATE",
    "WITH": "WITH filters",
    "USING": "USING SCOPE",
    "TYPEOF": "TYPEOF",
}


@dataclass(frozen=True, slots=True)
class FieldPath:
    """`Owner.Email` as written, with its first token for error positions."""

    parts: tuple[str, ...]
    token: Token


@dataclass(frozen=True, slots=True)
class Literal:
    """A value in a filter: kind is string, number, datetime, date, boolean or null."""

    kind: str
    value: str
    token: Token


@dataclass(frozen=True, slots=True)
class Comparison:
    """`path op value`; op is =, !=, <, <=, >, >=, IN, NOT IN, LIKE or NOT LIKE."""

    path: FieldPath
    op: str
    values: tuple[Literal, ...]
    token: Token


@dataclass(frozen=True, slots=True)
class Not:
    """NOT term."""

    operand: Condition


@dataclass(frozen=True, slots=True)
class Junction:
    """term AND term… (`all_of`) or term OR term…"""

    all_of: bool
    operands: tuple[Condition, ...]


Condition = Comparison | Not | Junction


@dataclass(frozen=True, slots=True)
class OrderItem:
    """One ORDER BY key; nulls sort first unless NULLS LAST (Salesforce's default)."""

    path: FieldPath
    descending: bool
    nulls_last: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query."""

    text: str
    fields: tuple[FieldPath, ...]
    sobject: str
    sobject_token: Token
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None


def parse(text: str) -> Query:
    """Parse a query, or raise SoqlError (400) as Salesforce would."""
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def at_end(self) -> bool:
        return self.tokens[self.pos].kind == "eof"

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def fail(self, token: Token | None = None, reason: str | None = None) -> SoqlError:
        token = token or self.token
        if reason is None:
            shown = token.text if token.kind == "eof" else f"'{token.text}'"
            reason = f"unexpected token: {shown}"
        return SoqlError(self.text, token, reason)

    def unsupported(self, token: Token, feature: str) -> SoqlError:
        return self.fail(
            token, f"{feature} is outside the SOQL subset the leadsync Salesforce sandbox emulates"
        )

    def expect(self, word: str) -> Token:
        if self.token.keyword() != word and self.token.text != word:
            raise self.fail()
        return self.advance()

    def query(self) -> Query:
        self.expect("SELECT")
        fields = [self.select_item()]
        while self.token.text == ",":
            self.advance()
            fields.append(self.select_item())
        self.expect("FROM")
        if self.token.kind != "name":
            raise self.fail()
        sobject = self.advance()
        where = order_by = limit = None
        if self.token.keyword() == "WHERE":
            self.advance()
            where = self.condition()
        if self.token.keyword() == "ORDER":
            self.advance()
            self.expect("BY")
            order_by = self.order_by()
        if self.token.keyword() == "LIMIT":
            self.advance()
            limit = self.limit()
        if self.token.keyword() in _UNSUPPORTED:
            raise self.unsupported(self.token, _UNSUPPORTED[self.token.keyword()])
        if not self.at_end():
            raise self.fail()
        return Query(self.text, tuple(fields), sobject.text, sobject, where, tuple(order_by or ()), limit)

    def select_item(self) -> FieldPath:
        token = self.token
        if token.keyword() == "TYPEOF":
            raise self.unsupported(token, "TYPEOF")
        if token.text == "(":
            raise self.unsupported(token, "A relationship subquery")
        if token.kind != "name" or token.keyword() in _CLAUSE_WORDS:
            raise self.fail()
        if self.tokens[self.pos + 1].text == "(":
            raise self.unsupported(token, f"The function {token.text.upper()}()")
        return self.path()

    def path(self) -> FieldPath:
        if self.token.kind != "name":
            raise self.fail()
        first = self.advance()
        parts = [first.text]
        while self.token.text == ".":
            self.advance()
            if self.token.kind != "name":
                raise self.fail()
            parts.append(self.advance().text)
        return FieldPath(tuple(parts), first)

    def condition(self) -> Condition:
        terms = [self.term()]
        joiner = ""
        while self.token.keyword() in ("AND", "OR"):
            if joiner and self.token.keyword() != joiner:
                raise self.fail()  # SOQL has no AND/OR precedence: mixing needs parentheses
            joiner = self.advance().keyword()
            terms.append(self.term())
        if not joiner:
            return terms[0]
        return Junction(joiner == "AND", tuple(terms))

    def term(self) -> Condition:
        if self.token.keyword() == "NOT":
            self.advance()
            return Not(self.term())
        if self.token.text == "(":
            self.advance()
            if self.token.keyword() == "SELECT":
                raise self.unsupported(self.token, "A subquery")
            inner = self.condition()
            self.expect(")")
            return inner
        if self.token.kind == "name" and self.tokens[self.pos + 1].text == "(":
            raise self.unsupported(self.token, f"The function {self.token.text.upper()}()")
        return self.comparison()

    def comparison(self) -> Comparison:
        path = self.path()
        token = self.token
        if token.kind == "op":
            self.advance()
            op = "!=" if token.text == "<>" else token.text
            return Comparison(path, op, (self.literal(),), token)
        negated = token.keyword() == "NOT"
        if negated:
            self.advance()
        word = self.token.keyword()
        if word == "LIKE":
            self.advance()
            return Comparison(path, "NOT LIKE" if negated else "LIKE", (self.literal(),), token)
        if word in ("INCLUDES", "EXCLUDES"):
            raise self.unsupported(self.token, word)
        if word != "IN":
            raise self.fail()
        self.advance()
        self.expect("(")
        if self.token.keyword() == "SELECT":
            raise self.unsupported(self.token, "A semi-join subquery")
        values = [self.literal()]
        while self.token.text == ",":
            self.advance()
            values.append(self.literal())
        self.expect(")")
        return Comparison(path, "NOT IN" if negated else "IN", tuple(values), token)

    def literal(self) -> Literal:
        token = self.token
        if token.kind == "bind":
            raise self.fail(token, "Bind variables only allowed in Apex code")
        if token.kind in ("string", "number", "datetime", "date"):
            self.advance()
            return Literal(token.kind, token.value, token)
        word = token.keyword()
        if word in ("TRUE", "FALSE"):
            self.advance()
            return Literal("boolean", word, token)
        if word == "NULL":
            self.advance()
            return Literal("null", "", token)
        if token.kind == "name":
            raise self.unsupported(token, f"The date literal or function {token.text}")
        raise self.fail()

    def order_by(self) -> list[OrderItem]:
        items = []
        while True:
            path = self.path()
            descending = nulls_last = False
            if self.token.keyword() in ("ASC", "DESC"):
                descending = self.advance().keyword() == "DESC"
            if self.token.keyword() == "NULLS":
                self.advance()
                if self.token.keyword() not in ("FIRST", "LAST"):
                    raise self.fail()
                nulls_last = self.advance().keyword() == "LAST"
            items.append(OrderItem(path, descending, nulls_last))
            if self.token.text != ",":
                return items
            self.advance()

    def limit(self) -> int:
        token = self.token
        if token.kind != "number" or not token.text.isdigit():
            raise self.fail()
        self.advance()
        return int(token.text)
