"""Typed settings read from the environment (prefix ``TIBS_``) or a ``.env`` file.

Settings are built once by the composition root and passed down; nothing reads the
environment at import time. Errors are reported field by field without echoing values,
so a malformed token never reaches a terminal or a log.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Locale = Literal["en", "pl", "lv", "et", "lt", "fi", "de", "da"]
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "pl", "lv", "et", "lt", "fi", "de", "da")
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """Raised when settings are invalid; the message never contains secret values."""


def _parse_id_list(value: object) -> object:
    """Accept ``"1,2, 3"`` as well as JSON-ish lists for id settings."""
    if isinstance(value, str):
        value = value.strip().strip("[]")
        return [int(part) for part in re.split(r"[,\s;]+", value) if part]
    return value


class Settings(BaseSettings):
    """Everything the application can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="TIBS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = Field(default=None, description="Telegram bot token")
    bot_username: str | None = Field(default=None, description="for deep links and QR codes")
    database_url: str = Field(default="sqlite+aiosqlite:///var/tibs.sqlite3")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    broker_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_locale: Locale = "en"
    telegram_api_base: str | None = Field(
        default=None, description="Base URL of a local Bot API server (tests, self-hosted)"
    )
    kb_dir: Path = Path("var/kb")
    locales_dir: Path = Field(
        default_factory=lambda: Path(__file__).resolve().parent.parent / "locales"
    )
    webhook_url: str | None = Field(default=None, description="public HTTPS URL: webhook mode")
    webhook_secret: SecretStr | None = Field(default=None, description="32-256 chars [A-Za-z0-9_-]")
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    redis_url: str | None = Field(default=None, description="redis://... shares user locks")
    admin_chat_id: int | None = Field(default=None, description="fallback chat for leads")
    brokers_file: Path | None = Field(default=None, description="brokers JSON (default built-in)")
    lead_reminder_minutes: int = Field(default=24 * 60, ge=1)
    user_burst: int = Field(default=10, ge=1, description="actions a user may send at once")
    user_rate: float = Field(default=0.5, gt=0, description="actions per second refilled")
    erasure_salt: str = Field(default="tibs-erasure", min_length=8)
    log_level: str = "INFO"
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=1000)

    @field_validator("admin_ids", "broker_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        return _parse_id_list(value)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw in (None, ""):
            return None
        if not isinstance(raw, str) or not _TOKEN_RE.match(raw.strip()):
            raise ValueError("must look like <digits>:<secret> as issued by @BotFather")
        return raw.strip()


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into a value-free :class:`ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_input=False, include_url=False):
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            lines.append(f"TIBS_{field.upper()}: {error['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
