"""Benchmark of the bot by webhook (a script, not a test): ``python bench/bot.py``.

50 volunteers (``--senders``) write to the bot at once, each waiting for the bot's answer
before the next message, as people do: a mix of check-ins (their location) and handout
reports (``/phat nuoc 1 khan 1``), on PostgreSQL. The fake Bot API POSTs each update to the
webhook of the real web app (uvicorn, ``/telegram/webhook``) and the bot answers through
the fake, so one update's time is from Telegram's POST to the bot's HTTP answer, its reply
already sent. The same run measures the same app, runtime and webhook answering with an
echo handler instead of ours: the target is at least half the echo rate.

Prints updates/s and p50/p99 latency of both, and their ratios. Runs in a fresh database
created next to ``WAYSTATION_BENCH_POSTGRES_URL`` (default
``postgres://postgres@127.0.0.1:5432/test``) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.scratch_database import scratch_database
from bot.app import CONNECTION_POOL_SIZE, file_url_for, reply_rate_limiter
from bot.runtime import bot_lifespans, bot_routes
from stations import db
from stations.enums import CampaignKind, ShiftRole, SupplyCategory, UnitKind
from stations.models import (
    Assignment,
    Campaign,
    Shift,
    Station,
    SupplyItem,
    Unit,
    Volunteer,
)
from stations.services.actor import Actor
from stations.services.inventory import record_receipt
from stations.settings import Settings
from stations.text import fold
from stations.web.app import create_app
from tests.fake_telegram import FakeTelegram, FakeUser, Limits, serve_asgi

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
STATIONS = 10
LAT, LON = 10.8076, 105.3436
TARGET_RATIO = 0.5
#: Share of messages that are check-ins (a location); the rest are handout reports.
CHECKIN_SHARE = 0.25


async def _seed(senders: int) -> None:
    """Ten stations of an open campaign with a shift under way, each sender on one."""
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    unit = await Unit.create(code="BENCH", name="Công an tỉnh", kind=UnitKind.PROVINCE_POLICE)
    campaign = await Campaign.create(
        name="Bench",
        kind=CampaignKind.CUSTOM,
        year=today.year,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
    )
    water = await SupplyItem.create(
        code="water", name_vi="Nước suối", name_en="Bottled water", unit_vi="chai",
        unit_en="bottle", category=SupplyCategory.WATER, aliases=["nuoc", "water"],
        default_low_stock=100,
    )  # fmt: skip
    towel = await SupplyItem.create(
        code="towel", name_vi="Khăn lạnh", name_en="Cold towel", unit_vi="khăn",
        unit_en="towel", category=SupplyCategory.TOWEL, aliases=["khan", "towel"],
        default_low_stock=100,
    )  # fmt: skip
    shifts = []
    for n in range(STATIONS):
        station = await Station.create(
            campaign=campaign, unit=unit, code=f"B{n}", name=f"Trạm {n}",
            address="Quốc lộ 1A", latitude=LAT, longitude=LON, checkin_radius_m=300,
        )  # fmt: skip
        shifts.append(
            await Shift.create(
                station=station,
                starts_at=now - dt.timedelta(minutes=30),
                ends_at=now + dt.timedelta(hours=6),
                needs={ShiftRole.VOLUNTEER.value: senders},
            )
        )
        for item in (water, towel):
            await record_receipt(station, item, 1_000_000, by=Actor.system("bench"))
    for n in range(senders):
        name = f"Tình nguyện viên {n}"
        volunteer = await Volunteer.create(
            full_name=name, search_name=fold(name), phone=f"+8491{n:07d}",
            telegram_user_id=100_000 + n, telegram_chat_id=100_000 + n,
        )  # fmt: skip
        await Assignment.create(shift=shifts[n % STATIONS], volunteer=volunteer)


def _echo_application(settings: Settings) -> Application:  # type: ignore[type-arg]
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


@dataclasses.dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _load(fake: FakeTelegram, senders: int, per_sender: int, name: str) -> Result:
    latencies: list[float] = []

    async def sender(user: FakeUser, seed: int) -> None:
        for n in range(per_sender):
            started = time.perf_counter()
            if (n + seed) % round(1 / CHECKIN_SHARE) == 0:
                await user.send_location(LAT + 0.0003, LON)
            else:
                await user.send("/phat nuoc 1 khan 1")
            latencies.append(time.perf_counter() - started)

    users = [fake.user(100_000 + n) for n in range(senders)]
    started = time.perf_counter()
    await asyncio.gather(*(sender(user, n) for n, user in enumerate(users)))
    return Result(name, senders * per_sender, time.perf_counter() - started, latencies)


async def _measure(
    fake: FakeTelegram,
    senders: int,
    per_sender: int,
    name: str,
    factory: Callable[[Settings], Application] | None,  # type: ignore[type-arg]
) -> Result:
    placeholder = Settings(
        telegram_token=fake.token,
        telegram_api_url=fake.api_base,
        public_url="http://127.0.0.1",
        webhook_secret="bench-webhook-secret-0123456789",
    )
    app = create_app(placeholder, manage_database=False, routes=bot_routes(placeholder))
    async with serve_asgi(app) as url:
        settings = placeholder._replace(public_url=url)
        (lifespan,) = bot_lifespans(settings, factory=factory)
        async with lifespan(app):
            await _load(fake, senders, 2, f"{name} warm-up")
            sent_before = len(fake.sent)
            result = await _load(fake, senders, per_sender, name)
            answered = len(fake.sent) - sent_before
    if answered < result.updates:
        raise SystemExit(f"{name}: {result.updates} updates but only {answered} answers")
    return result


def _row(result: Result) -> str:
    return (
        f"{result.name:<28} {result.updates:>7} {result.rate:>10.1f} "
        f"{result.percentile(0.5) * 1000:>9.1f} {result.percentile(0.99) * 1000:>9.1f}"
    )


async def main(admin_url: str, senders: int, per_sender: int) -> int:
    async with scratch_database(admin_url) as url:
        await db.migrate(url)
        # tortoise's default pool (5 connections), as ``waystation serve`` runs: a larger one
        # measured no faster here (the updates contend for CPU, not for connections).
        await db.init_db(url)
        try:
            await _seed(senders)
            async with FakeTelegram(limits=Limits(enforce=False)) as fake:
                echo = await _measure(fake, senders, per_sender, "echo handler", _echo_application)
                ours = await _measure(fake, senders, per_sender, "check-ins + handouts", None)
        finally:
            await db.close_db()
    print(f"{senders} concurrent senders, {per_sender} updates each, webhook, PostgreSQL")
    print(f"{'':<28} {'updates':>7} {'updates/s':>10} {'p50 ms':>9} {'p99 ms':>9}")
    print(_row(echo))
    print(_row(ours))
    ratio = ours.rate / echo.rate
    print(f"rate ratio (ours / echo): {ratio:.2f}  (target >= {TARGET_RATIO})")
    print(f"p99 ratio (ours / echo): {ours.percentile(0.99) / echo.percentile(0.99):.2f}")
    return 0 if ratio >= TARGET_RATIO else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--senders", type=int, default=50, help="concurrent senders (50)")
    parser.add_argument("--per-sender", type=int, default=40, help="updates per sender (40)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WAYSTATION_BENCH_POSTGRES_URL", DEFAULT_URL),
        help="a PostgreSQL server and maintenance database to create the bench database from",
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = _arguments()
    sys.exit(asyncio.run(main(args.postgres_url, args.senders, args.per_sender)))
