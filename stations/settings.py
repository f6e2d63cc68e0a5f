"""Every setting comes from the environment (``WAYSTATION_*``) with a safe default.

The table of settings in README.md is generated from ``SETTINGS`` by a test that
checks the two agree, so add a setting here and the README will tell you to document it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
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
        "Signs session cookies and tokens. Must be set in production.",
    ),
    SettingDoc("WAYSTATION_HOST", "127.0.0.1", "Address `waystation serve` listens on."),
    SettingDoc("WAYSTATION_PORT", "8000", "Port `waystation serve` listens on."),
    SettingDoc(
        "WAYSTATION_PUBLIC_URL",
        "",
        "Public HTTPS base URL; when set, the bot uses a webhook at `/telegram/webhook`.",
    ),
    SettingDoc(
        "WAYSTATION_TELEGRAM_TOKEN", "", "Bot token from @BotFather; the bot is off when empty."
    ),
    SettingDoc(
        "WAYSTATION_TELEGRAM_API_URL",
        "https://api.telegram.org/bot",
        "Bot API base URL, for a self-hosted Bot API server.",
    ),
    SettingDoc(
        "WAYSTATION_WEBHOOK_SECRET",
        "",
        "Secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`; required with a public URL.",
    ),
    SettingDoc(
        "WAYSTATION_BOT_USERNAME", "", "The bot's @username, used in QR codes and invite links."
    ),
    SettingDoc(
        "WAYSTATION_COORDINATOR_CHAT_ID",
        "",
        "Telegram chat that receives coordinators' alerts and daily summaries.",
    ),
    SettingDoc(
        "WAYSTATION_DEFAULT_LANGUAGE",
        "vi",
        "Language for people who have not chosen one: `vi` or `en`.",
    ),
    SettingDoc(
        "WAYSTATION_SCHEDULER",
        "on",
        "`on` runs the scheduler inside `serve`; `off` when separate `waystation scheduler` replicas run.",
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
    public_url: str = ""
    telegram_token: str = ""
    telegram_api_url: str = _DEFAULTS["WAYSTATION_TELEGRAM_API_URL"]
    webhook_secret: str = ""
    bot_username: str = ""
    coordinator_chat_id: int | None = None
    default_language: str = "vi"
    scheduler_enabled: bool = True
    log_level: str = "INFO"
    extra: Mapping[str, str] = field(default_factory=dict)

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


def _as_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "on", "true", "yes"}:
        return True
    if value in {"0", "off", "false", "no"}:
        return False
    raise SettingsError(f"{name} must be on or off, got {raw!r}")


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
        public_url=get("WAYSTATION_PUBLIC_URL").rstrip("/"),
        telegram_token=get("WAYSTATION_TELEGRAM_TOKEN"),
        telegram_api_url=get("WAYSTATION_TELEGRAM_API_URL"),
        webhook_secret=get("WAYSTATION_WEBHOOK_SECRET"),
        bot_username=get("WAYSTATION_BOT_USERNAME").lstrip("@"),
        coordinator_chat_id=(
            _as_int("WAYSTATION_COORDINATOR_CHAT_ID", raw)
            if (raw := get("WAYSTATION_COORDINATOR_CHAT_ID"))
            else None
        ),
        default_language=get("WAYSTATION_DEFAULT_LANGUAGE"),
        scheduler_enabled=_as_bool("WAYSTATION_SCHEDULER", get("WAYSTATION_SCHEDULER")),
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
    if settings.public_url and not settings.public_url.startswith("https://"):
        raise SettingsError("WAYSTATION_PUBLIC_URL must be an https:// URL (Telegram requires it)")
    if settings.is_production:
        if settings.secret_key == PLACEHOLDER_SECRET or len(settings.secret_key) < 32:
            raise SettingsError(
                "WAYSTATION_SECRET_KEY must be set to a random value of 32+ characters in production"
            )
        if settings.public_url and not settings.webhook_secret:
            raise SettingsError("WAYSTATION_WEBHOOK_SECRET is required with WAYSTATION_PUBLIC_URL")
