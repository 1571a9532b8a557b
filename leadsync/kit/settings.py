"""A CRM's `[crm.<name>]` options, validated: the fields every adapter shares, and one error for all.

An adapter's settings subclass `CrmSettings`, declaring their page size and attempts (bounds
differ per API) and their own fields. `settings_of` lists every bad key as `crm.<name>.<key>`
and never shows a value: pydantic's own text echoes the input, secrets included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from leadsync.adapter_api import AdapterError

__all__ = ["CrmSettings", "Seconds", "SettingsError", "Share", "settings_of"]

Seconds = Annotated[float, Field(gt=0)]
"""A duration in seconds, above zero."""

Share = Annotated[float, Field(gt=0, le=1)]
"""The part of a CRM's allowance leadsync may use: above zero, at most all of it."""

S = TypeVar("S", bound="CrmSettings")


class SettingsError(AdapterError):
    """A CRM's options are invalid; every problem is listed by key, no value shown."""


class CrmSettings(BaseModel):
    """Options every adapter has: unknown keys refused, values frozen, the call timeouts."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    page_size: int
    attempts: int
    budget_share: Share = 1.0
    timeout_s: Seconds = 30.0
    connect_timeout_s: Seconds = 10.0  # leadsync passes `[crm.<name>] connect_timeout_s`
    max_in_flight: int = Field(4, ge=1, le=25)
    """Calls sent to the CRM at once (independent batches, the streams of a cycle); an API with a
    documented cap on concurrent calls bounds it in its adapter's settings."""

    def share_of(self, calls: int) -> int:
        """This adapter's part of a CRM limit of `calls` (per window): its `budget_share`, at least one."""
        return max(1, int(calls * self.budget_share))


def settings_of(model: type[S], crm: str, options: Mapping[str, Any]) -> S:
    """Validated settings, or one SettingsError listing every bad key as `crm.<name>.<key>`.

    The config masks every credential-named option as a `SecretStr`; a field that is no
    secret (a token URL) takes its text.
    """
    secrets = _secret_keys(model)
    plain = {
        key: value.get_secret_value() if isinstance(value, SecretStr) and key not in secrets else value
        for key, value in options.items()
    }
    try:
        return model.model_validate(plain)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, ('crm', crm, *error['loc'])))}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors(include_input=False, include_url=False)
        )
        raise SettingsError(f"the settings of crm.{crm} are invalid: {problems}") from None


def _secret_keys(model: type[CrmSettings]) -> frozenset[str]:
    return frozenset(
        key
        for name, field in model.model_fields.items()
        if field.annotation is SecretStr or SecretStr in get_args(field.annotation)
        for key in (name, field.alias)
        if key
    )
