"""Every setting comes from the environment (``WAYSTATION_*``) with a safe default.

The table of settings in README.md is generated from ``SETTINGS`` by a test that
checks the two agree, so add a setting here and the README will tell you to document it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Final, NamedTuple

PLACEHOLDER_SECRET: Final = "change-me-in-production"


class SettingsError(ValueError):
    """A setting holds a value the service cannot run with."""


class SettingDoc(NamedTuple):
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
        "WAYSTATION_FORWARDED_ALLOW_IPS",
        "",
        "Addresses of reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed, comma-separated IPs or networks (`10.0.0.0/8`), or `*`; empty trusts no proxy, so nobody can choose the address sign-in limits count.",
    ),
    SettingDoc(
        "WAYSTATION_TELEGRAM_TOKEN", "", "Bot token from @BotFather; the bot is off when empty."
    ),
    SettingDoc(
        "WAYSTATION_DEFAULT_LANGUAGE",
        "vi",
        "Language for people who have not chosen one: `vi` or `en`.",
    ),
    SettingDoc(
        "WAYSTATION_TELEGRAM_API_URL",
        "https://api.telegram.org/bot",
        "Bot API base URL (the token is appended): Telegram's own, or a self-hosted Bot API server.",
    ),
    SettingDoc(
        "WAYSTATION_BOT_USERNAME",
        "",
        "The bot's @username without the @, for t.me links and QR codes; asked of Telegram (getMe) when empty and the bot runs.",
    ),
    SettingDoc(
        "WAYSTATION_PUBLIC_URL",
        "",
        "The service's public `https://` address; when set the bot takes updates by webhook at `/telegram/webhook`, otherwise by long polling. Session cookies are `Secure` when it is https.",
    ),
    SettingDoc(
        "WAYSTATION_WEBHOOK_SECRET",
        "",
        "Secret Telegram sends with every webhook call (`X-Telegram-Bot-Api-Secret-Token`); derived from the server secret when empty in development, required (16+ characters) with a public URL in production.",
    ),
    SettingDoc(
        "WAYSTATION_COORDINATOR_CHAT_ID",
        "",
        "Telegram chat id of the coordinators' group: no-show, low-stock and daily summary messages.",
    ),
    SettingDoc(
        "WAYSTATION_SCHEDULER",
        "on",
        "`on`: `waystation serve` also runs the scheduler; `off`: run it apart with `waystation scheduler`.",
    ),
    SettingDoc(
        "WAYSTATION_REMINDER_HOURS",
        "24,2",
        "How many hours before a shift its volunteers are reminded, comma-separated.",
    ),
    SettingDoc(
        "WAYSTATION_SEND_RATE",
        "30",
        "Messages per second the bot sends at most, all chats and replicas together (Telegram's limit is about 30).",
    ),
    SettingDoc(
        "WAYSTATION_BOT_REPLY_RESERVE",
        "5",
        "Messages per second of `WAYSTATION_SEND_RATE` kept for the bot's own replies: the outbox dispatchers, all replicas together, send at most the rest, so a volunteer's button is answered at once during a wave.",
    ),
    SettingDoc(
        "WAYSTATION_SEND_AHEAD_MINUTES",
        "30",
        "How many minutes before it is meant to arrive a message may be sent at the earliest: the dispatcher starts a wave of reminders early enough to deliver all of it in time, never earlier than this.",
    ),
    SettingDoc(
        "WAYSTATION_CHAT_INTERVAL",
        "1.0",
        "Seconds between two messages to one private chat (Telegram: about 1 per second).",
    ),
    SettingDoc(
        "WAYSTATION_GROUP_PER_MINUTE",
        "20",
        "Messages per minute to one group chat (Telegram: 20).",
    ),
    SettingDoc(
        "WAYSTATION_MAX_ATTEMPTS",
        "5",
        "Attempts before a message is marked failed and shown to coordinators.",
    ),
    SettingDoc("WAYSTATION_LOG_LEVEL", "INFO", "Python logging level."),
    SettingDoc(
        "WAYSTATION_LOG_FORMAT",
        "text",
        "`text`: one plain line per event; `json`: one JSON object per line (with request, user, volunteer, update and outbox ids where they apply).",
    ),
    SettingDoc(
        "WAYSTATION_METRICS_TOKEN",
        "",
        "Bearer token that `GET /metrics` requires (16 characters or more); `/metrics` answers 404 while it is empty.",
    ),
    SettingDoc(
        "WAYSTATION_METRICS_PORT",
        "",
        "Port of a separate Prometheus listener (no token) in `serve` and `scheduler`, for a private network; off when empty.",
    ),
    SettingDoc(
        "WAYSTATION_PASSWORD", "", "Password for `waystation create-user` when it must not prompt."
    ),
)

_DEFAULTS: Final = {s.name: s.default for s in SETTINGS}


class Settings(NamedTuple):
    """Every setting, read once from the environment by ``load_settings``.

    A named tuple rather than a dataclass: every command reads it, and the dataclasses module
    costs a light command a fifth of its start. Change a copy with ``settings._replace(…)``.
    """

    env: str = "development"
    database_url: str = _DEFAULTS["WAYSTATION_DATABASE_URL"]
    secret_key: str = PLACEHOLDER_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    #: proxies whose forwarded headers are believed; empty: none
    forwarded_allow_ips: tuple[str, ...] = ()
    telegram_token: str = ""
    default_language: str = "vi"
    log_level: str = "INFO"
    telegram_api_url: str = _DEFAULTS["WAYSTATION_TELEGRAM_API_URL"]
    bot_username: str = ""
    public_url: str = ""
    webhook_secret: str = ""
    coordinator_chat_id: int | None = None
    scheduler_enabled: bool = True
    reminder_hours: tuple[float, ...] = (24.0, 2.0)
    send_rate: float = 30.0
    bot_reply_reserve: float = 5.0
    send_ahead_minutes: float = 30.0
    chat_interval: float = 1.0
    group_per_minute: int = 20
    max_attempts: int = 5
    log_format: str = "text"
    metrics_token: str = ""
    metrics_port: int | None = None

    @property
    def dispatch_rate(self) -> float:
        """Messages per second for the outbox, all dispatcher replicas together."""
        return self.send_rate - self.bot_reply_reserve

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def bot_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.public_url)

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")


def _as_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _as_number(name: str, raw: str, *, minimum: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum or value == float("inf"):
        raise SettingsError(f"{name} must be a number of at least {minimum:g}, got {raw!r}")
    return value


def _as_optional_int(name: str, raw: str) -> int | None:
    return _as_int(name, raw) if raw else None


def _as_switch(name: str, raw: str) -> bool:
    value = raw.lower()
    if value in {"on", "true", "1", "yes"}:
        return True
    if value in {"off", "false", "0", "no"}:
        return False
    raise SettingsError(f"{name} must be on or off, got {raw!r}")


def _as_hours(name: str, raw: str) -> tuple[float, ...]:
    hours = []
    for part in raw.split(","):
        if part.strip():
            hours.append(_as_number(name, part.strip(), minimum=0.1))
    if not hours:
        raise SettingsError(f"{name} must list at least one number of hours, got {raw!r}")
    return tuple(sorted(set(hours), reverse=True))


def _as_proxies(name: str, raw: str) -> tuple[str, ...]:
    proxies = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not proxies:
        return proxies
    import ipaddress  # only when proxies are named: the module is a tenth of a CLI start

    for proxy in proxies:
        if proxy == "*":
            continue
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or networks (or *), got {proxy!r}"
            ) from None
    return proxies


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
        forwarded_allow_ips=_as_proxies(
            "WAYSTATION_FORWARDED_ALLOW_IPS", get("WAYSTATION_FORWARDED_ALLOW_IPS")
        ),
        telegram_token=get("WAYSTATION_TELEGRAM_TOKEN"),
        default_language=get("WAYSTATION_DEFAULT_LANGUAGE"),
        log_level=get("WAYSTATION_LOG_LEVEL").upper(),
        telegram_api_url=get("WAYSTATION_TELEGRAM_API_URL"),
        bot_username=get("WAYSTATION_BOT_USERNAME").lstrip("@"),
        public_url=get("WAYSTATION_PUBLIC_URL").rstrip("/"),
        webhook_secret=get("WAYSTATION_WEBHOOK_SECRET"),
        coordinator_chat_id=_as_optional_int(
            "WAYSTATION_COORDINATOR_CHAT_ID", get("WAYSTATION_COORDINATOR_CHAT_ID")
        ),
        scheduler_enabled=_as_switch("WAYSTATION_SCHEDULER", get("WAYSTATION_SCHEDULER")),
        reminder_hours=_as_hours("WAYSTATION_REMINDER_HOURS", get("WAYSTATION_REMINDER_HOURS")),
        send_rate=_as_number("WAYSTATION_SEND_RATE", get("WAYSTATION_SEND_RATE"), minimum=0.1),
        bot_reply_reserve=_as_number(
            "WAYSTATION_BOT_REPLY_RESERVE", get("WAYSTATION_BOT_REPLY_RESERVE"), minimum=0
        ),
        send_ahead_minutes=_as_number(
            "WAYSTATION_SEND_AHEAD_MINUTES", get("WAYSTATION_SEND_AHEAD_MINUTES"), minimum=0
        ),
        chat_interval=_as_number(
            "WAYSTATION_CHAT_INTERVAL", get("WAYSTATION_CHAT_INTERVAL"), minimum=0
        ),
        group_per_minute=int(
            _as_number("WAYSTATION_GROUP_PER_MINUTE", get("WAYSTATION_GROUP_PER_MINUTE"), minimum=1)
        ),
        max_attempts=int(
            _as_number("WAYSTATION_MAX_ATTEMPTS", get("WAYSTATION_MAX_ATTEMPTS"), minimum=1)
        ),
        log_format=get("WAYSTATION_LOG_FORMAT").lower(),
        metrics_token=get("WAYSTATION_METRICS_TOKEN"),
        metrics_port=_as_optional_int("WAYSTATION_METRICS_PORT", get("WAYSTATION_METRICS_PORT")),
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
    if not settings.bot_reply_reserve < settings.send_rate:
        raise SettingsError(
            "WAYSTATION_BOT_REPLY_RESERVE must be less than WAYSTATION_SEND_RATE, "
            f"got {settings.bot_reply_reserve:g} of {settings.send_rate:g}"
        )
    if settings.metrics_port is not None and not 0 < settings.metrics_port < 65536:
        raise SettingsError("WAYSTATION_METRICS_PORT must be between 1 and 65535")
    if settings.log_format not in {"text", "json"}:
        raise SettingsError(
            f"WAYSTATION_LOG_FORMAT must be text or json, got {settings.log_format!r}"
        )
    if settings.metrics_token and len(settings.metrics_token) < 16:
        raise SettingsError("WAYSTATION_METRICS_TOKEN must be 16 characters or more")
    if settings.public_url and not settings.public_url.startswith(("https://", "http://")):
        raise SettingsError(
            "WAYSTATION_PUBLIC_URL must start with https:// (or http:// in development)"
        )
    if settings.is_production and settings.public_url and settings.bot_enabled:
        if not settings.public_url.startswith("https://"):
            raise SettingsError(
                "WAYSTATION_PUBLIC_URL must be https:// in production (Telegram requires it)"
            )
        if len(settings.webhook_secret) < 16:
            raise SettingsError(
                "WAYSTATION_WEBHOOK_SECRET must be set (16+ characters) when the bot takes webhooks in production"
            )
    if settings.webhook_secret and not re.fullmatch(
        r"[A-Za-z0-9_-]{1,256}", settings.webhook_secret
    ):
        raise SettingsError(
            "WAYSTATION_WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256 characters)"
        )
    if settings.is_production and (
        settings.secret_key == PLACEHOLDER_SECRET or len(settings.secret_key) < 32
    ):
        raise SettingsError(
            "WAYSTATION_SECRET_KEY must be set to a random value of 32+ characters in production"
        )
