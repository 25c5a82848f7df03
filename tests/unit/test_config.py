"""Settings: parsed from the environment, errors that never echo secrets."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456789:AAH-secretsecretsecretsecret_xyz"


def test_defaults_use_an_sqlite_file(monkeypatch):
    monkeypatch.delenv("TIBS_BOT_TOKEN", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.bot_token is None
    assert settings.default_locale == "en"


def test_ids_from_comma_separated_env(monkeypatch):
    monkeypatch.setenv("TIBS_ADMIN_IDS", "11, 22;33")
    monkeypatch.setenv("TIBS_BROKER_IDS", "[44,55]")
    settings = load_settings(_env_file=None)
    assert settings.admin_ids == [11, 22, 33]
    assert settings.broker_ids == [44, 55]


def test_token_is_secret(monkeypatch):
    monkeypatch.setenv("TIBS_BOT_TOKEN", TOKEN)
    settings = load_settings(_env_file=None)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())


@pytest.mark.parametrize("bad", ["abc", "123:short", "notdigits:" + "x" * 30, TOKEN + " extra"])
def test_invalid_token_error_does_not_contain_it(monkeypatch, bad):
    monkeypatch.setenv("TIBS_BOT_TOKEN", bad)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert "TIBS_BOT_TOKEN" in str(caught.value)
    assert bad not in str(caught.value)


def test_invalid_locale_is_reported(monkeypatch):
    monkeypatch.setenv("TIBS_DEFAULT_LOCALE", "xx")
    with pytest.raises(ConfigError, match="TIBS_DEFAULT_LOCALE"):
        load_settings(_env_file=None)
