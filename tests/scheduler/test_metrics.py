"""The dispatcher's and the jobs' figures move as it works: a reminder sent is counted with
its lateness, a 429 as ``result="retry_after"`` and the message as retried, a message given
up as failed, a job run is counted and timed, and a replica's heartbeat is recorded; every
series the README's queries read is in a real ``/metrics`` scrape."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from telegram import Update

from bot.app import build_application
from scheduler.app import run_job
from scheduler.jobs import job_heartbeat
from stations.models import ProcessHeartbeat
from stations.services.heartbeats import process_name
from stations.services.outbox import enqueue_notification
from stations.web.app import create_app
from tests.scheduler.helpers import dispatcher_for, linked_volunteer
from tests.stations.web.conftest import TEST_SETTINGS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.integration,
    # PTB reads RetryAfter.retry_after itself while building the error (its v22.2 deprecation)
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

README = Path(__file__).resolve().parents[2] / "README.md"
METRICS_TOKEN = "metrics-token-0123456789"


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
    # A difference of two running float sums: equal to the microsecond, not to the last bit.
    assert round(lateness, 6) >= 30


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


async def _one_reminder(volunteer, key: str) -> None:
    await enqueue_notification(
        chat_id=volunteer.telegram_chat_id,
        volunteer=volunteer,
        kind="reminder",
        text="Ca trực sắp bắt đầu",
        dedupe_key=key,
    )


async def test_a_429_counts_as_retry_after_and_the_message_as_retried(
    db, clock, fake, bot, settings, vtime
):
    volunteer = await linked_volunteer(fake)
    await _one_reminder(volunteer, "r:429")
    fake.fail_next("sendMessage", error_code=429, description="Too Many Requests", retry_after=7)
    pushed_back = _sample("waystation_outbox_attempts_total", result="retry_after")
    retried = _sample("waystation_outbox_retried_total", kind="reminder")
    sent = _sample("waystation_outbox_sent_total", kind="reminder")
    dispatcher = dispatcher_for(bot, settings, vtime)

    await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=7))
    await dispatcher.drain()

    assert _sample("waystation_outbox_attempts_total", result="retry_after") - pushed_back == 1
    assert _sample("waystation_outbox_retried_total", kind="reminder") - retried == 1
    assert _sample("waystation_outbox_sent_total", kind="reminder") - sent == 1


async def test_a_message_given_up_moves_the_failed_counter(db, clock, fake, bot, settings, vtime):
    volunteer = await linked_volunteer(fake)
    await _one_reminder(volunteer, "r:bad")
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    attempts = _sample("waystation_outbox_attempts_total", result="failed")
    failed = _sample("waystation_outbox_failed_total", kind="reminder")

    await dispatcher_for(bot, settings, vtime).drain()

    assert _sample("waystation_outbox_attempts_total", result="failed") - attempts == 1
    assert _sample("waystation_outbox_failed_total", kind="reminder") - failed == 1


# --- the README's queries read series the service exports --------------------------------


def _readme_metrics_section() -> str:
    text = README.read_text()
    start = text.index("**Metrics.**")
    return text[start : text.index("**Logs.**", start)]


def _readme_queries() -> list[str]:
    """The PromQL of the README's table of queries to watch."""
    rows = re.findall(r"^\| [^|]+\? \| `([^`]+)`", _readme_metrics_section(), re.MULTILINE)
    assert len(rows) == 5, rows
    return rows


#: A series a query selects: its name and label matchers.
SELECTOR = re.compile(r"\b(waystation_[a-z_]+)(?:\{([^}]*)\})?")


async def _exercised_and_scraped(fake, bot, settings, vtime, clock) -> str:
    """A 429 and a send through the dispatcher, a bot update whose handler fails, a web
    request: then the web app's ``/metrics``, as Prometheus reads it."""
    volunteer = await linked_volunteer(fake)
    await _one_reminder(volunteer, "r:readme")
    fake.fail_next("sendMessage", error_code=429, description="Too Many Requests", retry_after=3)
    dispatcher = dispatcher_for(bot, settings, vtime)
    await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=3))
    await dispatcher.drain()

    application = build_application(settings)
    await application.initialize()
    try:
        await fake.user(volunteer.telegram_chat_id).send("/help")
        [update] = fake.pending_updates[-1:]
        fake.fail_next("sendMessage", error_code=500, description="Internal Server Error")
        await application.process_update(Update.de_json(update, application.bot))
    finally:
        await application.shutdown()

    app = create_app(TEST_SETTINGS._replace(metrics_token=METRICS_TOKEN), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.get("/healthz")
        scrape = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scrape.status_code == 200
    return scrape.text


async def test_every_series_the_readme_names_is_exported_and_its_queries_find_samples(
    db, clock, fake, bot, settings, vtime
):
    text = await _exercised_and_scraped(fake, bot, settings, vtime, clock)
    families = list(text_string_to_metric_families(text))
    samples = [sample for family in families for sample in family.samples]
    exported = {family.name for family in families} | {sample.name for sample in samples}

    named = set(re.findall(r"`(waystation_[a-z_]+)", _readme_metrics_section()))
    missing_series = {
        name
        for name in named
        if name not in exported and name.removesuffix("_total") not in exported
    }
    unmatched = []
    for query in _readme_queries():
        for name, matchers in SELECTOR.findall(query):
            wanted = dict(re.findall(r'(\w+)="([^"]*)"', matchers))
            if not any(s.name == name and wanted.items() <= s.labels.items() for s in samples):
                unmatched.append(f"{name}{{{matchers}}}")

    assert missing_series == set()
    assert unmatched == []
    assert len(named) >= 15
