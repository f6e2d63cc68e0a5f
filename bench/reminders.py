"""Benchmark of the reminders job (a script, not a test): ``python bench/reminders.py``.

100,000 assignments (default) on shifts starting on the hour over the next 22 hours, every
volunteer on Telegram, their reminders already in the outbox: the steady state of a large
campaign, minute after minute. Then, alternating in the same run:

- **full rescan** — ``materialise_reminders``, what the job did every minute before it
  became incremental: reads every assignment in the horizon and finds nothing to write;
- **incremental** — ``materialise_new_reminders``, what the job does now, one minute later
  each time (the horizon moves, no shift enters it, nothing changed).

Then **busy**: incremental runs while ``--changes`` assignments (default 50) are confirmed
every minute, measured once the overlap is full.

Reports per run: wall time, this process's CPU time, and the CPU time PostgreSQL's backends
spent (from ``/proc``, the server runs on the same host), each the median of ``--runs``, and
the ratio incremental / full rescan of each. Goal: an incremental run with nothing new under
0.5 s. Both write nothing (checked).

Runs on a fresh PostgreSQL database created next to ``WAYSTATION_BENCH_POSTGRES_URL``
(default ``postgres://postgres@127.0.0.1:5432/test``) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise.connection import connections

from bench.scratch_database import scratch_database
from bench.shift_world import PER_SHIFT, build_assignments
from stations import db
from stations.enums import AssignmentStatus
from stations.models import Assignment, Notification
from stations.services import reminder_changes
from stations.services.reminders import (
    OVERLAP,
    MaterialiseResult,
    materialise_new_reminders,
    materialise_reminders,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
LEADS = (24.0, 2.0)
#: the scheduler job's horizon (scheduler/jobs.py)
HORIZON = dt.timedelta(hours=6)
GOAL_SECONDS = 0.5
TICKS = os.sysconf("SC_CLK_TCK")


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


async def _server_cpu() -> float:
    """CPU seconds spent so far by the database's backends (same host: /proc)."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    )
    return _cpu_seconds([row["pid"] for row in rows])


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@dataclass
class Sample:
    wall: float
    cpu: float
    server_cpu: float
    assignments: int
    created: int


async def _measure(run: Callable[[], Awaitable[MaterialiseResult]]) -> Sample:
    server = await _server_cpu()
    cpu = time.process_time()
    wall = time.perf_counter()
    result = await run()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    server = await _server_cpu() - server
    return Sample(wall, cpu, server, result.assignments, result.created)


def _median(samples: list[Sample], name: str) -> float:
    return statistics.median(getattr(s, name) for s in samples)


def _reading(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


async def _busy_minutes(
    incremental: Callable[[dt.datetime], Awaitable[MaterialiseResult]],
    at: dt.datetime,
    per_minute: int,
    runs: int,
) -> list[Sample]:
    """Volunteers confirming all the time: ``per_minute`` assignments change before each
    run; measured once the overlap is full (every run then reads its last minutes again)."""
    ids = (
        await Assignment.filter(status=AssignmentStatus.ASSIGNED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    samples = []
    minutes = int(OVERLAP.total_seconds() // 60) + 1
    # The runs' clock moves a minute a run, faster than the system's: the writers' clock
    # (which caps the job's watermark) must move with it, and the changes are stamped on it.
    system_clock = reminder_changes.writers_now
    try:
        for minute in range(minutes + runs):
            at += dt.timedelta(minutes=1)
            reminder_changes.writers_now = _reading(at)
            batch = ids[minute * per_minute : (minute + 1) * per_minute]
            for n, assignment_id in enumerate(batch):  # one by one, as volunteers confirm
                stamp = at - dt.timedelta(minutes=1) + dt.timedelta(seconds=50 * n / len(batch))
                await Assignment.filter(id=assignment_id).update(
                    status=AssignmentStatus.CONFIRMED, updated_at=stamp
                )
            sample = await _measure(functools.partial(incremental, at))
            if minute >= minutes:
                samples.append(sample)
    finally:
        reminder_changes.writers_now = system_clock
    return samples


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7, help="runs of each, alternating")
    parser.add_argument(
        "--changes", type=int, default=50, help="assignments confirmed a minute (busy runs)"
    )
    args = parser.parse_args()
    if args.assignments < PER_SHIFT or not 1 <= args.runs <= 40:
        parser.error("--assignments must be at least 20 and --runs between 1 and 40")
    admin = os.environ.get("WAYSTATION_BENCH_POSTGRES_URL", DEFAULT_URL)
    # Five minutes past the next hour: the runs below stay inside the hour, so no shift
    # enters the horizon (shifts start on the hour); ahead of the rows' updated_at (the
    # job's watermark keeps a row stamped ahead of its clock in view).
    now = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(
        minute=5, second=0, microsecond=0
    )
    async with scratch_database(admin) as url:
        await db.migrate(url)
        await db.init_db(url)
        try:
            _progress(f"creating {args.assignments} assignments")
            started = time.perf_counter()
            await build_assignments(args.assignments, args.volunteers, now)
            _progress(f"built in {time.perf_counter() - started:.0f} s; writing the reminders")

            async def incremental(at: dt.datetime) -> MaterialiseResult:
                return await materialise_new_reminders(now=at, lead_hours=LEADS, horizon=HORIZON)

            first = await incremental(now)
            written = await Notification.all().count()
            _progress(f"{first.created} reminders written; letting the overlap pass")
            # The rows just loaded are inside the overlap: the next run reads them again
            # (many: a rescan), after which the runs start from a quiet state.
            at = now + OVERLAP + dt.timedelta(minutes=1)
            await incremental(at)
            full: list[Sample] = []
            quick: list[Sample] = []
            for _ in range(args.runs):
                at += dt.timedelta(minutes=1)
                full.append(
                    await _measure(
                        functools.partial(
                            materialise_reminders, now=at, lead_hours=LEADS, horizon=HORIZON
                        )
                    )
                )
                quick.append(await _measure(functools.partial(incremental, at)))
            unchanged = await Notification.all().count() == written
            busy = await _busy_minutes(incremental, at, args.changes, args.runs)
        finally:
            await db.close_db()
    created = sum(s.created for s in full + quick)
    print(
        f"reminders: {args.assignments} assignments, {written} reminders in the outbox; "
        f"{args.runs} runs of each, medians"
    )
    for name, samples in (("full rescan", full), ("incremental", quick)):
        print(
            f"  {name:<12} wall {_median(samples, 'wall') * 1000:8.1f} ms  "
            f"cpu {_median(samples, 'cpu') * 1000:8.1f} ms  "
            f"server cpu {_median(samples, 'server_cpu') * 1000:8.1f} ms  "
            f"assignments read {_median(samples, 'assignments'):.0f}"
        )
    print(
        f"  {'busy':<12} wall {_median(busy, 'wall') * 1000:8.1f} ms  "
        f"cpu {_median(busy, 'cpu') * 1000:8.1f} ms  "
        f"server cpu {_median(busy, 'server_cpu') * 1000:8.1f} ms  "
        f"assignments read {_median(busy, 'assignments'):.0f}  "
        f"({args.changes} assignments confirmed a minute, changes of the last "
        f"{OVERLAP.total_seconds() / 60:.0f} minutes looked at again)"
    )
    ratios = {
        name: _median(quick, name) / max(_median(full, name), 1e-9)
        for name in ("wall", "cpu", "server_cpu")
    }
    print(
        "  ratio incremental / full rescan: "
        + ", ".join(f"{name} {value:.4f}" for name, value in ratios.items())
    )
    ok = _median(quick, "wall") < GOAL_SECONDS and created == 0 and unchanged
    print(
        f"goal: incremental run with nothing new < {GOAL_SECONDS} s, nothing written: "
        + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
