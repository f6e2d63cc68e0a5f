"""The APScheduler instance: the clock that runs the jobs in each scheduler process.

A memory job store in every process (APScheduler's FAQ: job stores must never be shared
between schedulers); what must happen lives in the database (the outbox), and every job
is idempotent, so several scheduler processes may run the same jobs. Jobs that run at a
time of day (the daily summary at 20:00 and 06:00, the 07:00 list of gaps) also run once at
start: a scheduler that was down at 20:00 sends the day so far when it comes back that
evening, and the whole of yesterday when it comes back after 06:00.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler import jobs
from stations import clock
from stations.clock import VN_TZ
from stations.metrics import JOB_DURATION, JOB_RUNS
from stations.settings import Settings

log = logging.getLogger(__name__)

Job = Callable[..., Awaitable[int]]

#: The jobs running now in this process, so a stop can let them finish: APScheduler's own
#: shutdown cancels them wherever they are, and a job cancelled while its transaction
#: begins or ends leaves tortoise's connection (SQLite's one lock, a PostgreSQL pool slot)
#: taken for good.
RUNNING: set[asyncio.Task[Any]] = set()
#: How long a stop waits for them.
FINISH_WITHIN = 30.0


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    """An AsyncIOScheduler (not started) with every clock job of the service."""
    scheduler = AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": AsyncIOExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=VN_TZ,
    )
    start = dt.datetime.now(VN_TZ)
    started_at = clock.now()
    reminders = functools.partial(
        jobs.job_materialise_reminders, settings=settings, started_at=started_at
    )
    heartbeat = functools.partial(jobs.job_heartbeat, started_at=started_at)
    plan: list[tuple[str, Job, IntervalTrigger | CronTrigger]] = [
        ("heartbeat", heartbeat, IntervalTrigger(seconds=30, timezone=VN_TZ)),
        ("reminders", reminders, IntervalTrigger(minutes=1, timezone=VN_TZ)),
        ("shift_follow_up", jobs.job_shift_follow_up, IntervalTrigger(minutes=1, timezone=VN_TZ)),
        ("low_stock_sweep", jobs.job_low_stock_sweep, IntervalTrigger(minutes=5, timezone=VN_TZ)),
        ("daily_figures", jobs.job_daily_figures, IntervalTrigger(minutes=1, timezone=VN_TZ)),
        ("closing_reports", jobs.job_closing_reports, IntervalTrigger(minutes=10, timezone=VN_TZ)),
        (
            "daily_summary",
            jobs.job_daily_summary,
            CronTrigger(hour="6,20", minute=0, timezone=VN_TZ),
        ),
        (
            "unfilled_shifts",
            jobs.job_unfilled_shifts,
            CronTrigger(hour=7, minute=0, timezone=VN_TZ),
        ),
    ]
    for name, job, trigger in plan:
        scheduler.add_job(
            run_job,
            trigger,
            args=[name, job],
            id=name,
            name=name,
            next_run_time=start,
            replace_existing=True,
        )
    return scheduler


async def run_job(name: str, job: Job) -> int | None:
    """Run one job at the current moment; an error is logged, the next run tries again."""
    started = time.perf_counter()
    outcome = "error"
    task = asyncio.current_task()
    if task is not None:
        RUNNING.add(task)
    try:
        result = await job(now=clock.now())
        outcome = "ok"
        return result
    except Exception:
        log.exception("scheduler job %s failed", name)
        return None
    finally:
        if task is not None:
            RUNNING.discard(task)
        JOB_RUNS.labels(name, outcome).inc()
        JOB_DURATION.labels(name).observe(time.perf_counter() - started)


async def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    """Stop starting jobs, let the running ones finish (up to ``FINISH_WITHIN`` seconds),
    then shut the scheduler down."""
    scheduler.pause()
    running = [task for task in RUNNING if not task.done()]
    if running:
        _done, late = await asyncio.wait(running, timeout=FINISH_WITHIN)
        if late:
            log.warning("scheduler stopping with %s job(s) still running", len(late))
    scheduler.shutdown(wait=False)
