"""Typed configuration: one TOML file, every value overridable by `LEADSYNC_*` variables.

`load_config` reports every problem at once, each with its TOML path and a fix, and never
shows a value: pydantic's messages are rebuilt without input, secrets are `SecretStr`.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
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
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from leadsync.config_problems import problems_from
from leadsync.config_values import crm_value_problems, placeholder_problems
from leadsync.crontab import cron_trigger
from leadsync.exceptions import ConfigError
from leadsync.mapping.write import MANAGED
from leadsync.problems import Problem
from leadsync.redact import is_secret_key
from leadsync.systems_of_record import NativeSync, only_managed
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
    "crms_alone",
    "load_config",
    "unset_credentials",
]

CONFIG_ENV: Final = "LEADSYNC_CONFIG"
DEFAULT_CONFIG: Final = Path("leadsync.toml")
_ENV_PREFIX: Final = "LEADSYNC_"
_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")
_LONGEST_S = 366 * 86_400
_SHORTEST_TOKEN: Final = 16
_CRM_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_STATE_BACKENDS: Final = frozenset({"sqlite", "postgresql"})


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
    hint = 'use "sqlite:///./leadsync.db" or "postgresql+psycopg://user@host/db"'
    if not isinstance(value, str):
        raise PydanticCustomError("database_url", "is not text", {"hint": hint})
    try:
        url = make_url(value)
    except ArgumentError:
        raise PydanticCustomError("database_url", "is not a database URL", {"hint": hint}) from None
    if url.get_backend_name() not in _STATE_BACKENDS:
        raise PydanticCustomError(
            "database_url",
            "uses {backend}, but the state store is SQLite or PostgreSQL",
            {"backend": url.get_backend_name(), "hint": hint},
        )
    return url


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


_HOST_NAME = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def _host_header_name(value: str) -> str:
    """`value` as a `Host` header names it (lower case, IPv6 in brackets); an error otherwise."""
    name = value.strip().lower()
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        if _HOST_NAME.match(name):
            return name
        raise PydanticCustomError(
            "host_name",
            "is not a host name or IP address",
            {"hint": 'give a name or address without scheme or port: "dash.example.com", "*.example.com"'},
        ) from None
    return f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)


class WebSettings(BaseModel):
    """`[web]`: where `leadsync serve` listens, the bearer token it requires off loopback, and the
    host names it answers to."""

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
    allowed_hosts: tuple[Annotated[str, AfterValidator(_host_header_name)], ...] = Field(
        default=(),
        description='names clients reach the dashboard by, beyond localhost, e.g. ["dash.example.com"]',
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
    connect_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="seconds to wait for a connection to this CRM before saying it is unreachable, e.g. 10",
    )

    @field_validator("write_fields")
    @classmethod
    def _known_managed(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        only_managed(value or ())
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
    native_sync: tuple[NativeSync, ...] = Field(
        default=(), description="one [[native_sync]] table per vendor sync already joining two CRMs"
    )
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
        return (_Environment(settings_cls), init_settings)

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


class _Environment(EnvSettingsSource):
    """The `LEADSYNC_*` variables; a credential is taken verbatim, never decoded as JSON
    (LEADSYNC_CRM__X__PASSWORD=00123 is the text "00123", not the number 123)."""

    def decode_complex_value(self, field_name: str, field: FieldInfo | None, value: Any) -> Any:  # noqa: ANN401 - a variable decodes to any JSON value
        if field is None and is_secret_key(field_name):
            return value
        return super().decode_complex_value(field_name, field, value)  # type: ignore[arg-type]  # None: an extra key


def _values(file: Path) -> dict[str, Any]:
    """The file's values with the environment's over them; {} when it cannot be read (load_config says)."""
    try:
        return _with_environment(read_toml(file, missing_hint=""))
    except ConfigError:
        return {}


def _with_environment(values: Mapping[str, Any]) -> dict[str, Any]:
    """The TOML values with the `LEADSYNC_*` variables' over them, before validation or masking."""
    try:
        return _overlaid(values, _Environment(Settings)())
    except SettingsError:
        return dict(values)  # `load_config` names the variable that cannot be decoded


def _overlaid(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            merged[key] = _overlaid(below, value)
        else:
            merged[key] = value
    return merged


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
    problems += crm_value_problems(shown, _with_environment(raw), env_prefix=_ENV_PREFIX)
    if settings is not None:
        problems += _native_sync_problems(shown, settings)
    if problems or settings is None:
        raise ConfigError(problems)
    settings._file = file  # noqa: SLF001 - set once, right after validation
    return settings


def unset_credentials(path: Path | None = None) -> list[Problem]:
    """Credentials the file or environment still give as a template's placeholder, each with the
    variable to set. `load_config` accepts them, so the shipped template loads; `check` reports them."""
    file = config_path(path)
    return placeholder_problems(str(file), _values(file), env_prefix=_ENV_PREFIX)


def crms_alone(path: Path | None = None) -> Settings:
    """Settings holding only the `[crm.*]` tables that are valid on their own, defaults elsewhere:
    the adapter settings of an invalid config's CRMs can still be checked."""
    file = config_path(path)
    tables = _values(file).get("crm")
    crms = {}
    for name, table in tables.items() if isinstance(tables, Mapping) else ():
        try:
            crms[str(name)] = CrmSettings.model_validate(table)
        except ValidationError:
            continue  # `load_config` lists its problems
    settings = Settings.model_construct(crm=crms)
    settings._file = file  # noqa: SLF001 - as in load_config
    return settings


def _native_sync_problems(file: str, settings: Settings) -> list[Problem]:
    """A native sync must join two configured CRMs, and each pair once."""
    problems = []
    seen: set[frozenset[str]] = set()
    for number, sync in enumerate(settings.native_sync, start=1):
        key = f"native_sync[{number}].between"
        unknown = [name for name in sync.between if name not in settings.crm]
        if unknown:
            problems.append(
                Problem(
                    file,
                    key,
                    f"names {', '.join(map(repr, unknown))}, which has no [crm.<name>] table",
                    f"use the names of two [crm.*] tables: {', '.join(sorted(settings.crm)) or 'none yet'}",
                )
            )
        if frozenset(sync.between) in seen:
            problems.append(
                Problem(
                    file, key, "joins the same CRMs as an earlier [[native_sync]]", "merge the two tables"
                )
            )
        seen.add(frozenset(sync.between))
    return problems


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
