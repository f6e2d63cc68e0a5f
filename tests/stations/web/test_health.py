"""``GET /healthz`` and the app factory's hooks, in the test's own event loop and database."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette

from stations import __version__
from stations.settings import Settings
from stations.web.app import create_app


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_healthz_reports_the_database_it_reaches(db):
    app = create_app(Settings(database_url=db.url), manage_database=False)

    async with _client(app) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "engine": "postgres" if db.is_postgres else "sqlite"},
        "version": __version__,
    }
    assert response.headers["cache-control"] == "no-store"


async def test_healthz_answers_get_only(db):
    app = create_app(Settings(database_url=db.url), manage_database=False)

    async with _client(app) as client:
        response = await client.post("/healthz")

    assert response.status_code == 405


async def test_create_app_enters_and_leaves_the_parts_that_run_beside_it():
    events: list[str] = []

    def part(name: str):
        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            events.append(f"start {name}")
            yield
            events.append(f"stop {name}")

        return lifespan

    app = create_app(Settings(), manage_database=False, lifespans=[part("bot"), part("scheduler")])

    async with app.router.lifespan_context(app):
        events.append("serving")

    assert events == ["start bot", "start scheduler", "serving", "stop scheduler", "stop bot"]
