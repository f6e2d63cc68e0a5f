"""The APScheduler instance and its jobs: which jobs, when, and a failing job's fate."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_STOPPED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler import jobs
from scheduler.app import build_scheduler, run_job, stop_scheduler
from stations.clock import VN_TZ
from stations.enums import AssignmentStatus
from stations.models import Assignment, JobCursor, Notification, StationDayFigures
from stations.settings import Settings
from tests.factories import vn
from tests.scheduler.helpers import shift_world


def test_build_scheduler_plans_every_job_in_a_memory_store():
    scheduler = build_scheduler(Settings())

    planned = {
        job.id: (type(job.trigger).__name__, str(job.trigger)) for job in scheduler.get_jobs()
    }
    assert isinstance(scheduler._jobstores["default"], MemoryJobStore)
    assert planned == {
        "heartbeat": ("IntervalTrigger", "interval[0:00:30]"),
        "reminders": ("IntervalTrigger", "interval[0:01:00]"),
        "shift_follow_up": ("IntervalTrigger", "interval[0:01:00]"),
        "low_stock_sweep": ("IntervalTrigger", "interval[0:05:00]"),
        "daily_figures": ("IntervalTrigger", "interval[0:01:00]"),
        "closing_reports": ("IntervalTrigger", "interval[0:10:00]"),
        "daily_summary": ("CronTrigger", "cron[hour='6,20', minute='0']"),
        "unfilled_shifts": ("CronTrigger", "cron[hour='7', minute='0']"),
    }
    assert all(isinstance(j.trigger, IntervalTrigger | CronTrigger) for j in scheduler.get_jobs())
    assert {str(j.trigger.timezone) for j in scheduler.get_jobs()} == {"Asia/Ho_Chi_Minh"}


async def test_run_job_passes_the_current_moment(db, clock):
    seen = []

    async def job(*, now):
        seen.append(now)
        return 3

    assert await run_job("probe", job) == 3
    assert seen == [clock.now()]


async def test_a_failing_job_is_logged_and_the_scheduler_carries_on(db, clock, caplog):
    async def broken(*, now):
        raise RuntimeError("database went away")

    result = await run_job("broken", broken)

    assert result is None
    assert "scheduler job broken failed" in caplog.text
    assert caplog.records[-1].levelno == logging.ERROR


async def test_reminder_job_uses_the_configured_lead_times(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    settings = Settings(reminder_hours=(3.5,))

    queued = await jobs.job_materialise_reminders(now=clock.now(), settings=settings)

    rows = await Notification.filter(volunteer_id=world.volunteer.id)
    assert queued == 2
    assert [(r.dedupe_key.split(":")[2], r.due_at) for r in rows] == [
        ("3.5", vn(2027, 2, 2, 8, 30))
    ]


@pytest.mark.parametrize(
    "job",
    [
        jobs.job_shift_follow_up,
        jobs.job_low_stock_sweep,
        jobs.job_daily_summary,
        jobs.job_unfilled_shifts,
        jobs.job_closing_reports,
        jobs.job_daily_figures,
    ],
)
async def test_jobs_on_an_empty_database_do_nothing(db, clock, job):
    assert await job(now=clock.now()) == 0
    assert await Notification.all().count() == 0


async def test_the_reminders_job_rescans_once_after_its_process_starts(db, clock):
    await shift_world(starts_at=vn(2027, 2, 2, 12))
    await jobs.job_materialise_reminders(now=clock.now(), settings=Settings())  # before
    clock.advance(dt.timedelta(minutes=1))
    job = build_scheduler(Settings()).get_job("reminders").args[1]

    await run_job("reminders", job)
    first = (await JobCursor.get(name="reminders")).rescanned_at
    clock.advance(dt.timedelta(minutes=1))
    await run_job("reminders", job)
    second = (await JobCursor.get(name="reminders")).rescanned_at

    assert (first, second) == (vn(2027, 2, 2, 8, 1), vn(2027, 2, 2, 8, 1))


async def test_the_daily_figures_job_recomputes_the_days_a_check_in_made_stale(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await Assignment.filter(id=world.assignment.id).update(status=AssignmentStatus.CHECKED_IN)

    assert await jobs.job_daily_figures(now=clock.now()) == 1
    assert await StationDayFigures.filter(station_id=world.station.id).count() == 1
    assert await jobs.job_daily_figures(now=clock.now()) == 0


async def test_stopping_lets_a_running_job_finish_instead_of_cancelling_it(db, clock):
    """APScheduler's shutdown cancels running jobs wherever they are: one cancelled while its
    transaction begins leaves the database connection taken for good."""
    scheduler = AsyncIOScheduler(timezone=VN_TZ)
    started, release = asyncio.Event(), asyncio.Event()
    finished = []

    async def slow(*, now):
        started.set()
        await release.wait()
        finished.append(now)
        return 1

    scheduler.add_job(run_job, args=["slow", slow], next_run_time=dt.datetime.now(VN_TZ))
    scheduler.start()
    await started.wait()
    stopping = asyncio.create_task(stop_scheduler(scheduler))
    await asyncio.sleep(0)

    assert (stopping.done(), scheduler.state) == (False, STATE_PAUSED)
    release.set()
    await stopping
    assert (finished, scheduler.state) == ([clock.now()], STATE_STOPPED)
