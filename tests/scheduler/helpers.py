"""Shared pieces of the scheduler's tests: a virtual clock, settings, the bot, a world."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from scheduler.dispatcher import Dispatcher
from stations.clock import FrozenClock
from stations.enums import ShiftRole
from stations.models import Assignment, Shift, Station, Volunteer
from stations.services.alert_routing import AlertRouting, alert_routing, configure_alert_routing
from stations.settings import Settings
from tests.factories import make_assignment, make_shift, make_station, make_volunteer, vn
from tests.fake_telegram.server import FakeTelegram

COORDINATORS = -100123

_chat_ids = itertools.count(700_001)


class VirtualTime:
    """Monotonic seconds that move only when someone sleeps, and move the frozen clock too:
    the pacer, the fake server's limits and every service's "now" share one timeline."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.start = clock.now()
        self.elapsed = 0.0

    def __call__(self) -> float:
        # The test may also move the clock itself: follow it, keeping sub-microsecond sleeps.
        moved = (self.clock.now() - self.start).total_seconds()
        if abs(moved - self.elapsed) >= 1e-6:
            self.elapsed = moved
        return self.elapsed

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.elapsed = self() + seconds
            self.clock.set(self.start + dt.timedelta(seconds=self.elapsed))
        await asyncio.sleep(0)


def scheduler_settings(fake: FakeTelegram, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_token": fake.token,
        "telegram_api_url": fake.api_base,
        "coordinator_chat_id": COORDINATORS,
        "max_attempts": 3,
    }
    values.update(overrides)
    return Settings()._replace(**values)


@pytest.fixture
def routing() -> Iterator[AlertRouting]:
    """Coordinators' alerts go to ``COORDINATORS``, in Vietnamese, for this test."""
    before = alert_routing()
    yield configure_alert_routing(coordinator_chat_id=COORDINATORS, language="vi")
    configure_alert_routing(
        coordinator_chat_id=before.coordinator_chat_id, language=before.language
    )


@pytest.fixture
def no_coordinators() -> Iterator[AlertRouting]:
    """No coordinators' chat for this test (whatever an earlier test configured)."""
    before = alert_routing()
    yield configure_alert_routing(coordinator_chat_id=None, language="vi")
    configure_alert_routing(
        coordinator_chat_id=before.coordinator_chat_id, language=before.language
    )


@pytest.fixture
def kept_routing() -> Iterator[None]:
    """Whatever the test configures (the runtime does, from its settings) is undone after."""
    before = alert_routing()
    yield
    configure_alert_routing(
        coordinator_chat_id=before.coordinator_chat_id, language=before.language
    )


@pytest.fixture
def vtime(clock: FrozenClock) -> VirtualTime:
    return VirtualTime(clock)


@pytest.fixture
async def fake(make_fake_telegram: Any, vtime: VirtualTime) -> FakeTelegram:
    """The fake Bot API with Telegram's limits, on the virtual timeline; knows the
    coordinators' group."""
    server: FakeTelegram = await make_fake_telegram(time_source=vtime)
    server.group(COORDINATORS)
    return server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    telegram_bot = Bot(
        fake.token, base_url=fake.api_base, request=HTTPXRequest(connection_pool_size=8)
    )
    await telegram_bot.initialize()
    yield telegram_bot
    await telegram_bot.shutdown()


@pytest.fixture
def settings(fake: FakeTelegram) -> Settings:
    return scheduler_settings(fake)


def dispatcher_for(bot: Bot, settings: Settings, vtime: VirtualTime, **options: Any) -> Dispatcher:
    """A dispatcher on the virtual timeline, sending one message at a time."""
    options.setdefault("concurrency", 1)
    return Dispatcher(bot, settings, time_source=vtime, sleep=vtime.sleep, **options)


async def linked_volunteer(
    fake: FakeTelegram | None = None, *, language: str = "vi", **overrides: Any
) -> Volunteer:
    """A volunteer linked to Telegram (and known to the fake server, when given)."""
    chat_id = next(_chat_ids)
    if fake is not None:
        fake.user(chat_id, language_code=language)
    return await make_volunteer(
        telegram_user_id=chat_id, telegram_chat_id=chat_id, language=language, **overrides
    )


@dataclass
class ShiftWorld:
    station: Station
    shift: Shift
    lead: Volunteer
    lead_assignment: Assignment
    volunteer: Volunteer
    assignment: Assignment


async def shift_world(
    fake: FakeTelegram | None = None,
    *,
    starts_at: dt.datetime | None = None,
    hours: int = 4,
    language: str = "vi",
    **station_overrides: Any,
) -> ShiftWorld:
    """A station with one shift: a lead and a volunteer assigned, both on Telegram."""
    station = await make_station(**station_overrides)
    start = starts_at or vn(2027, 2, 3, 6)
    shift = await make_shift(station, starts_at=start, ends_at=start + dt.timedelta(hours=hours))
    lead = await linked_volunteer(fake, full_name="Trần Thị Bình")
    volunteer = await linked_volunteer(fake, language=language, full_name="Lê Văn Cường")
    lead_assignment = await make_assignment(shift, lead, role=ShiftRole.LEAD)
    assignment = await make_assignment(shift, volunteer)
    return ShiftWorld(station, shift, lead, lead_assignment, volunteer, assignment)
