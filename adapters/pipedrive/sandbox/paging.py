"""List parameters and paging: v2's update-time window, sort and cursor; v1's `start` and `limit`.

Cursors encode the last row's sort value and id (a real one decodes to
`{"field","fieldValue","sortDirection","id"}`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from werkzeug.wrappers import Request, Response

from . import shapes

__all__ = ["MAX_LIMIT", "BadRequestError", "Row", "instant", "offsets", "paged", "sort", "window"]

Row = dict[str, Any]
MAX_LIMIT: Final = 500


class BadRequestError(ValueError):
    """A request Pipedrive refuses as sent (400)."""


def offsets(request: Request) -> tuple[int, int]:
    """A v1 list's `start` and `limit` (default 100, at most 500)."""
    start, limit = request.args.get("start", "0"), request.args.get("limit", "100")
    if not start.isdigit() or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise BadRequestError(f"start must be a number, limit from 1 to {MAX_LIMIT}")
    return int(start), int(limit)


def instant(text: str | None, name: str) -> datetime | None:
    """The RFC 3339 instant of parameter `name`, if given."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"{name} must be RFC 3339, e.g. 2025-01-01T10:20:00Z") from None


def window(rows: Iterable[Row], request: Request) -> list[Row]:
    """Rows with `updated_since` <= update_time < `updated_until` (the v2 list parameters)."""
    since = instant(request.args.get("updated_since"), "updated_since")
    until = instant(request.args.get("updated_until"), "updated_until")
    return [
        r
        for r in rows
        if (since is None or r["update_time"] >= since) and (until is None or r["update_time"] < until)
    ]


def sort(request: Request) -> str:
    """The `sort_by` asked for (`id` by default)."""
    sort_by = request.args.get("sort_by", "id")
    if sort_by not in {"id", "update_time", "add_time"}:
        raise BadRequestError("sort_by must be one of id, update_time, add_time")
    return sort_by


def paged(rows: list[Row], request: Request, sort_by: str) -> Response:
    """One page in (sort value, id) order, `limit` ≤ 500, after the cursor's row."""
    limit_text = request.args.get("limit", "100")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise BadRequestError(f"limit must be from 1 to {MAX_LIMIT}")
    if request.args.get("sort_direction", "asc") != "asc":
        raise BadRequestError("the sandbox pages in ascending order only")
    order = sorted(rows, key=lambda r: (_value(r, sort_by), r.get("id", 0)))
    if cursor := request.args.get("cursor"):
        after = _decoded(cursor)
        order = [r for r in order if (_value(r, sort_by), r.get("id", 0)) > after]
    page, limit = order[: int(limit_text)], int(limit_text)
    last = page[-1] if len(order) > limit else None
    token = _encoded(sort_by, _value(last, sort_by), last.get("id", 0)) if last else None
    return shapes.listed(page, token)


def _value(row: Row, sort_by: str) -> Any:  # noqa: ANN401 - an id, a stamp or a field code
    return row.get(sort_by, row.get("field_code"))


def _encoded(field: str, value: object, row_id: object) -> str:
    shown = shapes.rfc3339(value) if isinstance(value, datetime) else value
    raw = json.dumps({"field": field, "fieldValue": shown, "sortDirection": "asc", "id": row_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decoded(cursor: str) -> tuple[Any, Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = raw["fieldValue"]
        if raw["field"] in {"update_time", "add_time"}:
            value = datetime.fromisoformat(value)
        return value, raw["id"]
    except (ValueError, KeyError, TypeError):
        raise BadRequestError("cursor is not valid") from None
