"""`[crm.<name>]` for Pipedrive: the company domain, the API token, the plan and seats the budget follows."""

from __future__ import annotations

from datetime import timedelta
from typing import Final, Literal

from pydantic import Field, SecretStr

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
    """Where the company answers (`https://<company>.pipedrive.com`), its API token, its plan."""

    base_url: str
    api_token: SecretStr
    plan: Plan = "lite"
    seats: int = Field(1, ge=1)
    top_up_tokens: int = Field(0, ge=0)
    page_size: int = Field(500, ge=1, le=500)  # GET /api/v2/persons: limit ≤ 500
    attempts: int = Field(4, ge=1, le=10)
    lookback: timedelta = timedelta(seconds=2)  # stamps are whole seconds: re-read the last one

    def daily_tokens(self) -> int:
        """The company's daily token budget: 30,000 x plan multiplier x seats, plus top-ups."""
        return 30_000 * MULTIPLIERS[self.plan] * self.seats + self.top_up_tokens
