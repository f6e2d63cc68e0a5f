"""Test databases: every ``integration`` test runs on SQLite and on PostgreSQL.

Each backend gets a fresh database, migrated with the project's real migrations (so the
CHECK and UNIQUE rules the tests rely on are the ones production has). Every test starts
from empty tables.

PostgreSQL comes from ``WAYSTATION_TEST_POSTGRES_URL`` (default: the local ``test``
database as user ``postgres``). Where it cannot be reached, its tests are skipped on a
developer's machine and fail under CI (``CI`` set), so CI can never pass without them.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import connections

from stations import clock as clock_module
from stations import db as stations_db
from stations.services.catalog import forget_catalog

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
BACKENDS = [
    b.strip()
    for b in os.environ.get("WAYSTATION_TEST_DATABASES", "sqlite,postgres").split(",")
    if b.strip()
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class TestDatabase:
    __test__ = False  # not a test class, whatever its name says
    backend: str
    url: str

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgres"


def _admin_postgres_url() -> str:
    return os.environ.get("WAYSTATION_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _with_database(url: str, name: str) -> str:
    base, _, _old = url.rpartition("/")
    return f"{base}/{name}"


async def _postgres_reachable(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


async def _create_postgres_database() -> str:
    admin = _admin_postgres_url()
    problem = await _postgres_reachable(admin)
    if problem:
        message = f"PostgreSQL at {admin} cannot be reached ({problem})"
        if IN_CI:
            pytest.fail(f"{message}: CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(message)
    name = f"waystation_test_{os.getpid()}_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(admin.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(admin, name)


async def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(_admin_postgres_url().replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def database(request: pytest.FixtureRequest) -> AsyncIterator[TestDatabase]:
    backend = request.param
    tmpdir: tempfile.TemporaryDirectory[str] | None = None
    if backend == "sqlite":
        tmpdir = tempfile.TemporaryDirectory(prefix="waystation-test-")
        url = f"sqlite://{Path(tmpdir.name) / 'test.sqlite3'}"
    elif backend == "postgres":
        url = await _create_postgres_database()
    else:
        raise pytest.UsageError(f"unknown test database backend {backend!r}")
    await stations_db.migrate(url)
    await stations_db.init_db(url)
    try:
        yield TestDatabase(backend, url)
    finally:
        await stations_db.close_db()
        # tortoise caches each table's INSERT statement per connection name, not per engine:
        # forget them before the next backend's session reuses the name "default".
        EXECUTOR_CACHE.clear()
        if backend == "postgres":
            await _drop_postgres_database(url)
        if tmpdir is not None:
            tmpdir.cleanup()


#: Emptied last: on SQLite the other tables' DELETEs fire the triggers that write it.
STALE_MARKS = "stale_station_day"


def _table_names() -> list[str]:
    names = sorted(
        model._meta.db_table
        for model in Tortoise.apps.get_models_iterable()  # type: ignore[attr-defined]
    )
    names.remove(STALE_MARKS)
    return [*names, STALE_MARKS]


async def truncate_all(database: TestDatabase) -> None:
    # Rows go without the models' save signals: the bot's copy of the catalog goes too.
    forget_catalog()
    connection = connections.get("default")
    tables = _table_names()
    if database.is_postgres:
        quoted = ", ".join(f'"{t}"' for t in tables)
        await connection.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        script = "PRAGMA foreign_keys = OFF;\n"
        script += "".join(f'DELETE FROM "{t}";\n' for t in tables)
        script += "DELETE FROM sqlite_sequence;\nPRAGMA foreign_keys = ON;\n"
        await connection.execute_script(script)


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[TestDatabase]:
    """An empty, migrated database (SQLite or PostgreSQL) for one test."""
    await truncate_all(database)
    yield database


#: A Tuesday in the Tết 2027 window, 08:00 in Vietnam.
DEFAULT_NOW = dt.datetime(2027, 2, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[clock_module.FrozenClock]:
    """A frozen clock every service reads; ``clock.advance(...)`` moves it."""
    frozen = clock_module.FrozenClock(DEFAULT_NOW)
    with clock_module.use_clock(frozen):
        yield frozen


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and "postgres" not in BACKENDS:
        raise pytest.UsageError(
            "CI must run the PostgreSQL tests: keep postgres in WAYSTATION_TEST_DATABASES"
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that use the database are integration tests whether or not they say so.
    for item in items:
        fixturenames = getattr(item, "fixturenames", ())
        if "db" in fixturenames or "database" in fixturenames:
            item.add_marker(pytest.mark.integration)
