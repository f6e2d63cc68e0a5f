"""Benchmark of the scheduler (a script, not a test): ``python bench/dispatch.py``.

1. A wave: N reminders (default 20,000) all meant to arrive at one moment (the 2-hour
   reminders of N volunteers whose shifts start together), sent by the real dispatcher(s)
   and delivery code to the fake Bot API enforcing Telegram's limits (30 messages/s
   overall, 1/s per chat with a burst of 3, 20/min per group) on a *compressed clock*: a
   discrete-event timeline on which minutes of waiting pass at once and every send still
   costs its real work (HTTP to the fake server, the database). Honest about the limits:
   besides volunteers with one reminder, some chats get several close together and some
   are group chats; a few urgent messages (no-show alerts) arrive while the wave is under
   way. Reports the on-time share (arrived by the deliver-by), lateness after the
   deliver-by (p50/p95/p99/max), how early the wave started, the 429 answers, the rate and
   the busiest second, the urgent messages' wait, and that every row was sent exactly
   once; the same wave without sending ahead (``--send-ahead 0``, how the dispatcher
   worked before) is measured in the same run as the baseline.
2. Materialise: the reminders of 100,000 assignments written into the outbox by
   ``materialise_reminders`` (target: under 60 s).

Runs on a fresh PostgreSQL database created next to ``WAYSTATION_BENCH_POSTGRES_URL``
(default ``postgres://postgres@127.0.0.1:5432/test``) and dropped afterwards.
``measure_wave`` is reusable: ``bench/nation.py`` calls it on its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Bot
from telegram.request import HTTPXRequest
from tortoise.connection import connections
from tortoise.exceptions import ConfigurationError

from bench.scratch_database import scratch_database
from bench.shift_world import build_assignments, bulk_insert
from stations import clock, db
from stations.enums import (
    NotificationStatus,
)
from stations.models import (
    Notification,
    SendBudget,
)
from stations.services.reminders import assignment_buttons, materialise_reminders
from stations.settings import Settings
from tests.fake_telegram.limits import Limits
from tests.fake_telegram.server import FakeTelegram
from tests.scheduler.helpers import VirtualTime
from tests.scheduler.timeline import Timeline

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
TARGET_ON_TIME = 1.0
TARGET_MATERIALISE_SECONDS = 60.0
#: Every row the wave writes carries this prefix, and is deleted afterwards.
WAVE_KEY = "bench-wave:"
#: The wave is meant to arrive this long after the send-ahead window opens (on the
#: compressed clock): the dispatcher, not the bench, decides when to start.
WAVE_AFTER_WINDOW = dt.timedelta(minutes=1)
URGENT_MESSAGES = 20


def _wave_chats(messages: int) -> list[tuple[int, int]]:
    """(chat id, messages to it): 85 % volunteers with one reminder, 10 % of the messages
    to chats that get 3 close together, 5 % to station groups that get 10 each."""
    grouped = messages * 5 // 100 // 10
    several = messages * 10 // 100 // 3
    single = messages - grouped * 10 - several * 3
    chats = [(10_000_000 + n, 1) for n in range(single)]
    chats += [(20_000_000 + n, 3) for n in range(several)]
    chats += [(-30_000_000 - n, 10) for n in range(grouped)]
    return chats


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _busiest_second(times: list[float]) -> int:
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - 1.0 + 1e-6:
            first += 1
        most = max(most, last - first + 1)
    return most


def _connected() -> bool:
    try:
        connections.get("default")
    except ConfigurationError:
        return False
    return True


async def measure_wave(
    *,
    database_url: str,
    messages: int = 20_000,
    replicas: int = 1,
    send_rate: float = 30.0,
    bot_reply_reserve: float = 5.0,
    send_ahead_minutes: float = 30.0,
    seed: int = 13,
) -> dict[str, Any]:
    """Send a wave of ``messages`` reminders meant to arrive at one moment through
    ``replicas`` dispatchers on a compressed clock; what arrived when, and at what cost.

    Uses Tortoise's connections if they are open already (``bench/nation.py``), otherwise
    opens ``database_url`` (migrated) for the call. The wave's rows are deleted afterwards.
    """
    opened = not _connected()
    if opened:
        await db.init_db(database_url)
    try:
        return await _measure_wave(
            messages=messages,
            replicas=replicas,
            settings_values={
                "send_rate": send_rate,
                "bot_reply_reserve": bot_reply_reserve,
                "send_ahead_minutes": send_ahead_minutes,
            },
            seed=seed,
        )
    finally:
        if opened:
            await db.close_db()


async def _measure_wave(
    *, messages: int, replicas: int, settings_values: dict[str, float], seed: int
) -> dict[str, Any]:
    await Notification.filter(dedupe_key__startswith=WAVE_KEY).delete()
    await SendBudget.all().delete()
    # The wall clock's present, frozen and moved only by the timeline.
    frozen = clock.FrozenClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    try:
        with clock.use_clock(frozen):
            return await _send_wave(
                frozen,
                messages=messages,
                replicas=replicas,
                settings_values=settings_values,
                seed=seed,
            )
    finally:
        await Notification.filter(dedupe_key__startswith=WAVE_KEY).delete()
        await SendBudget.all().delete()


async def _send_wave(
    frozen: clock.FrozenClock,
    *,
    messages: int,
    replicas: int,
    settings_values: dict[str, float],
    seed: int,
) -> dict[str, Any]:
    vtime = VirtualTime(frozen)
    fake = FakeTelegram(limits=Limits(), time_source=vtime)
    await fake.start()
    bots: list[Bot] = []
    try:
        now = frozen.now()
        window = dt.timedelta(minutes=settings_values["send_ahead_minutes"])
        deliver_by = now + window + WAVE_AFTER_WINDOW
        chats = _wave_chats(messages)
        for chat_id, _n in chats:
            if chat_id > 0:
                fake.user(chat_id)
            else:
                fake.group(chat_id, title=f"Trạm {-chat_id}")
        rows = [
            Notification(
                chat_id=chat_id,
                kind="reminder",
                text=f"⏰ <b>Nhắc ca trực</b>: ca của bạn bắt đầu sau 2 giờ nữa. #{chat_id}/{i}",
                parse_mode="HTML",
                reply_markup=assignment_buttons(abs(chat_id) * 10 + i, "vi"),
                dedupe_key=f"{WAVE_KEY}{chat_id}:{i}",
                due_at=deliver_by,
                expires_at=deliver_by + dt.timedelta(hours=2),
                status=NotificationStatus.PENDING,
                attempts=0,
                last_error="",
                created_at=now,
            )
            for chat_id, n in chats
            for i in range(n)
        ]
        await bulk_insert(rows)
        settings = Settings(telegram_token=fake.token, telegram_api_url=fake.api_base)._replace(
            **settings_values
        )
        timeline = Timeline(vtime)
        for n in range(replicas):
            bot = Bot(
                fake.token,
                base_url=fake.api_base,
                request=HTTPXRequest(connection_pool_size=8, pool_timeout=10.0),
            )
            bots.append(bot)
            timeline.dispatcher(f"replica-{n}", bot, settings)
        urgent_chats = list(range(40_000_000, 40_000_000 + URGENT_MESSAGES))
        for chat_id in urgent_chats:
            fake.user(chat_id)
        raised: dict[int, float] = {}
        rng = random.Random(seed)
        # Urgent messages while the wave is under way (in the minutes before its deadline,
        # and after it, for a wave that runs late).
        wave_start = timeline.seconds(deliver_by) - messages / settings.dispatch_rate
        for chat_id in urgent_chats:
            at = wave_start + rng.uniform(0, 1.5 * messages / settings.dispatch_rate)

            async def alert(chat_id: int = chat_id) -> None:
                raised[chat_id] = vtime()
                await Notification.create(
                    chat_id=chat_id,
                    kind="no_show",
                    text="Chưa thấy tình nguyện viên đến ca",
                    dedupe_key=f"{WAVE_KEY}urgent:{chat_id}",
                    due_at=frozen.now(),
                    status=NotificationStatus.PENDING,
                    created_at=frozen.now(),
                )

            timeline.at(at, alert)
        total = messages + URGENT_MESSAGES
        started = time.perf_counter()
        cpu_started = time.process_time()
        await timeline.run(
            until=lambda: len(fake.sent) >= total,
            limit=timeline.seconds(deliver_by) + 3600,
        )
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        deadline = timeline.seconds(deliver_by)
        wave = [m for m in fake.sent if m.chat_id not in raised]
        times = sorted(m.at for m in wave)
        lateness = [max(0.0, at - deadline) for at in times]
        urgent_waits = [m.at - raised[m.chat_id] for m in fake.sent if m.chat_id in raised]
        per_chat: dict[int, list[float]] = {}
        for m in wave:
            per_chat.setdefault(m.chat_id, []).append(m.at)
        closest_private = min(
            (
                b - a
                for chat, at in per_chat.items()
                if chat > 0
                for a, b in itertools.pairwise(sorted(at))
            ),
            default=float("nan"),
        )
        closest_group = min(
            (
                b - a
                for chat, at in per_chat.items()
                if chat < 0
                for a, b in itertools.pairwise(sorted(at))
            ),
            default=float("nan"),
        )
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        rows_sent = await Notification.filter(
            dedupe_key__startswith=WAVE_KEY, kind="reminder", status=NotificationStatus.SENT
        ).count()
        return {
            "messages": messages,
            "replicas": replicas,
            "send_ahead_minutes": settings.send_ahead_minutes,
            "dispatch_rate": settings.dispatch_rate,
            "chats": len(chats),
            "group_chats": sum(1 for chat_id, _n in chats if chat_id < 0),
            "sent": len(wave),
            "unique": len({(m.chat_id, m.text) for m in wave}),
            "rows_sent": rows_sent,
            "on_time_share": sum(1 for at in times if at <= deadline) / messages,
            "lateness_p50": _quantile(lateness, 0.50),
            "lateness_p95": _quantile(lateness, 0.95),
            "lateness_p99": _quantile(lateness, 0.99),
            "lateness_max": max(lateness, default=0.0),
            "started_before_deadline": deadline - times[0] if times else 0.0,
            "finished_before_deadline": deadline - times[-1] if times else 0.0,
            "count_429": fake.count_429,
            "rate": (len(times) - 1) / span if span else float("nan"),
            "busiest_second": _busiest_second([m.at for m in fake.sent]),
            "closest_private_gap": closest_private,
            "closest_group_gap": closest_group,
            "urgent": len(urgent_waits),
            "urgent_wait_median": statistics.median(urgent_waits) if urgent_waits else 0.0,
            "urgent_wait_max": max(urgent_waits, default=0.0),
            "wall_seconds": wall,
            "cpu_seconds": cpu,
        }
    finally:
        for bot in bots:
            await bot.shutdown()
        await fake.stop()


def _wave_line(name: str, d: dict[str, Any]) -> str:
    return (
        f"{name}: {d['sent']}/{d['messages']} sent ({d['unique']} distinct, {d['rows_sent']} "
        f"rows marked sent) to {d['chats']} chats ({d['group_chats']} groups) by "
        f"{d['replicas']} replica(s) at ≤ {d['dispatch_rate']:g} msg/s, send-ahead "
        f"{d['send_ahead_minutes']:g} min; on time {d['on_time_share']:.1%}; lateness p50/p95/"
        f"p99/max {d['lateness_p50']:.0f}/{d['lateness_p95']:.0f}/{d['lateness_p99']:.0f}/"
        f"{d['lateness_max']:.0f} s; first and last sent {-d['started_before_deadline']:+.0f} s "
        f"and {-d['finished_before_deadline']:+.0f} s from the deadline; {d['rate']:.2f} msg/s, "
        f"busiest second {d['busiest_second']}; 429 answers: {d['count_429']}; closest sends "
        f"to one chat {d['closest_private_gap']:.2f} s, to one group "
        f"{d['closest_group_gap']:.2f} s; {d['urgent']} urgent waited median "
        f"{d['urgent_wait_median']:.1f} s, max {d['urgent_wait_max']:.1f} s; "
        f"{d['wall_seconds']:.0f} s wall, {d['cpu_seconds']:.0f} s CPU of this process"
    )


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


async def bench_materialise(assignments: int) -> dict[str, float | int]:
    _progress(f"creating {assignments} assignments")
    await Notification.all().delete()
    now = dt.datetime.now(dt.UTC)
    # Spread over the day, seven minutes apart: not a wave, the reminders job's daily work.
    await build_assignments(
        assignments,
        5000,
        now,
        start_of=lambda n: now + dt.timedelta(minutes=90 + (n * 7) % (22 * 60)),
    )
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
    parser.add_argument("--messages", type=int, default=20_000, help="reminders in the wave")
    parser.add_argument("--replicas", type=int, default=2, help="dispatchers sharing the budget")
    parser.add_argument("--send-ahead", type=float, default=30.0, help="minutes (setting)")
    parser.add_argument("--skip-baseline", action="store_true", help="no run without send-ahead")
    parser.add_argument("--assignments", type=int, default=100_000, help="assignments to remind")
    parser.add_argument("--skip-dispatch", action="store_true")
    parser.add_argument("--skip-materialise", action="store_true")
    args = parser.parse_args()
    if args.messages < 200 or args.assignments < 20 or args.replicas < 1:
        parser.error("--messages ≥ 200, --assignments ≥ 20 and --replicas ≥ 1, please")
    admin = os.environ.get("WAYSTATION_BENCH_POSTGRES_URL", DEFAULT_URL)
    ok = True
    async with scratch_database(admin) as url:
        await db.migrate(url)
        await db.init_db(url)
        try:
            if not args.skip_dispatch:
                if not args.skip_baseline:
                    base = await measure_wave(
                        database_url=url,
                        messages=args.messages,
                        replicas=args.replicas,
                        send_ahead_minutes=0,
                    )
                    print(_wave_line("baseline (no send-ahead)", base), flush=True)
                d = await measure_wave(
                    database_url=url,
                    messages=args.messages,
                    replicas=args.replicas,
                    send_ahead_minutes=args.send_ahead,
                )
                print(_wave_line("wave", d), flush=True)
                ok &= (
                    d["on_time_share"] >= TARGET_ON_TIME
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
