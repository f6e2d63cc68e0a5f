"""The real bot (python-telegram-bot's Application, our handlers) against the fake Bot API.

``bot`` runs it by webhook (the Starlette app of ``stations.web.app`` on a real port, the
fake POSTing each update to it) and by long polling, a test running in both;
``webhook_bot`` only by webhook. Both are started once per module and backend. The fake
does not enforce flood limits here: a simulated person types at machine speed, so every
conversation would wait on the bot's retries after 429; ``test_app`` runs the bot against
Telegram's limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from starlette.applications import Starlette
from tortoise.connection import connections

from bot.runtime import bot_lifespans, bot_routes
from stations import clock as clock_module
from stations.services.catalog import forget_catalog
from stations.settings import Settings
from stations.web.app import create_app
from tests.conftest import DEFAULT_NOW, TestDatabase, _table_names, truncate_all
from tests.fake_telegram import FakeTelegram, FakeUser, Limits, SentMessage, serve_asgi
from tests.fake_telegram.fixtures import fake_telegram, make_fake_telegram  # noqa: F401

WEBHOOK_SECRET = "test-webhook-secret-0123456789"


@dataclass
class RunningBot:
    fake: FakeTelegram
    mode: str
    app: Starlette
    url: str | None  # the web app's address in webhook mode

    async def say(self, user: FakeUser, text: str, *, count: int = 1) -> list[SentMessage]:
        """``user`` sends ``text``; the bot's next ``count`` messages to them."""
        await user.send(text)
        return await self.fake.wait_for(chat_id=user.id, count=count)


def bot_settings(fake: FakeTelegram, *, public_url: str = "") -> Settings:
    return Settings(
        telegram_token=fake.token,
        telegram_api_url=fake.api_base,
        bot_username=fake.bot_username,
        public_url=public_url,
        webhook_secret=WEBHOOK_SECRET if public_url else "",
    )


@contextlib.asynccontextmanager
async def running_bot(fake: FakeTelegram, mode: str) -> AsyncIterator[RunningBot]:
    if mode == "polling":
        settings = bot_settings(fake)
        app = create_app(settings, manage_database=False)
        (lifespan,) = bot_lifespans(settings)
        async with lifespan(app):
            yield RunningBot(fake, mode, app, None)
        return
    # The route exists from the start; the bot (and its setWebhook) once the port is known.
    placeholder = bot_settings(fake, public_url="http://127.0.0.1")
    app = create_app(placeholder, manage_database=False, routes=bot_routes(placeholder))
    async with serve_asgi(app) as url:
        settings = placeholder._replace(public_url=url)
        (lifespan,) = bot_lifespans(settings)
        async with lifespan(app):
            yield RunningBot(fake, mode, app, url)


#: One clock for the bot's tasks and the test: the servers below outlive a test, and the
#: tasks they start read the clock they were started with.
SHARED_CLOCK = clock_module.FrozenClock(DEFAULT_NOW)


@pytest.fixture
def clock() -> Iterator[clock_module.FrozenClock]:
    """The frozen clock every service reads, back at ``DEFAULT_NOW`` for each test."""
    SHARED_CLOCK.set(DEFAULT_NOW)
    with clock_module.use_clock(SHARED_CLOCK):
        yield SHARED_CLOCK


@contextlib.asynccontextmanager
async def _served(mode: str) -> AsyncIterator[RunningBot]:
    """A fake server and the bot, started once per module and backend (a fresh pair per
    test would spend most of the suite starting and stopping them).

    They run in a task of their own context holding ``SHARED_CLOCK``: the tasks they start
    (uvicorn's, PTB's) read the clock of the context they were started in.
    """
    context = contextvars.copy_context()
    context.run(clock_module.set_clock, SHARED_CLOCK)
    ready: asyncio.Future[RunningBot] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()

    async def hold() -> None:
        async with (
            FakeTelegram(limits=Limits(enforce=False)) as fake,
            running_bot(fake, mode) as running,
        ):
            ready.set_result(running)
            await stop.wait()

    task = asyncio.create_task(hold(), context=context)
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        task.result()  # raises what stopped the start
    try:
        yield ready.result()
    finally:
        stop.set()
        await task


async def _fresh(running: RunningBot) -> RunningBot:
    """The shared bot with whatever an earlier test left unread put aside."""
    leftover = running.fake.unread()
    if leftover:
        await running.fake.wait_for(count=len(leftover))
    return running


@pytest.fixture(scope="module", params=["webhook", "polling"])
async def _any_mode(request, database) -> AsyncIterator[RunningBot]:
    async with _served(request.param) as running:
        yield running


@pytest.fixture(scope="module")
async def _webhook_mode(database) -> AsyncIterator[RunningBot]:
    async with _served("webhook") as running:
        yield running


async def _emptied(database: TestDatabase) -> TestDatabase:
    """Every table emptied, cheaper than the suite's TRUNCATE on PostgreSQL, which costs a
    few hundred milliseconds a test whatever the tables hold; these tables hold a few rows."""
    if not database.is_postgres:
        await truncate_all(database)
        return database
    forget_catalog()
    deletes = "".join(f'DELETE FROM "{table}";' for table in _table_names())
    await connections.get("default").execute_script(
        f"BEGIN; SET LOCAL session_replication_role = replica; {deletes} COMMIT;"
    )
    return database


@pytest.fixture
async def bot_db(database) -> TestDatabase:
    """Like ``db``: an empty, migrated database for one test, SQLite or PostgreSQL."""
    return await _emptied(database)


@pytest.fixture
async def bot(_any_mode, bot_db, clock) -> RunningBot:
    """The bot by webhook and by long polling (the test runs in both modes)."""
    return await _fresh(_any_mode)


@pytest.fixture
async def webhook_bot(_webhook_mode, bot_db, clock) -> RunningBot:
    """The bot by webhook only, for tests whose subject is not the transport."""
    return await _fresh(_webhook_mode)


@pytest.fixture
async def fake(make_fake_telegram) -> FakeTelegram:  # noqa: F811
    """A fake server of one's own, for tests that start the bot themselves."""
    return await make_fake_telegram(limits=Limits(enforce=False))
