"""Insert-or-update statements for the two databases the store runs on, and bulk statements.

Upserts carry the sync's bulk (every activity, every value read or sent), so a statement is
compiled once per table, columns and dialect, and its rows go to the driver's `executemany`
with each value converted by its column's own bind processor: SQLAlchemy's per-row parameter
building, about a third of a row's cost, is left out; what is stored is the same.
`execute_many` runs any other constant statement (an update by key, an insert) the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Dialect, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["execute_many", "upsert"]

_Processor = Callable[[Any], Any] | None


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, object]],
    *,
    update: Sequence[str],
    also: Mapping[str, ColumnElement[Any]] | None = None,
) -> None:
    """Insert `rows` (each with the same keys), or on a primary-key clash overwrite the `update`
    columns of the row there (and set the columns of `also` to their expressions, e.g. a counter
    plus one)."""
    if not rows:
        return
    if also:  # rare (a counter): the statement holds expressions, compiled as it comes
        conn.execute(_statement(conn.dialect.name, table, update, also), list(rows))
        return
    statement = _upsert_statement(conn.dialect.name, table, tuple(rows[0]), tuple(update))
    execute_many(conn, statement, rows)


def execute_many(conn: Connection, statement: Any, rows: Sequence[Mapping[str, object]]) -> None:  # noqa: ANN401
    """Run `statement` (a module-level constant of plain bind parameters: compiled once per dialect)
    for each of `rows`, through the driver's `executemany`, each value by its parameter's processor."""
    if not rows:
        return
    sql, names, processors = _compiled(conn.dialect, statement)
    values = [
        [row[name] if process is None else process(row[name]) for name, process in processors] for row in rows
    ]
    if conn.dialect.paramstyle in ("named", "pyformat"):
        conn.exec_driver_sql(sql, [dict(zip(names, row, strict=True)) for row in values])
    else:  # positional, in the order the compiled statement names its parameters
        conn.exec_driver_sql(sql, [tuple(row) for row in values])


@lru_cache(maxsize=64)
def _upsert_statement(dialect: str, table: Table, columns: tuple[str, ...], update: tuple[str, ...]) -> Any:  # noqa: ANN401
    return _statement(dialect, table, update, None, columns)


@lru_cache(maxsize=64)
def _compiled(dialect: Dialect, statement: Any) -> tuple[str, list[str], list[tuple[str, _Processor]]]:  # noqa: ANN401
    """The statement's text, its parameter names in order, and each parameter's bind processor."""
    compiled = statement.compile(dialect=dialect)
    names = list(compiled.positiontup or compiled.binds)
    processors = [
        (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
    ]
    return str(compiled), names, processors


def _statement(
    dialect: str,
    table: Table,
    update: Sequence[str],
    also: Mapping[str, ColumnElement[Any]] | None,
    columns: Sequence[str] = (),
) -> Any:  # noqa: ANN401 - the dialect's own Insert
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    if columns:
        statement = statement.values({name: bindparam(name) for name in columns})
    key = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=key, set_={**{name: statement.excluded[name] for name in update}, **(also or {})}
    )
