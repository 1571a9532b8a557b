"""The kit's settings: shared fields and bounds, and one error naming every bad key, never a value."""

from __future__ import annotations

import pytest
from pydantic import Field, SecretStr, ValidationError, model_validator

from leadsync.kit import CrmSettings, Seconds, SettingsError, settings_of


class ToySettings(CrmSettings):
    """A toy CRM's options: a secret under two names, a token URL, its own page size and attempts."""

    token: SecretStr | None = Field(default=None, alias="access_token")
    token_url: str = "https://toy.example/oauth/token"
    page_size: int = Field(100, ge=1, le=500)
    attempts: int = Field(3, ge=1, le=5)
    backoff_s: Seconds = 1.0

    @model_validator(mode="after")
    def _needs_a_token(self) -> ToySettings:
        if self.token is None:
            raise ValueError("give access_token")
        return self


def test_shared_fields_have_their_defaults_and_each_crm_its_own() -> None:
    settings = settings_of(ToySettings, "toy", {"access_token": "t0ken"})
    assert (settings.timeout_s, settings.connect_timeout_s, settings.budget_share) == (30.0, 10.0, 1.0)
    assert (settings.page_size, settings.attempts) == (100, 3)
    assert settings.token is not None
    assert settings.token.get_secret_value() == "t0ken"


def test_every_bad_key_is_listed_by_crm_and_key_without_its_value() -> None:
    options = {
        "access_token": "s3cr3t",
        "page_size": 9999,
        "budget_share": 0,
        "timeout_s": -1,
        "colour": "blue",
    }
    with pytest.raises(SettingsError) as raised:
        settings_of(ToySettings, "toy", options)
    text = str(raised.value)
    for key in ("page_size", "budget_share", "timeout_s", "colour"):
        assert f"crm.toy.{key}: " in text
    assert "s3cr3t" not in text
    assert "9999" not in text
    assert "blue" not in text
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_a_check_of_the_whole_is_named_by_the_crm_and_says_what_to_do() -> None:
    with pytest.raises(SettingsError, match=r"crm\.toy: give access_token") as raised:
        settings_of(ToySettings, "toy", {})
    assert "Value error" not in str(raised.value)


def test_a_masked_option_that_is_no_secret_is_read_as_its_text() -> None:
    # The config masks every credential-named option (a token URL too) as a SecretStr.
    options = {"access_token": SecretStr("t0ken"), "token_url": SecretStr("https://login.example/token")}
    settings = settings_of(ToySettings, "toy", options)
    assert settings.token_url == "https://login.example/token"
    assert isinstance(settings.token, SecretStr)
    assert "t0ken" not in repr(settings)


def test_settings_are_frozen() -> None:
    settings = settings_of(ToySettings, "toy", {"access_token": "t0ken"})
    with pytest.raises(ValidationError):
        settings.page_size = 5  # type: ignore[misc]


def test_an_adapters_share_of_a_limit_is_its_budget_share_and_at_least_one_call() -> None:
    half = settings_of(ToySettings, "toy", {"access_token": "t0ken", "budget_share": 0.5})
    assert (half.share_of(190), half.share_of(5), half.share_of(1)) == (95, 2, 1)
    assert settings_of(ToySettings, "toy", {"access_token": "t0ken"}).share_of(100) == 100
