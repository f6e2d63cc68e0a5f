"""The scheduler's reminders job on the nationwide dataset: its runs when nothing is new.

The job runs every minute. On a Tết morning at 1,000 stations its run must cost little when
nothing changed (issue 13: under 0.5 s), or the reminders it should send wait behind it.
``write_morning_reminders`` runs it once at the dataset's ``now`` (the morning's reminders go
into the outbox, as they would have), then ``time_quiet_runs`` runs it again minute after
minute, each time with nothing new, and times it. Whatever ``scheduler.jobs`` does today is
what is measured: the full rescan before issue 13, the incremental run after it.
"""

from __future__ import annotations

import datetime as dt
import inspect
import statistics
import time
from dataclasses import dataclass
from typing import Any

from scheduler import jobs
from stations import clock, db
from stations.services import reminders
from stations.settings import Settings

SECRET_KEY = "bench-" + "k" * 40


@dataclass(frozen=True)
class QuietRuns:
    """Timings of the job's runs with nothing new; ``created`` should stay 0."""

    wall_s: list[float]
    cpu_s: list[float]
    created: int

    @property
    def seconds(self) -> float:
        """The worst run's wall time."""
        return max(self.wall_s)

    def __str__(self) -> str:
        return (
            f"{len(self.wall_s)} runs with nothing new: wall median "
            f"{statistics.median(self.wall_s):.3f} s, worst {self.seconds:.3f} s; this "
            f"process's CPU median {statistics.median(self.cpu_s):.3f} s; "
            f"{self.created} reminder(s) written"
        )


async def _run_job(url: str, moment: dt.datetime, started_at: dt.datetime) -> int:
    options: dict[str, Any] = {
        "now": moment,
        "settings": Settings(database_url=url, secret_key=SECRET_KEY),
    }
    if "started_at" in inspect.signature(jobs.job_materialise_reminders).parameters:
        options["started_at"] = started_at  # the incremental job: a full rescan only once
    with clock.use_clock(clock.FrozenClock(moment)):
        return int(await jobs.job_materialise_reminders(**options))


async def write_morning_reminders(url: str, now: dt.datetime) -> tuple[int, dt.datetime]:
    """The job's first run at ``now`` (it writes the reminders in its horizon), and the runs
    after it until a quiet state; returns what was written and the moment to go on from."""
    await db.init_db(url)
    try:
        created = await _run_job(url, now, now)
        # The incremental job re-reads the rows of its last minutes (its overlap): step past it.
        moment = now + getattr(reminders, "OVERLAP", dt.timedelta(0)) + dt.timedelta(minutes=1)
        created += await _run_job(url, moment, now)
    finally:
        await db.close_db()
    return created, moment


async def time_quiet_runs(
    url: str, *, started_at: dt.datetime, after: dt.datetime, runs: int
) -> tuple[QuietRuns, dt.datetime]:
    """``runs`` runs of the job a minute apart from ``after``; and the last moment."""
    walls, cpus, created = [], [], 0
    moment = after
    await db.init_db(url)
    try:
        for _ in range(runs):
            moment += dt.timedelta(minutes=1)
            cpu, wall = time.process_time(), time.perf_counter()
            created += await _run_job(url, moment, started_at)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    finally:
        await db.close_db()
    return QuietRuns(walls, cpus, created), moment
