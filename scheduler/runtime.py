"""Running the scheduler: inside ``waystation serve`` (a lifespan) or alone
(``waystation scheduler``), the clock jobs plus the dispatcher that sends the outbox.

Without a Telegram token the clock jobs still run (the outbox fills and coordinators see
it on the web), and the dispatcher is off, with one log line saying so. Stopping
(SIGTERM, Ctrl+C, the web app shutting down) lets the sends under way finish and hands
back the rows claimed but not sent, so another scheduler can take them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from scheduler.app import build_scheduler, stop_scheduler
from scheduler.dispatcher import Dispatcher
from stations.services.alert_routing import configure_alert_routing
from stations.settings import Settings

log = logging.getLogger(__name__)

#: Connections to the Bot API: enough for the dispatcher's concurrent sends.
CONNECTION_POOL = 32
DISPATCH_CONCURRENCY = 16
#: Seconds to wait for Telegram's answer to a send.
SEND_READ_TIMEOUT = 20.0


@dataclass
class SchedulerRuntime:
    scheduler: AsyncIOScheduler
    dispatcher: Dispatcher | None


def make_bot(settings: Settings) -> Bot:
    """The Bot API client the dispatcher sends with (``WAYSTATION_TELEGRAM_API_URL``)."""
    return Bot(
        settings.telegram_token,
        base_url=settings.telegram_api_url,
        request=HTTPXRequest(
            connection_pool_size=CONNECTION_POOL,
            pool_timeout=10.0,
            # A send whose answer is late may have been delivered (see bot/delivery.py):
            # waiting longer than PTB's 5 s makes that rare, well inside the lease.
            read_timeout=SEND_READ_TIMEOUT,
        ),
    )


def configure_alerts(settings: Settings) -> None:
    """Point coordinators' alerts at their chat (every process that records stock needs it)."""
    configure_alert_routing(
        coordinator_chat_id=settings.coordinator_chat_id, language=settings.default_language
    )


@contextlib.asynccontextmanager
async def scheduler_running(
    settings: Settings, *, bot: Bot | None = None
) -> AsyncIterator[SchedulerRuntime]:
    """The clock jobs and the dispatcher, running until the block ends (the database must
    be open)."""
    configure_alerts(settings)
    if bot is None and settings.bot_enabled:
        bot = make_bot(settings)
    scheduler = build_scheduler(settings)
    scheduler.start()
    dispatcher: Dispatcher | None = None
    task: asyncio.Task[None] | None = None
    if bot is None:
        log.info(
            "Scheduler: clock jobs running; messages stay in the outbox, "
            "as WAYSTATION_TELEGRAM_TOKEN is not set"
        )
    else:
        try:
            await bot.initialize()
        except TelegramError as exc:
            # Telegram unreachable or the token refused: the dispatcher keeps retrying.
            log.error("Scheduler: Telegram did not answer getMe (%s); sending anyway", exc)
        dispatcher = Dispatcher(bot, settings, concurrency=DISPATCH_CONCURRENCY)
        task = asyncio.create_task(dispatcher.run(), name="waystation-dispatcher")
        log.info(
            "Scheduler: running, sending at most %s messages/s", format(settings.send_rate, "g")
        )
    try:
        yield SchedulerRuntime(scheduler, dispatcher)
    finally:
        await stop_scheduler(scheduler)
        if dispatcher is not None and task is not None:
            dispatcher.stop()
            await task
        if bot is not None:
            with contextlib.suppress(TelegramError, RuntimeError):
                await bot.shutdown()
        log.info("Scheduler: stopped")


def scheduler_lifespans(
    settings: Settings,
) -> list[Callable[[Any], contextlib.AbstractAsyncContextManager[None]]]:
    """What ``serve`` runs beside the web app: the scheduler when WAYSTATION_SCHEDULER is on.

    Alerts are routed to the coordinators' chat either way, since the web app records stock.
    """
    configure_alerts(settings)
    if not settings.scheduler_enabled:
        log.info("Scheduler is off in this process (WAYSTATION_SCHEDULER=off)")
        return []

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        async with scheduler_running(settings):
            yield

    return [lifespan]


async def run_scheduler(settings: Settings, *, stop: asyncio.Event | None = None) -> int:
    """``waystation scheduler``: run until SIGTERM or SIGINT (or ``stop`` is set). The
    database must be open."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    try:
        async with scheduler_running(settings):
            await stop.wait()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
    return 0
