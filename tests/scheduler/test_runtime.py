"""Running the scheduler: in-process (serve's lifespan, ``run_scheduler``) and as the
``waystation scheduler`` command, stopped cleanly by SIGTERM or killed with SIGKILL."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import os
import signal
import sys
from pathlib import Path

import pytest
from telegram import Bot

from scheduler.dispatcher import Dispatcher
from scheduler.runtime import run_scheduler, scheduler_lifespans, scheduler_running
from stations.clock import FrozenClock, use_clock
from stations.enums import NotificationStatus
from stations.models import Notification
from stations.services.alert_routing import alert_routing
from stations.services.outbox import enqueue_notification
from stations.settings import Settings
from tests.factories import vn
from tests.scheduler.helpers import (
    COORDINATORS,
    linked_volunteer,
    scheduler_settings,
    shift_world,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def live(make_fake_telegram):
    """A fake Bot API on real time (the dispatcher runs on real time here)."""
    server = await make_fake_telegram()
    server.group(COORDINATORS)
    return server


async def test_scheduler_running_reminds_and_sends_on_its_own(db, clock, live, routing):
    world = await shift_world(live, starts_at=vn(2027, 2, 2, 9))  # 2 h reminder is due
    settings = scheduler_settings(live)

    async with scheduler_running(settings) as runtime:
        [sent] = await live.wait_for(chat_id=world.volunteer.telegram_chat_id, timeout=10)

    row = await Notification.get(volunteer_id=world.volunteer.id, kind="reminder")
    assert runtime.dispatcher is not None
    assert [b["callback_data"] for b in sent.buttons()] == [
        f"asg:confirm:{world.assignment.id}",
        f"asg:decline:{world.assignment.id}",
    ]
    assert row.status == NotificationStatus.SENT
    assert runtime.scheduler.running is False


async def test_without_a_token_jobs_run_and_messages_wait_in_the_outbox(db, clock, caplog):
    world = await shift_world(starts_at=vn(2027, 2, 2, 9))
    caplog.set_level(logging.INFO, logger="scheduler.runtime")

    async with scheduler_running(Settings()) as runtime:
        # The jobs' first runs start together: however busy the machine, wait for the
        # reminder itself (a minute is a bound for a hung scheduler, not a deadline).
        async with asyncio.timeout(60):
            for _ in itertools.count():
                if await Notification.filter(kind="reminder").exists():
                    break
                await asyncio.sleep(0.05)

    row = await Notification.get(volunteer_id=world.volunteer.id, kind="reminder")
    assert (runtime.dispatcher, row.status) == (None, NotificationStatus.PENDING)
    assert "WAYSTATION_TELEGRAM_TOKEN is not set" in caplog.text


async def test_serve_runs_the_scheduler_only_when_switched_on(db, clock, live):
    on = scheduler_lifespans(scheduler_settings(live, coordinator_chat_id=-42))
    off = scheduler_lifespans(scheduler_settings(live, scheduler_enabled=False))

    assert (len(on), off) == (1, [])
    assert alert_routing().coordinator_chat_id == COORDINATORS
    volunteer = await linked_volunteer(live)
    await enqueue_notification(
        chat_id=volunteer.telegram_chat_id, kind="t", text="xin chào", dedupe_key="serve:1"
    )
    async with on[0](object()):
        [sent] = await live.wait_for(chat_id=volunteer.telegram_chat_id, timeout=10)
    assert sent.text == "xin chào"


async def test_run_scheduler_stops_when_told_and_hands_back_unsent_rows(db, clock, live):
    # 25 to one group: 20 a minute, so most are still waiting when it stops.
    for i in range(25):
        await enqueue_notification(chat_id=COORDINATORS, kind="t", text=f"g{i}", dedupe_key=f"g{i}")
    stop = asyncio.Event()
    runner = asyncio.create_task(run_scheduler(scheduler_settings(live), stop=stop))
    await live.wait_for(chat_id=COORDINATORS, count=2, timeout=10)

    stop.set()
    code = await asyncio.wait_for(runner, timeout=10)

    statuses = await Notification.all().values_list("status", flat=True)
    assert code == 0
    assert NotificationStatus.SENDING not in statuses
    assert statuses.count(NotificationStatus.SENT) == len(live.messages_to(COORDINATORS))


def _environment(db_url: str, fake, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYSTATION_")}
    env.update(
        WAYSTATION_DATABASE_URL=db_url,
        WAYSTATION_TELEGRAM_TOKEN=fake.token,
        WAYSTATION_TELEGRAM_API_URL=fake.api_base,
        WAYSTATION_COORDINATOR_CHAT_ID=str(COORDINATORS),
        **extra,
    )
    return env


async def _start_command(db, fake) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "stations.main",
        "scheduler",
        cwd=ROOT,
        env=_environment(db.url, fake),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _queue_for_real_now(fake, n: int) -> list[int]:
    """``n`` messages to ``n`` people, due by the subprocess's real clock."""
    real_now = dt.datetime.now(dt.UTC)
    ids = []
    for i in range(n):
        person = await linked_volunteer(fake)
        row = await enqueue_notification(
            chat_id=person.telegram_chat_id,
            volunteer=person,
            kind="t",
            text=f"m{i}",
            dedupe_key=f"m{i}",
            due_at=real_now - dt.timedelta(seconds=1),
        )
        ids.append(row.id)
    return ids


async def test_scheduler_command_stops_cleanly_on_sigterm(db, clock, live):
    await _queue_for_real_now(live, 3)
    process = await _start_command(db, live)
    await live.wait_for(count=3, timeout=20)

    process.send_signal(signal.SIGTERM)
    _out, err = await asyncio.wait_for(process.communicate(), timeout=15)

    assert process.returncode == 0, err.decode()
    assert "Scheduler: stopped" in err.decode()
    assert set(await Notification.all().values_list("status", flat=True)) == {
        NotificationStatus.SENT
    }


async def test_scheduler_killed_mid_dispatch_loses_nothing(db, live):
    ids = await _queue_for_real_now(live, 60)  # two seconds of sending at 30/s
    process = await _start_command(db, live)
    await live.wait_for(count=20, timeout=20)

    process.kill()  # SIGKILL: no clean-up of any kind
    await process.wait()
    sent_before = len(live.sent)
    # Restart after the dead process's leases ran out (the fake's limits on real time).
    later = FrozenClock(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3))
    with use_clock(later):
        bot = Bot(live.token, base_url=live.api_base)
        stats = await Dispatcher(bot, scheduler_settings(live), concurrency=16).drain()
        await bot.shutdown()

    texts = [m.text for m in live.sent]
    rows = await Notification.filter(id__in=ids)
    duplicates = len(texts) - len(set(texts))
    assert {r.status for r in rows} == {NotificationStatus.SENT}
    assert set(texts) == {f"m{i}" for i in range(60)}
    assert sent_before < 60
    assert stats.sent == 60 - sent_before + duplicates
    # Only a message Telegram accepted just before the kill, unmarked, can go twice.
    assert duplicates <= 16
