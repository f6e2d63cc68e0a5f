from __future__ import annotations

import pytest
from tortoise.connection import connections

from stations.db import (
    DatabaseUnavailable,
    _migration_lock,
    check_sqlite_path,
    migrate,
    tortoise_config,
)


def test_sqlite_in_a_missing_folder_is_refused_in_one_line(tmp_path):
    url = f"sqlite://{tmp_path / 'missing' / 'w.sqlite3'}"

    with pytest.raises(DatabaseUnavailable) as error:
        check_sqlite_path(url)

    assert "does not exist" in str(error.value)
    assert "WAYSTATION_DATABASE_URL" in str(error.value)


def test_sqlite_path_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(DatabaseUnavailable) as error:
        check_sqlite_path(f"sqlite://{tmp_path}")

    assert "not a file" in str(error.value)


def test_sqlite_file_that_is_not_a_database_is_refused(tmp_path):
    impostor = tmp_path / "notes.sqlite3"
    impostor.write_text("Trạm dừng chân nghĩa tình\n" * 200)

    with pytest.raises(DatabaseUnavailable) as error:
        check_sqlite_path(f"sqlite://{impostor}")

    assert "not a database" in str(error.value)


@pytest.mark.parametrize(
    "url", ["sqlite://:memory:", "postgres://postgres@127.0.0.1:5432/test", "sqlite://w.sqlite3"]
)
def test_urls_that_can_be_opened_pass(url):
    check_sqlite_path(url)


async def test_migrate_of_an_unopenable_sqlite_file_fails_fast(tmp_path):
    with pytest.raises(DatabaseUnavailable):
        await migrate(f"sqlite://{tmp_path / 'missing' / 'w.sqlite3'}")


@pytest.mark.integration
async def test_moments_compare_by_time_whatever_offset_they_carry(db):
    # SQLite compares datetimes as text: a Vietnam-time bound must still order correctly
    # against moments written in UTC (the day boundaries of every report depend on it).
    import datetime as dt

    from stations.clock import VN_TZ
    from stations.models import AuditEvent

    moment = dt.datetime(2027, 2, 2, 8, 0, tzinfo=VN_TZ)
    await AuditEvent.create(
        at=moment,
        actor_kind="system",
        actor_label="t",
        source="system",
        action="a",
        object_type="t",
    )

    half_past_seven = dt.datetime(2027, 2, 2, 7, 30, tzinfo=VN_TZ)
    half_past_eight = dt.datetime(2027, 2, 2, 8, 30, tzinfo=VN_TZ)
    assert await AuditEvent.filter(at__gte=half_past_seven).count() == 1
    assert await AuditEvent.filter(at__gte=half_past_eight).count() == 0
    assert await AuditEvent.filter(at__lt=half_past_eight).count() == 1
    assert await AuditEvent.filter(at=moment).count() == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@db:5432/w", "20"),
        ("postgres://db/w?minsize=2", "20"),
        ("postgres://db/w?maxsize=8", "8"),
    ],
)
def test_postgres_pool_holds_twenty_connections_unless_the_url_says(url, expected):
    assert tortoise_config(url)["connections"]["default"]["credentials"]["maxsize"] == expected


def test_sqlite_url_is_kept_as_given():
    url = "sqlite://waystation.sqlite3"

    assert tortoise_config(url)["connections"] == {"default": url}


async def test_a_connection_given_back_to_the_pool_keeps_no_transaction(db):
    if not db.is_postgres:
        pytest.skip("the pool's release is asyncpg's")
    client = connections.get("default")

    async with client.acquire_connection() as connection:
        await connection.execute("BEGIN")
        left_open = connection.is_in_transaction()
    pooled = [holder._con for holder in client._pool._holders if holder._con is not None]

    assert (left_open, [c.is_in_transaction() for c in pooled]) == (True, [False] * len(pooled))


async def test_postgres_connections_run_without_jit(db):
    if not db.is_postgres:
        pytest.skip("JIT is PostgreSQL's")
    client = connections.get("default")

    _count, rows = await client.execute_query("SHOW jit")

    assert rows[0]["jit"] == "off"


async def test_postgres_ends_a_transaction_left_idle_for_minutes(db):
    if not db.is_postgres:
        pytest.skip("a PostgreSQL session setting")
    client = connections.get("default")

    _count, rows = await client.execute_query("SHOW idle_in_transaction_session_timeout")

    assert rows[0]["idle_in_transaction_session_timeout"] == "5min"


async def test_migration_lock_connects_with_pool_options_in_the_url(db):
    if not db.is_postgres:
        pytest.skip("the advisory lock is PostgreSQL's")
    separator = "&" if "?" in db.url else "?"

    # The README invites ?maxsize=N; passed whole to asyncpg it became a server setting
    # PostgreSQL refused, and every start failed before migrating.
    async with _migration_lock(f"{db.url}{separator}maxsize=3&minsize=1") as held:
        locked = held is None

    assert locked
