"""The nationwide benchmark's harness (bench/nation.py): its samples, CPU readings and goals."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from tortoise.connection import connections

from bench.nation import (
    _reminder_goals,
    _wave_goals,
    backend_cpu,
    call_measure,
    cpu_seconds,
    sample,
)
from bench.nation_jobs import QuietRuns
from tests.conftest import TestDatabase


async def _stations(request: Request) -> Response:
    return PlainTextResponse("T010000 T010001 T040001")


def _client() -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/stations", _stations)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")


async def test_sample_of_a_missing_page_is_not_available() -> None:
    async with _client() as client:
        result = await sample(client, "/overview/stations", pid=os.getpid(), requests=3)

    assert (result.problem, result.latencies_ms) == ("not available (404)", [])


async def test_sample_of_a_page_ignoring_its_filter_is_not_available() -> None:
    async with _client() as client:
        result = await sample(
            client, "/stations?unit=7", pid=os.getpid(), requests=3, absent="T040001"
        )

    assert result.problem.startswith("not available (the filter is ignored: T040001")


async def test_sample_measures_latency_size_and_cpu() -> None:
    async with _client() as client:
        result = await sample(client, "/stations", pid=os.getpid(), requests=5)

    assert (result.problem, len(result.latencies_ms), result.size) == ("", 5, 23)
    assert result.cpu_ms >= 0


def test_cpu_seconds_grows_with_work() -> None:
    before = cpu_seconds(os.getpid())
    total = 0
    while cpu_seconds(os.getpid()) == before:
        total += sum(range(10_000))

    assert cpu_seconds(os.getpid()) > before


def test_missing_wave_does_not_meet_its_goals() -> None:
    goals = _wave_goals([None])

    assert [met for _text, met in goals] == [False, False]
    assert all(text.endswith("not available") for text, _met in goals)


def test_reminder_goal_needs_quiet_runs_under_half_a_second() -> None:
    quick = QuietRuns(wall_s=[0.1, 0.2], cpu_s=[0.1, 0.1], created=0)
    slow = QuietRuns(wall_s=[0.1, 0.6], cpu_s=[0.1, 0.1], created=0)
    writing = QuietRuns(wall_s=[0.1], cpu_s=[0.1], created=3)

    judged = [_reminder_goals(runs)[0][1] for runs in ([quick], [quick, slow], [writing], [])]

    assert judged == [True, False, False, False]


def test_failed_wave_does_not_meet_its_goals_and_says_why() -> None:
    goals = _wave_goals([{"on_time_share": 1.0, "count_429": 0}, "failed: OSError: gone"])

    assert goals == [
        ("reminder wave: every one delivered before its due time — failed: OSError: gone", False),
        ("reminder wave: 0 × 429 — failed: OSError: gone", False),
    ]


def test_wave_goals_judge_the_worst_run() -> None:
    runs = [
        {"on_time_share": 1.0, "count_429": 0, "lateness_p99": 0.0},
        {"on_time_share": 0.98, "count_429": 0, "lateness_p99": 4.0},
    ]

    goals = _wave_goals(runs)

    assert [met for _text, met in goals] == [False, True]


async def test_call_measure_passes_only_the_arguments_a_measure_takes() -> None:
    async def wave(*, database_url: str, messages: int = 20_000) -> dict[str, object]:
        return {"database_url": database_url, "messages": messages}

    def blocking(*, messages: int) -> int:
        return asyncio.run(asyncio.sleep(0, result=messages))

    answers = [
        await call_measure(wave, database_url="postgres://x/y", messages=5, replicas=1),
        await call_measure(blocking, database_url="postgres://x/y", messages=7),
    ]

    assert answers == [{"database_url": "postgres://x/y", "messages": 5}, 7]


@pytest.mark.integration
async def test_backend_cpu_reads_the_other_backends_of_the_database(db: TestDatabase) -> None:
    if not db.is_postgres:
        pytest.skip("PostgreSQL's backends only")
    await connections.get("default").execute_query("SELECT 1")  # the ORM's own backend
    ours = await asyncpg.connect(db.url.replace("postgres://", "postgresql://", 1))
    try:
        own = await ours.fetchval("SELECT pg_backend_pid()")
        seconds = await backend_cpu(ours)
    finally:
        await ours.close()

    assert own not in seconds
    assert seconds
    assert all(value >= 0 for value in seconds.values())
