"""Every setting comes from the environment (``WAYSTATION_*``) with a safe default.

The table of settings in README.md is generated from ``SETTINGS`` by a test that
checks the two agree, so add a setting here and the README will tell you to document it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

PLACEHOLDER_SECRET: Final = "change-me-in-production"


class SettingsError(ValueError):
    """A setting holds a value the service cannot run with."""


@dataclass(frozen=True, slots=True)
class SettingDoc:
    name: str
    default: str
    help: str


SETTINGS: Final[tuple[SettingDoc, ...]] = (
    SettingDoc(
        "WAYSTATION_ENV",
        "development",
        "`development` or `production`; production refuses placeholder secrets.",
    ),
    SettingDoc(
        "WAYSTATION_DATABASE_URL",
        "sqlite://./waystation.sqlite3",
        "Database: `sqlite://PATH` or `postgres://user:pass@host:5432/db`.",
    ),
    SettingDoc(
        "WAYSTATION_SECRET_KEY",
        PLACEHOLDER_SECRET,
        "Server secret for signing; production refuses the placeholder and anything under 32 characters.",
    ),
    SettingDoc("WAYSTATION_HOST", "127.0.0.1", "Address `waystation serve` listens on."),
    SettingDoc("WAYSTATION_PORT", "8000", "Port `waystation serve` listens on."),
    SettingDoc(
        "WAYSTATION_TELEGRAM_TOKEN", "", "Bot token from @BotFather; the bot is off when empty."
    ),
    SettingDoc(
        "WAYSTATION_DEFAULT_LANGUAGE",
        "vi",
        "Language for people who have not chosen one: `vi` or `en`.",
    ),
    SettingDoc("WAYSTATION_LOG_LEVEL", "INFO", "Python logging level."),
    SettingDoc(
        "WAYSTATION_PASSWORD", "", "Password for `waystation create-user` when it must not prompt."
    ),
)

_DEFAULTS: Final = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    env: str = "development"
    database_url: str = _DEFAULTS["WAYSTATION_DATABASE_URL"]
    secret_key: str = PLACEHOLDER_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    telegram_token: str = ""
    default_language: str = "vi"
    log_level: str = "INFO"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def bot_enabled(self) -> bool:
        return bool(self.telegram_token)


def _as_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment) and validate them."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return env.get(name, _DEFAULTS[name]).strip()

    settings = Settings(
        env=get("WAYSTATION_ENV"),
        database_url=get("WAYSTATION_DATABASE_URL"),
        secret_key=get("WAYSTATION_SECRET_KEY"),
        host=get("WAYSTATION_HOST"),
        port=_as_int("WAYSTATION_PORT", get("WAYSTATION_PORT")),
        telegram_token=get("WAYSTATION_TELEGRAM_TOKEN"),
        default_language=get("WAYSTATION_DEFAULT_LANGUAGE"),
        log_level=get("WAYSTATION_LOG_LEVEL").upper(),
    )
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    if settings.env not in {"development", "production"}:
        raise SettingsError(
            f"WAYSTATION_ENV must be development or production, got {settings.env!r}"
        )
    if settings.default_language not in {"vi", "en"}:
        raise SettingsError("WAYSTATION_DEFAULT_LANGUAGE must be vi or en")
    if not settings.database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise SettingsError("WAYSTATION_DATABASE_URL must start with sqlite:// or postgres://")
    if not 0 < settings.port < 65536:
        raise SettingsError("WAYSTATION_PORT must be between 1 and 65535")
    if settings.is_production and (
        settings.secret_key == PLACEHOLDER_SECRET or len(settings.secret_key) < 32
    ):
        raise SettingsError(
            "WAYSTATION_SECRET_KEY must be set to a random value of 32+ characters in production"
        )
