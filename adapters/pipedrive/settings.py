"""`[crm.<name>]` for Pipedrive: the company domain and API token, or an OAuth app's refresh token; the
plan and seats the budget follows."""

from __future__ import annotations

from datetime import timedelta
from typing import Final, Literal

from pydantic import Field, SecretStr, model_validator

from leadsync import kit

__all__ = ["BURST", "MULTIPLIERS", "PipedriveSettings"]

Plan = Literal[
    "lite", "growth", "premium", "ultimate", "essential", "advanced", "professional", "power", "enterprise"
]
# The daily budget's plan multiplier (pipedrive.readme.io/docs/core-api-concepts-rate-limiting):
# 30,000 tokens x multiplier x seats (+ top-ups), legacy plans listed after the current ones.
MULTIPLIERS: Final = {
    "lite": 1, "growth": 2, "premium": 5, "ultimate": 7,
    "essential": 1, "advanced": 2, "professional": 3, "power": 5, "enterprise": 7,
}  # fmt: skip
# Calls per rolling 2-second window for an API token, per plan (same page; legacy plans by tier).
BURST: Final = {
    "lite": 20, "growth": 40, "premium": 100, "ultimate": 120,
    "essential": 20, "advanced": 40, "professional": 80, "power": 100, "enterprise": 120,
}  # fmt: skip


class PipedriveSettings(kit.CrmSettings):
    """Where the company answers (`https://<company>.pipedrive.com`) and its API token, or an OAuth
    app's client and refresh token (the company's URL is then the token answer's `api_domain`)."""

    base_url: str | None = None
    api_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    # developers.pipedrive.com/docs/api/v1/Oauth
    token_url: str = "https://oauth.pipedrive.com/oauth/token"  # noqa: S105 - a URL, not a secret
    plan: Plan = "lite"
    seats: int = Field(1, ge=1)
    top_up_tokens: int = Field(0, ge=0)
    page_size: int = Field(500, ge=1, le=500)  # GET /api/v2/persons: limit ≤ 500
    attempts: int = Field(4, ge=1, le=10)
    # The burst window counts calls as they arrive: calls in flight together arrive in any order,
    # and one more than the window holds gets a 429 (and a second try). One at a time by default.
    max_in_flight: int = Field(1, ge=1, le=25)
    lookback: timedelta = timedelta(seconds=2)  # stamps are whole seconds: re-read the last one

    @model_validator(mode="after")
    def _one_auth(self) -> PipedriveSettings:
        oauth = (self.client_id, self.client_secret, self.refresh_token)
        if self.api_token is not None:
            if self.base_url is None:
                raise ValueError(
                    "an api_token also needs base_url, the company's https://<company>.pipedrive.com"
                )
        elif any(value is None for value in oauth):
            raise ValueError(
                "no credentials: give base_url + api_token, or an OAuth app's client_id + client_secret + "
                "refresh_token"
            )
        return self

    @property
    def oauth(self) -> bool:
        """Whether leadsync calls as an OAuth app (a Bearer access token) rather than with an API token."""
        return self.api_token is None

    def burst(self) -> int:
        """Calls per 2-second window: an OAuth app gets 4 times an API token's (rate-limiting page)."""
        return BURST[self.plan] * (4 if self.oauth else 1)

    def daily_tokens(self) -> int:
        """The company's daily token budget: 30,000 x plan multiplier x seats, plus top-ups."""
        return 30_000 * MULTIPLIERS[self.plan] * self.seats + self.top_up_tokens
