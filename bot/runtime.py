"""Running the bot inside ``waystation serve``.

- With a public URL: Telegram POSTs updates to ``/telegram/webhook`` of the web app. Every
  request must carry the webhook secret (``X-Telegram-Bot-Api-Secret-Token``, compared in
  constant time), else 403. The update is handled before the answer, so a failure Telegram
  sees is one it will redeliver, and any replica can take any update.
- Without one: long polling from the same process.
- Without a token: off, said once in the log.

On start the bot's username comes from Telegram (getMe, asked by ``initialize``) and is kept
in ``app.state.bot_username`` for invite links and check-in QR codes when
``WAYSTATION_BOT_USERNAME`` is not set; each replica asks once when it starts.

The command menus are set on start: Vietnamese by default, English for English apps.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.commands import menu
from stations.enums import Language
from stations.settings import Settings

log = logging.getLogger("bot")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Long-polling wait per getUpdates call, in seconds.
POLL_TIMEOUT = 10

#: The shape of ``stations.web.app.Lifespan``, which the bot does not import.
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]
ApplicationFactory = Callable[[Settings], Application]  # type: ignore[type-arg]


def webhook_secret(settings: Settings) -> str:
    """The configured secret; without one, a secret derived from the server secret, so every
    replica of one deployment expects the same value."""
    if settings.webhook_secret:
        return settings.webhook_secret
    return hmac.new(settings.secret_key.encode(), b"telegram-webhook", hashlib.sha256).hexdigest()


def webhook_url(settings: Settings) -> str:
    return f"{settings.public_url.rstrip('/')}{WEBHOOK_PATH}"


async def webhook(request: Request) -> Response:
    """Telegram's POST of one update: checked, handled, then acknowledged."""
    application = getattr(request.app.state, "telegram_application", None)
    secret = getattr(request.app.state, "telegram_webhook_secret", None)
    if application is None or secret is None:
        return Response("the bot is not running", status_code=503)
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return Response("forbidden", status_code=403)
    update = _update_or_none(await request.body(), application)
    if update is None:
        return Response("not an update", status_code=400)
    await application.process_update(update)
    return Response(status_code=200)


def _update_or_none(body: bytes, application: Application) -> Update | None:  # type: ignore[type-arg]
    """The update in ``body``, or None when it is not one (JSON that is not an object, an
    object without a whole-number ``update_id``, parts of the wrong shape)."""
    try:
        data = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int):
        return None
    try:
        return Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        # PTB reads nested objects trusting their shape: ``"message": 5`` is AttributeError.
        return None


def bot_routes(settings: Settings) -> list[BaseRoute]:
    """The webhook route, when the bot runs by webhook."""
    if settings.bot_enabled and settings.webhook_enabled:
        return [Route(WEBHOOK_PATH, webhook, methods=["POST"], name="telegram_webhook")]
    return []


async def set_command_menus(application: Application) -> None:  # type: ignore[type-arg]
    bot = application.bot
    await bot.set_my_commands(menu(Language.VI), scope=BotCommandScopeDefault())
    await bot.set_my_commands(
        menu(Language.EN), scope=BotCommandScopeDefault(), language_code=Language.EN.value
    )


def bot_lifespans(
    settings: Settings,
    *,
    base_url: str | None = None,
    factory: ApplicationFactory | None = None,
) -> list[Lifespan]:
    """What runs the bot beside the web app; nothing (and one log line) without a token.

    ``factory`` builds the Application (default ``build_application``): the benchmark
    swaps in an echo bot to measure the same runtime without our handlers.
    """
    if not settings.bot_enabled:
        log.info("Telegram bot is off: WAYSTATION_TELEGRAM_TOKEN is not set")
        return []

    def build() -> Application:  # type: ignore[type-arg]
        if factory is not None:
            return factory(settings)
        return build_application(settings, base_url=base_url)

    @contextlib.asynccontextmanager
    async def run_bot(app: Starlette) -> AsyncIterator[None]:
        application = build()
        if not await _start(application, settings, app):
            yield
            return
        app.state.telegram_application = application
        app.state.bot_username = learned_username(application, settings)
        try:
            yield
        finally:
            app.state.telegram_application = None
            await _stop(application)

    return [run_bot]


def learned_username(application: Application, settings: Settings) -> str:  # type: ignore[type-arg]
    """The username getMe gave when the bot started (``initialize`` asks it), kept for the
    web's invite links and QR codes; a configured ``WAYSTATION_BOT_USERNAME`` is used as is."""
    username = application.bot.username or ""
    if not settings.bot_username:
        log.info("Telegram bot is @%s (from getMe)", username)
    elif username and username.lower() != settings.bot_username.lower():
        log.warning(
            "WAYSTATION_BOT_USERNAME is %s but Telegram says this bot is @%s: links use %s",
            settings.bot_username,
            username,
            settings.bot_username,
        )
    return username


async def _start(application: Application, settings: Settings, app: Starlette) -> bool:  # type: ignore[type-arg]
    """Start taking updates; False (logged) when Telegram cannot be reached."""
    try:
        await application.initialize()
        await set_command_menus(application)
        if settings.webhook_enabled:
            secret = webhook_secret(settings)
            await application.bot.set_webhook(
                url=webhook_url(settings), secret_token=secret, allowed_updates=ALLOWED_UPDATES
            )
            app.state.telegram_webhook_secret = secret
            log.info("Telegram bot takes updates by webhook at %s", webhook_url(settings))
        else:
            await application.bot.delete_webhook()
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
            )
            log.info("Telegram bot takes updates by long polling")
        await application.start()
        heartbeat = getattr(application, "heartbeat", None)
        if heartbeat is not None:
            await heartbeat.started("webhook" if settings.webhook_enabled else "polling")
    except TelegramError:
        # The web app is worth running without the bot; the log says why it is missing.
        log.exception("Telegram bot could not start; the web app runs without it")
        await _stop(application)
        return False
    return True


async def _stop(application: Application) -> None:  # type: ignore[type-arg]
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
