"""Activity-style paging: a token from `sinceDatetime`, then pages until `moreResult` is false.

Each call scans 300 activities of all types from the token's point, so a page may hold fewer
rows, even none (`result` then absent), with `moreResult: true`: such pages are followed, and the
last `nextPageToken` is where the read stands (`activities.md`; Adobe KB ka-29362).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from .client import MarketoClient, Row

__all__ = ["iso", "paged", "paging_token", "when"]


def paging_token(client: MarketoClient, since: datetime) -> str:
    """The token of `since` (`GET /rest/v1/activities/pagingtoken.json`)."""
    params = {"sinceDatetime": iso(since)}
    answer = client.call("paging token", "GET", "/rest/v1/activities/pagingtoken.json", params=params)
    return str(answer["nextPageToken"])


def paged(client: MarketoClient, what: str, path: str, token: str, **params: str) -> Iterator[list[Row]]:
    """Every page's rows (empty pages included) from `token` until `moreResult` is false."""
    while True:
        answer = client.call(what, "GET", path, params={**params, "nextPageToken": token})
        yield list(answer.get("result") or ())
        token = str(answer.get("nextPageToken") or token)
        if not answer.get("moreResult"):
            return


def when(row: Row) -> datetime:
    """An activity's `activityDate` (ISO 8601, `Z`)."""
    return datetime.fromisoformat(str(row["activityDate"]).replace("Z", "+00:00"))


def iso(moment: datetime) -> str:
    """ISO 8601 to the second, `Z`: how Marketo writes `activityDate` and takes `sinceDatetime`."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
