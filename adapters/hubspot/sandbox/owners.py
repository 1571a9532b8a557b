"""CRM owners (`/crm/v3/owners`): the seeded sales users, the one who left archived."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from leadsync.testing.seed import SeedOwner

from .errors import invalid_input
from .paging import cursor, offset_of
from .stamps import iso_ms, ms_of

__all__ = ["owner_records", "owners_page"]

_TEAMS = (("41001", "Sales EMEA"), ("41002", "Sales Americas"))
_MAX_LIMIT = 500


def owner_records(owners: Sequence[SeedOwner], *, now: datetime) -> list[dict[str, Any]]:
    """Owners as the owners API returns them; `id` is what `hubspot_owner_id` holds, `userId` the login."""
    records = []
    for i, owner in enumerate(owners):
        created = ms_of(now - timedelta(days=700 - 30 * i))
        team_id, team = _TEAMS[i % len(_TEAMS)]
        records.append(
            {
                "id": str(70_000_101 + 1_117 * i),
                "email": owner.email,
                "type": "PERSON",
                "firstName": owner.first_name,
                "lastName": owner.last_name,
                "userId": 9_100_001 + i,
                "userIdIncludingInactive": 9_100_001 + i,
                "createdAt": iso_ms(created),
                "updatedAt": iso_ms(created if owner.active else ms_of(now - timedelta(days=40))),
                "archived": not owner.active,
                "teams": [{"id": team_id, "name": team, "primary": True}],
            }
        )
    return records


def owners_page(
    owners: Sequence[Mapping[str, Any]], args: Mapping[str, str], *, base_url: str
) -> dict[str, Any]:
    """One page of `GET /crm/v3/owners` for query `args` (limit, after, email, archived)."""
    archived = args.get("archived", "false").lower() == "true"
    email = args.get("email", "").strip().lower()
    try:
        limit = int(args.get("limit", "100"))
    except ValueError:
        raise invalid_input(f"limit must be a whole number, got {args.get('limit')!r}") from None
    if not 1 <= limit <= _MAX_LIMIT:
        raise invalid_input(f"limit must be between 1 and {_MAX_LIMIT}, got {limit}")
    chosen = [o for o in owners if o["archived"] == archived and (not email or o["email"].lower() == email)]
    start = offset_of(args.get("after"))
    answer: dict[str, Any] = {"results": chosen[start : start + limit]}
    if start + limit < len(chosen):
        after = cursor(start + limit)
        answer["paging"] = {"next": {"after": after, "link": f"{base_url}/crm/v3/owners/?after={after}"}}
    return answer
