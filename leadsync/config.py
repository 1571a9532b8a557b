"""Typed configuration: one TOML file, every value overridable by `LEADSYNC_*` variables.

`load_config` reports every problem at once, each with its TOML path and a fix, and never
shows a value: pydantic's messages are rebuilt without input, secrets are `SecretStr`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from leadsync.config_problems import problems_from
from leadsync.crontab import cron_trigger
from leadsync.exceptions import ConfigError
from leadsync.mapping.write import MANAGED
from leadsync.problems import Problem
from leadsync.redact import is_secret_key
from leadsync.toml_input import read_toml

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "CrmSettings",
    "DefinitionsSettings",
    "GuardSettings",
    "Settings",
    "SyncSettings",
    "WebSettings",
    "load_config",
]

CONFIG_ENV: Final = "LEADSYNC_CONFIG"
DEFAULT_CONFIG: Final = Path("leadsync.toml")
_ENV_PREFIX: Final = "LEADSYNC_"
_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")
_LONGEST_S = 366 * 86_400
_SHORTEST_TOKEN: Final = 16
_CRM_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        match = _DURATION.match(value) if isinstance(value, str) and value.strip() else None
        if match is None:
            raise PydanticCustomError(
                "duration",
                "is not a duration",
                {"hint": 'write a number with units, e.g. "90s", "15m", "1h30m" or "1d"'},
            )
        days, hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs
    if seconds <= 0:
        raise PydanticCustomError("duration", "must be longer than zero", {"hint": 'e.g. "15m"'})
    if seconds > _LONGEST_S:
        raise PydanticCustomError("duration", "is longer than a year", {"hint": 'e.g. "15m" or "1d"'})
    return timedelta(seconds=seconds)


def _database_url(value: object) -> URL:
    if isinstance(value, URL):
        return value
    try:
        return make_url(str(value))
    except ArgumentError:
        raise PydanticCustomError(
            "database_url",
            "is not a database URL",
            {"hint": 'use "sqlite:///./leadsync.db" or "postgresql+psycopg://user@host/db"'},
        ) from None


Duration = Annotated[timedelta, BeforeValidator(_duration)]
DatabaseUrl = Annotated[URL, BeforeValidator(_database_url)]


class SyncSettings(BaseModel):
    """`[sync]`: when cycles run and where state is kept."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    interval: Duration = Field(
        default=timedelta(minutes=15),
        description='time between two cycles, e.g. "15m" or "1h" (or give `cron` instead)',
    )
    cron: str | None = Field(
        default=None,
        description='a crontab line such as "*/15 * * * *", read in `timezone`; replaces interval',
    )
    timezone: str = Field(default="UTC", description='an IANA zone name such as "UTC" or "Europe/Paris"')
    state_url: DatabaseUrl = Field(
        default=make_url("sqlite:///./leadsync.db"),
        description='the state store: "sqlite:///./leadsync.db" or "postgresql+psycopg://user@host/db"',
    )
    dry_run: bool = Field(
        default=False, description="true or false (true computes and reports changes but writes nothing)"
    )
    pipeline: str = Field(
        default="default",
        min_length=1,
        max_length=128,
        description="this pipeline's name: one runner at a time holds its lease on the state store",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "timezone", "is not a known time zone", {"hint": 'use an IANA name such as "Europe/Paris"'}
            ) from None
        return value

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                cron_trigger(value, "UTC")
            except ValueError as exc:
                raise PydanticCustomError(
                    "cron",
                    "is not a crontab line ({reason})",
                    {
                        "reason": str(exc),
                        "hint": 'five fields: minute hour day month weekday, e.g. "0 * * * *"',
                    },
                ) from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> SyncSettings:
        if self.cron is not None and "interval" in self.model_fields_set:
            raise PydanticCustomError(
                "schedule", "both interval and cron are set", {"hint": "keep one of them"}
            )
        return self


class GuardSettings(BaseModel):
    """`[guard]`: what stops a run from rewriting too much, and the shadow mode for roll-outs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_changes: int = Field(
        default=1000,
        ge=0,
        description="most known records whose stage or owner one run may change (0: no limit)",
    )
    max_share: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="largest share (0 to 1) of those records one run may change (0: no limit)",
    )
    shadow: bool = Field(
        default=False,
        description="true or false (true computes and audits every change but writes nothing to any CRM)",
    )


class DefinitionsSettings(BaseModel):
    """`[definitions]`: the shared funnel, scoring and owner rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path | None = Field(
        default=None,
        description="the definitions file, e.g. mappings/definitions.toml (omit it for the shipped default)",
    )


class WebSettings(BaseModel):
    """`[web]`: where `leadsync serve` listens, and the bearer token it requires off loopback."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description='the address to listen on, e.g. "127.0.0.1" (any other address needs `token`)',
    )
    port: int = Field(default=8080, ge=1, le=65535, description="the TCP port, 1 to 65535, e.g. 8080")
    token: SecretStr | None = Field(
        default=None,
        description="the bearer token clients send (16 characters or more; keep it in LEADSYNC_WEB__TOKEN)",
    )

    @field_validator("token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < _SHORTEST_TOKEN:
            raise PydanticCustomError(
                "token",
                "is shorter than {shortest} characters",
                {
                    "shortest": _SHORTEST_TOKEN,
                    "hint": "generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
                },
            )
        return value


class CrmSettings(BaseModel):
    """`[crm.<name>]`: one CRM connection; keys beyond these belong to its adapter.

    Any key whose name says it holds a credential (password, token, secret, key, session id)
    becomes a `SecretStr`, so it is masked in every repr, log line and error.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    adapter: str = Field(
        description='the adapter for this CRM, e.g. adapter = "salesforce" or adapter = "hubspot"',
    )
    enabled: bool = Field(
        default=True, description="true or false (false keeps the section but skips this CRM)"
    )
    mapping: Path | None = Field(
        default=None,
        description="the field mapping file, e.g. mappings/salesforce.toml (omit it: the adapter's default)",
    )

    write: bool = Field(
        default=True, description="true or false (false reads this CRM but never writes to it)"
    )
    write_fields: tuple[str, ...] | None = Field(
        default=None,
        description=f"the managed values leadsync may write here, some of: {', '.join(MANAGED)} (omit: all)",
    )

    @field_validator("write_fields")
    @classmethod
    def _known_managed(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = sorted(set(value or ()) - set(MANAGED))
        if unknown:
            raise PydanticCustomError(
                "managed_value",
                "names values leadsync does not manage: {unknown}",
                {"unknown": ", ".join(unknown), "hint": f"use some of: {', '.join(MANAGED)}"},
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _mask_credentials(cls, data: object) -> object:
        return _masked(data) if isinstance(data, Mapping) else data

    @property
    def options(self) -> dict[str, Any]:
        """The adapter-specific keys of this section (credentials as `SecretStr`)."""
        return dict(self.model_extra or {})


class Settings(BaseSettings):
    """The whole configuration, after the TOML file and `LEADSYNC_*` overrides are merged."""

    model_config = SettingsConfigDict(
        env_prefix=_ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )
    sections: ClassVar[tuple[str, ...]] = ("sync", "guard", "definitions", "web", "crm")

    sync: SyncSettings = Field(default_factory=SyncSettings, description="the [sync] table")
    guard: GuardSettings = Field(default_factory=GuardSettings, description="the [guard] table")
    definitions: DefinitionsSettings = Field(
        default_factory=DefinitionsSettings, description="the [definitions] table"
    )
    web: WebSettings = Field(default_factory=WebSettings, description="the [web] table")
    crm: dict[str, CrmSettings] = Field(default_factory=dict, description="one [crm.<name>] table per CRM")
    _file: Path = PrivateAttr(default=DEFAULT_CONFIG)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment variables win over the TOML file, which is passed as init values."""
        return (env_settings, init_settings)

    @property
    def file(self) -> Path:
        """The TOML file these settings were loaded from."""
        return self._file

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative to the config file's folder unless absolute."""
        return path if path.is_absolute() else self._file.parent / path

    def enabled_crms(self) -> dict[str, CrmSettings]:
        """The configured CRMs that are switched on, by name."""
        return {name: crm for name, crm in self.crm.items() if crm.enabled}


def _masked(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with every credential-named scalar as a SecretStr, nested tables included."""
    masked: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            masked[key] = _masked(value)
        elif is_secret_key(str(key)) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            masked[key] = SecretStr(str(value))
        else:
            masked[key] = value
    return masked


def config_path(explicit: Path | None) -> Path:
    """The config file to use: `--config`, else `$LEADSYNC_CONFIG`, else ./leadsync.toml."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(CONFIG_ENV)
    return Path(from_env) if from_env else DEFAULT_CONFIG


def load_config(path: Path | None = None) -> Settings:
    """Read, merge and validate the configuration; raise ConfigError listing every problem."""
    file = config_path(path)
    shown = str(file)
    raw = read_toml(
        file,
        missing_hint=f"copy config.example.toml to {DEFAULT_CONFIG}, or give --config FILE or {CONFIG_ENV}",
    )
    problems: list[Problem] = []
    settings: Settings | None = None
    try:
        settings = Settings(**raw)
    except ValidationError as exc:
        problems += problems_from(exc, shown, Settings, env_prefix=_ENV_PREFIX)
    except SettingsError as exc:
        problems.append(
            Problem("environment", "", str(exc), f"check the {_ENV_PREFIX}* variables named in the message")
        )
    # CRM names from the merged settings: an environment variable can introduce one too.
    problems = _crm_name_problems(shown, settings.crm if settings else raw.get("crm")) + problems
    if problems or settings is None:
        raise ConfigError(problems)
    settings._file = file  # noqa: SLF001 - set once, right after validation
    return settings


def _crm_name_problems(file: str, crms: object) -> list[Problem]:
    if not isinstance(crms, Mapping):
        return []
    return [
        Problem(
            file,
            f"crm.{name}",
            "a CRM name must be lower-case letters, digits, '-' or '_', starting with a letter",
            "rename the table, e.g. [crm.salesforce] or [crm.hubspot-eu]; records keep this name",
        )
        for name in crms
        if not _CRM_NAME.match(str(name))
    ]
