"""The bot by webhook, as ``waystation serve`` runs it (uvicorn, the web app, the webhook
route, PostgreSQL), in a process of its own for the bot benchmark (``bench/bot.py``).

``python bench/bot_server.py --kind ours|echo --port P --database URL --api URL``: ``ours``
is the bot; ``echo`` the same Application class of python-telegram-bot behind the same route
and runtime, answering every message with its own text — the baseline. Prints ``READY``
once the app has started and the webhook is set; runs until SIGTERM. The database must be
migrated already. No scheduler: the benchmark measures the bot's updates only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uvicorn
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import CONNECTION_POOL_SIZE, file_url_for, reply_rate_limiter
from bot.runtime import bot_lifespans, bot_routes
from stations.cli.serving import server_config
from stations.settings import Settings
from stations.web.app import create_app

WEBHOOK_SECRET = "bench-webhook-secret-0123456789"


def echo_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """The same kind of Application as ours, answering every message with its own text."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        await context.bot.send_message(
            message.chat_id, message.text or "📍", parse_mode=ParseMode.HTML
        )

    application = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url_for(settings.telegram_api_url))
        .concurrent_updates(True)
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .pool_timeout(10.0)
        .rate_limiter(reply_rate_limiter(settings))
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    return application


class _ReadyServer(uvicorn.Server):
    async def startup(self, sockets: list | None = None) -> None:  # type: ignore[type-arg]
        await super().startup(sockets=sockets)
        if self.started:
            print("READY", flush=True)


async def _serve(kind: str, port: int, database: str, api: str, token: str) -> None:
    settings = Settings(
        database_url=database,
        telegram_token=token,
        telegram_api_url=api,
        public_url=f"http://127.0.0.1:{port}",
        webhook_secret=WEBHOOK_SECRET,
        host="127.0.0.1",
        port=port,
    )
    factory = echo_application if kind == "echo" else None
    app = create_app(
        settings,
        lifespans=bot_lifespans(settings, factory=factory),
        routes=bot_routes(settings),
    )
    await _ReadyServer(server_config(app, settings, log_level=logging.WARNING)).serve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=["ours", "echo"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--api", required=True, help="the Bot API base URL (…/bot)")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(args.kind, args.port, args.database, args.api, args.token))


if __name__ == "__main__":
    main()
