"""`[crm.<name>]` for Marketo Engage: the instance's REST host and an API-only user's custom service."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr

from leadsync import kit

__all__ = ["MarketoSettings"]


class MarketoSettings(kit.CrmSettings):
    """Where the instance answers (`https://<munchkin>.mktorest.com`, Admin → Web Services → REST API)
    and the custom service's client id and secret (Admin → LaunchPoint → View Details)."""

    base_url: str
    client_id: str
    client_secret: SecretStr
    page_size: int = Field(300, ge=1, le=300)  # batchSize ≤ 300; ≤ 300 filterValues or input records
    attempts: int = Field(4, ge=1, le=10)
    max_in_flight: int = Field(10, ge=1, le=10)  # "10 concurrent API calls" (615 past them)
    daily_calls: int = Field(50_000, ge=1)  # the subscription's daily quota (50,000 for most)
    # A change saved late shows with an earlier activityDate but a later activity id: reading back
    # this far from the cursor's stamp and skipping ids already read finds it.
    lookback: timedelta = timedelta(minutes=5)
    # The activity types read, by name (`GET /rest/v1/activities/types.json`; ids differ between
    # subscriptions): the mapping's rules type them.
    activity_types: tuple[str, ...] = (
        "Visit Webpage", "Fill Out Form", "Click Email", "Open Email", "Unsubscribe Email",
        "Interesting Moment", "Change Status in Progression",
    )  # fmt: skip
    renew_before_s: float = Field(60.0, ge=0)  # a token this close to expiry is waited out, then renewed
