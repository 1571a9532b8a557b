"""The subscriptions API's "unsubscribe from all e-mail" (v4 and its date-versioned successors).

Shapes from HubSpot's public OpenAPI spec, Communication Preferences / Subscriptions
(HubSpot/HubSpot-public-api-spec-collection @ 9989379, `Rollouts/176901/v4/subscriptions.json`,
same paths under `2025-09`, `2026-03`): `POST /communication-preferences/v4/statuses/
{subscriberIdString}/unsubscribe-all?channel=EMAIL`, no body; `subscriberIdString` is the
contact's e-mail address; `channel` is required and only `EMAIL` is valid. 200 with
`ActionResponseWithResultsPublicStatus` (`status`, `results`, `startedAt`, `completedAt`);
`results` is empty unless `verbose=true` (API reference page of the operation). The status
belongs to the address: every contact with it reads `hs_email_optout` "true" afterwards.
"""

from __future__ import annotations

from typing import Any, Final

from .errors import invalid_input
from .stamps import iso_ms
from .store import HubSpotStore

__all__ = ["unsubscribe_all"]

_CHANNELS: Final = ("EMAIL",)
_SUBSCRIPTION_ID: Final = 1  # the sandbox portal's one subscription type, "Marketing Information"


def unsubscribe_all(store: HubSpotStore, email: str, args: dict[str, str]) -> dict[str, Any]:
    """Opt `email` out of all e-mail; the answer HubSpot gives (with statuses when verbose)."""
    channel = args.get("channel")
    if channel not in _CHANNELS:
        raise invalid_input(
            f"Invalid value for query parameter 'channel': {channel!r}; must be one of {list(_CHANNELS)}"
        )
    started = iso_ms(store.now_ms())
    changed = store.unsubscribe_all(email)
    done = iso_ms(store.now_ms())
    results = []
    if args.get("verbose", "").lower() == "true":
        results.append({
            "channel": "EMAIL", "source": "Public API", "status": "UNSUBSCRIBED",
            "subscriberIdString": email, "subscriptionId": _SUBSCRIPTION_ID,
            "subscriptionName": "Marketing Information", "timestamp": done,
            "setStatusSuccessReason": "UNSUBSCRIBE_FROM_ALL_OCCURRED" if changed else "NO_STATUS_CHANGE",
        })  # fmt: skip
    return {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": done}
