"""Insert-or-update statements for the two databases the store runs on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["upsert"]


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, object]],
    *,
    update: Sequence[str],
    also: Mapping[str, ColumnElement[Any]] | None = None,
) -> None:
    """Insert `rows`, or on a primary-key clash overwrite the `update` columns of the row there
    (and set the columns of `also` to their expressions, e.g. a counter plus one)."""
    if not rows:
        return
    key = [column.name for column in table.primary_key.columns]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=key, set_={**{name: statement.excluded[name] for name in update}, **(also or {})}
    )
    conn.execute(statement, list(rows))
