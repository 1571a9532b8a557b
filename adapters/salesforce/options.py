"""The Salesforce adapter's settings (`[crm.<name>]`) on the kit's shared settings."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator

from leadsync.kit import CrmSettings, SettingsError, Share, settings_of

__all__ = ["AuthMode", "SalesforceOptions", "SalesforceOptionsError", "parse_options"]

SalesforceOptionsError = SettingsError
"""The `[crm.<name>]` settings of a Salesforce CRM are invalid; every problem is listed."""


class AuthMode(StrEnum):
    """How the adapter gets a session."""

    SESSION = "session"  # instance_url + session_id (the sandbox's settings)
    CLIENT_CREDENTIALS = "client_credentials"  # token_url + client_id + client_secret
    PASSWORD = "password"  # noqa: S105 - a mode name, not a password; username + password + security_token (+ domain)
    JWT = "jwt"  # consumer_key + username + private_key_file (+ domain)


class SalesforceOptions(CrmSettings):
    """Connection, auth and tuning settings; exactly one auth mode must be complete."""

    instance_url: str | None = None
    session_id: SecretStr | None = Field(default=None, alias="access_token")
    ca_bundle: Path | None = None
    api_version: str = Field(default="59.0", pattern=r"^\d{2}\.0$")
    token_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    security_token: SecretStr | None = None
    domain: str = "login"
    consumer_key: str | None = None
    private_key_file: Path | None = None
    page_size: int = Field(default=2000, ge=200, le=2000)
    write_batch_size: int = Field(default=200, ge=1, le=200)
    # Calls shorter than 20 s are not capped; 25 longer ones may run at once (5 on Developer
    # Edition and trial orgs): API Request Limits and Allocations, Limits Quick Reference Guide.
    max_in_flight: int = Field(default=5, ge=1, le=25)
    # False sends `Sforce-Auto-Assign: FALSE`: the org's lead assignment rule would re-route
    # every lead leadsync updates, fighting its owner rules (REST API guide, Assignment Rule Header).
    run_assignment_rules: bool = False
    # SystemModstamp is taken when a transaction starts, so a long one commits records stamped
    # before what a read already passed: each read looks back this far (api-notes, 2026-12).
    lookback_s: float = Field(default=300.0, ge=0, alias="overlap_s")
    # Leave out of incremental people reads the records whose last change is the integration
    # user's own (`LastModifiedById`): only when that user is dedicated to leadsync (`own_echoes`).
    skip_own_echoes: bool = False
    budget_share: Share = 0.9
    attempts: int = Field(default=4, ge=1, le=10)
    backoff_s: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _one_auth_mode(self) -> SalesforceOptions:
        self.mode()
        return self

    def mode(self) -> AuthMode:
        """The auth mode these settings name; a ValueError says what is missing."""
        if self.session_id is not None:
            _require(self, AuthMode.SESSION, "instance_url")
            return AuthMode.SESSION
        if self.client_secret is not None or self.token_url is not None:
            _require(self, AuthMode.CLIENT_CREDENTIALS, "token_url", "client_id", "client_secret")
            return AuthMode.CLIENT_CREDENTIALS
        if self.consumer_key is not None or self.private_key_file is not None:
            _require(self, AuthMode.JWT, "consumer_key", "username", "private_key_file")
            return AuthMode.JWT
        if self.username is not None or self.password is not None:
            _require(self, AuthMode.PASSWORD, "username", "password", "security_token")
            return AuthMode.PASSWORD
        raise ValueError(
            "no credentials: give instance_url + session_id, token_url + client_id + client_secret, "
            "username + password + security_token, or consumer_key + username + private_key_file"
        )


def _require(options: SalesforceOptions, mode: AuthMode, *names: str) -> None:
    missing = [name for name in names if getattr(options, name) is None]
    if missing:
        raise ValueError(f"auth mode {mode.value!r} also needs {', '.join(missing)}")


def parse_options(crm: str, raw: Mapping[str, Any]) -> SalesforceOptions:
    """Validated settings; one SalesforceOptionsError listing every problem by `crm.<name>.<key>`."""
    return settings_of(SalesforceOptions, crm, raw)
