"""Benchmark of the scheduler (a script, not a test): ``python bench/dispatch.py``.

1. Dispatch: N due reminders (default 10,000) to N/2 chats, sent by the real dispatcher and
   delivery code to the fake Bot API enforcing Telegram's limits (30 messages/s overall,
   1/s per chat) on real time. Reports the sustained rate (first to last message), the
   429 answers (target: none) and that every row was sent exactly once.
2. Materialise: the reminders of 100,000 assignments written into the outbox by
   ``materialise_reminders`` (target: under 60 s).

Runs on a fresh PostgreSQL database created next to ``WAYSTATION_BENCH_POSTGRES_URL``
(default ``postgres://postgres@127.0.0.1:5432/test``) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Bot
from telegram.request import HTTPXRequest

from bench.scratch_database import scratch_database
from scheduler.dispatcher import Dispatcher
from scheduler.runtime import CONNECTION_POOL, DISPATCH_CONCURRENCY
from stations import db
from stations.enums import (
    AssignmentStatus,
    CampaignKind,
    NotificationStatus,
    ShiftRole,
    UnitKind,
)
from stations.models import (
    Assignment,
    Campaign,
    Notification,
    Shift,
    Station,
    Unit,
    Volunteer,
)
from stations.services.reminders import assignment_buttons, materialise_reminders
from stations.settings import Settings
from tests.fake_telegram.limits import Limits
from tests.fake_telegram.server import FakeTelegram

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
TARGET_RATE = 28.5
TARGET_MATERIALISE_SECONDS = 60.0


async def _chunks(rows: list, size: int = 5000) -> None:
    model = type(rows[0])
    for start in range(0, len(rows), size):
        await model.bulk_create(rows[start : start + size])


async def bench_dispatch(messages: int) -> dict[str, float | int]:
    chats = max(1, messages // 2)
    now = dt.datetime.now(dt.UTC)
    fake = FakeTelegram(limits=Limits())  # Telegram's limits, on real time
    await fake.start()
    try:
        for chat in range(1, chats + 1):
            fake.user(1_000_000 + chat)
        rows = [
            Notification(
                chat_id=1_000_000 + (i % chats) + 1,
                kind="reminder",
                text=f"⏰ <b>Nhắc ca trực</b>: ca của bạn bắt đầu sau 2 giờ nữa. #{i}",
                parse_mode="HTML",
                reply_markup=assignment_buttons(i, "vi"),
                dedupe_key=f"bench:{i}",
                due_at=now - dt.timedelta(seconds=1),
                expires_at=now + dt.timedelta(hours=2),
                status=NotificationStatus.PENDING,
                attempts=0,
                last_error="",
                created_at=now,
            )
            for i in range(messages)
        ]
        await _chunks(rows)
        settings = Settings(telegram_token=fake.token, telegram_api_url=fake.api_base)
        bot = Bot(
            fake.token,
            base_url=fake.api_base,
            request=HTTPXRequest(connection_pool_size=CONNECTION_POOL, pool_timeout=10.0),
        )
        dispatcher = Dispatcher(bot, settings, concurrency=DISPATCH_CONCURRENCY)
        started = time.perf_counter()
        stats = await dispatcher.drain()
        elapsed = time.perf_counter() - started
        await bot.shutdown()
        times = sorted(m.at for m in fake.sent)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        sent_rows = await Notification.filter(status=NotificationStatus.SENT).count()
        unique = len({(m.chat_id, m.text) for m in fake.sent})
        return {
            "messages": messages,
            "chats": chats,
            "sent": len(fake.sent),
            "unique": unique,
            "rows_sent": sent_rows,
            "count_429": fake.count_429,
            "retried": stats.retried,
            "seconds": elapsed,
            "rate": (len(times) - 1) / span if span else float("nan"),
        }
    finally:
        await fake.stop()


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


async def bench_materialise(assignments: int) -> dict[str, float | int]:
    _progress(f"creating {assignments} assignments")
    await Notification.all().delete()
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    unit = await Unit.create(code="BENCH", name="Bench unit", kind=UnitKind.COMMUNE_POLICE)
    campaign = await Campaign.create(
        name="Bench",
        kind=CampaignKind.CUSTOM,
        year=today.year,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=3),
    )
    per_shift = 20
    shift_count = assignments // per_shift
    stations = [
        Station(campaign=campaign, unit=unit, code=f"B{n}", name=f"Trạm {n}")
        for n in range(max(1, shift_count // 25))
    ]
    await _chunks(stations)
    stations = await Station.filter(campaign_id=campaign.id).order_by("id")
    shifts = []
    for n in range(shift_count):
        start = now + dt.timedelta(minutes=90 + (n * 7) % (22 * 60))
        shifts.append(
            Shift(
                station=stations[n % len(stations)],
                starts_at=start,
                ends_at=start + dt.timedelta(hours=4),
                needs={ShiftRole.VOLUNTEER.value: per_shift},
            )
        )
    await _chunks(shifts)
    shift_ids = await Shift.all().order_by("id").values_list("id", flat=True)
    volunteer_count = 5000
    volunteers = [
        Volunteer(
            full_name=f"Tình nguyện viên {n}",
            search_name=f"tinh nguyen vien {n}",
            phone=f"+8491{n:07d}",
            telegram_user_id=2_000_000 + n,
            telegram_chat_id=2_000_000 + n,
        )
        for n in range(volunteer_count)
    ]
    await _chunks(volunteers)
    volunteer_ids = await Volunteer.all().order_by("id").values_list("id", flat=True)
    rows = [
        Assignment(
            shift_id=shift_id,
            volunteer_id=volunteer_ids[(s * per_shift + k) % volunteer_count],
            role=ShiftRole.VOLUNTEER,
            status=AssignmentStatus.ASSIGNED,
        )
        for s, shift_id in enumerate(shift_ids)
        for k in range(per_shift)
    ]
    await _chunks(rows)
    _progress("materialising reminders")
    started = time.perf_counter()
    result = await materialise_reminders(
        now=now, lead_hours=(24.0, 2.0), horizon=dt.timedelta(days=2)
    )
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    again = await materialise_reminders(
        now=now, lead_hours=(24.0, 2.0), horizon=dt.timedelta(days=2)
    )
    rerun = time.perf_counter() - started
    return {
        "assignments": result.assignments,
        "created": result.created,
        "seconds": elapsed,
        "rerun_created": again.created,
        "rerun_seconds": rerun,
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000, help="due reminders to send")
    parser.add_argument("--assignments", type=int, default=100_000, help="assignments to remind")
    parser.add_argument("--skip-dispatch", action="store_true")
    parser.add_argument("--skip-materialise", action="store_true")
    args = parser.parse_args()
    if args.messages < 2 or args.assignments < 20:
        parser.error("--messages must be at least 2 and --assignments at least 20")
    admin = os.environ.get("WAYSTATION_BENCH_POSTGRES_URL", DEFAULT_URL)
    ok = True
    async with scratch_database(admin) as url:
        await db.migrate(url)
        await db.init_db(url)
        try:
            if not args.skip_dispatch:
                d = await bench_dispatch(args.messages)
                print(
                    f"dispatch: {d['sent']} sent ({d['unique']} distinct, {d['rows_sent']} rows "
                    f"marked sent) to {d['chats']} chats in {d['seconds']:.1f} s; "
                    f"sustained {d['rate']:.2f} msg/s; 429 answers: {d['count_429']}"
                )
                ok &= (
                    d["rate"] >= TARGET_RATE
                    and d["count_429"] == 0
                    and d["unique"] == d["sent"] == d["rows_sent"] == args.messages
                )
            if not args.skip_materialise:
                m = await bench_materialise(args.assignments)
                print(
                    f"materialise: {m['assignments']} assignments → {m['created']} reminders "
                    f"in {m['seconds']:.1f} s (run again: {m['rerun_created']} new in "
                    f"{m['rerun_seconds']:.1f} s)"
                )
                ok &= m["seconds"] < TARGET_MATERIALISE_SECONDS
        finally:
            await db.close_db()
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
