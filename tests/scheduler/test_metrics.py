"""The dispatcher's and the jobs' figures move as it works: a reminder sent is counted with
its lateness, a job run is counted and timed, and a replica's heartbeat is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client import REGISTRY

from scheduler.app import run_job
from scheduler.jobs import job_heartbeat
from stations.models import ProcessHeartbeat
from stations.services.heartbeats import process_name
from stations.services.outbox import enqueue_notification
from tests.scheduler.helpers import dispatcher_for, linked_volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_reminder_sent_moves_the_sent_counter_and_its_lateness(
    db, clock, fake, bot, settings, vtime
):
    volunteer = await linked_volunteer(fake)
    await enqueue_notification(
        chat_id=volunteer.telegram_chat_id,
        volunteer=volunteer,
        kind="reminder",
        text="Ca trực sắp bắt đầu",
        dedupe_key="r:metrics",
        due_at=clock.now() - dt.timedelta(seconds=30),
    )
    sent_before = _sample("waystation_outbox_sent_total", kind="reminder")
    late_before = _sample("waystation_outbox_lateness_seconds_count", kind="reminder")
    late_sum_before = _sample("waystation_outbox_lateness_seconds_sum", kind="reminder")
    attempts_before = _sample("waystation_outbox_attempts_total", result="sent")

    await dispatcher_for(bot, settings, vtime).drain()

    assert _sample("waystation_outbox_sent_total", kind="reminder") - sent_before == 1
    assert _sample("waystation_outbox_attempts_total", result="sent") - attempts_before == 1
    assert _sample("waystation_outbox_lateness_seconds_count", kind="reminder") - late_before == 1
    lateness = _sample("waystation_outbox_lateness_seconds_sum", kind="reminder") - late_sum_before
    assert lateness >= 30


async def test_job_runs_are_counted_by_outcome(db, clock):
    async def broken(*, now: dt.datetime) -> int:
        raise RuntimeError("boom")

    async def fine(*, now: dt.datetime) -> int:
        return 3

    ok_before = _sample("waystation_scheduler_job_runs_total", job="probe", outcome="ok")
    error_before = _sample("waystation_scheduler_job_runs_total", job="probe", outcome="error")

    assert await run_job("probe", fine) == 3
    assert await run_job("probe", broken) is None

    assert (
        _sample("waystation_scheduler_job_runs_total", job="probe", outcome="ok") == ok_before + 1
    )
    assert (
        _sample("waystation_scheduler_job_runs_total", job="probe", outcome="error")
        == error_before + 1
    )
    assert _sample("waystation_scheduler_job_duration_seconds_count", job="probe") >= 2


async def test_the_heartbeat_job_records_this_replica_once(db, clock):
    started = clock.now()
    await job_heartbeat(now=started, started_at=started)
    clock.advance(dt.timedelta(seconds=30))
    await job_heartbeat(now=clock.now(), started_at=started)

    [row] = await ProcessHeartbeat.all()
    assert (row.name, row.role) == (process_name("scheduler"), "scheduler")
    assert (row.started_at, row.seen_at) == (started, clock.now())
