"""Backups taken while handouts are being written restore into a fresh database whole.

The backup runs in this process against the test's database (the service's own function);
the restore runs as ``waystation restore`` in a child process into a database of its own,
which is then read with plain SQL: the ledger, the balances and the daily tallies agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from stations.models import BackupRecord
from stations.services.actor import Actor
from stations.services.backup import (
    BackupError,
    back_up_database,
    backup_is_stale,
    next_daily_run,
    restore_database,
)
from stations.services.inventory import record_handout, record_receipt
from tests.conftest import TestDatabase, _admin_postgres_url, _with_database
from tests.factories import make_campaign, make_item, make_station, vn

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("clock")]

ROOT = Path(__file__).resolve().parents[3]
NOW = vn(2027, 2, 2, 8)
COORDINATOR = Actor.system("test")
HANDOUTS = 120

LEDGER_SUMS = "SELECT station_id, item_id, SUM(delta) FROM stock_movement GROUP BY 1, 2"
BALANCES = "SELECT station_id, item_id, quantity FROM stock_balance WHERE quantity <> 0"
TALLY_SUMS = (
    "SELECT station_id, item_id, kind, SUM(quantity), SUM(lines) FROM daily_stock_tally"
    " GROUP BY 1, 2, 3"
)
LEDGER_BY_KIND = (
    "SELECT station_id, item_id, kind, SUM(quantity), COUNT(*) FROM stock_movement GROUP BY 1, 2, 3"
)


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYSTATION_")}
    env.update(
        WAYSTATION_DATABASE_URL=database_url,
        WAYSTATION_DEFAULT_LANGUAGE="en",
        WAYSTATION_LOG_LEVEL="WARNING",
    )
    return subprocess.run(
        [sys.executable, "-m", "stations.main", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@contextlib.asynccontextmanager
async def _fresh_database(database: TestDatabase, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the same engine, dropped afterwards."""
    if not database.is_postgres:
        yield f"sqlite://{tmp_path / 'restored.sqlite3'}"
        return
    admin = _admin_postgres_url().replace("postgres://", "postgresql://", 1)
    name = f"waystation_restore_{os.getpid()}_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield _with_database(_admin_postgres_url(), name)
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def _rows(url: str, query: str) -> set[tuple[Any, ...]]:
    if url.startswith("sqlite://"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite://"))) as conn:
            return {tuple(row) for row in conn.execute(query)}
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return {tuple(row) for row in await conn.fetch(query)}
    finally:
        await conn.close()


async def _write_handouts(station: Any, item: Any, started: asyncio.Event) -> None:
    for number in range(HANDOUTS):
        await record_handout(
            station, item, 1, by=COORDINATOR, occurred_at=NOW, idempotency_key=f"h{number}"
        )
        if number == 10:
            started.set()
        await asyncio.sleep(0)


async def test_backup_taken_while_handouts_are_written_restores_whole(db, tmp_path):
    campaign = await make_campaign()
    station = await make_station(campaign)
    water, towel = await make_item("water"), await make_item("towel")
    await record_receipt(station, water, 5000, by=COORDINATOR, occurred_at=NOW)
    await record_receipt(station, towel, 300, by=COORDINATOR, occurred_at=NOW)
    started = asyncio.Event()
    writing = asyncio.create_task(_write_handouts(station, water, started))
    await started.wait()

    result = await back_up_database(db.url, tmp_path, now=NOW)
    await writing

    assert result.path.parent == tmp_path
    assert result.size_bytes == result.path.stat().st_size > 0
    assert await BackupRecord.filter(file_name=result.path.name).count() == 1
    async with _fresh_database(db, tmp_path) as fresh:
        restored = _cli("restore", str(result.path), database_url=fresh)
        assert restored.returncode == 0, restored.stderr
        assert "Restored" in restored.stdout
        lines = await _rows(fresh, "SELECT COUNT(*) FROM stock_movement WHERE kind = 'handout'")
        (handouts,) = next(iter(lines))
        assert 0 < handouts <= HANDOUTS
        assert await _rows(fresh, BALANCES) == await _rows(fresh, LEDGER_SUMS)
        assert await _rows(fresh, TALLY_SUMS) == await _rows(fresh, LEDGER_BY_KIND)
        towels = await _rows(
            fresh, f"SELECT quantity FROM stock_balance WHERE item_id = {towel.id}"
        )
        assert towels == {(300,)}


async def test_restore_refuses_a_database_holding_data_unless_forced(db, tmp_path):
    await make_item("water")
    backup = await back_up_database(db.url, tmp_path / "", now=NOW)
    async with _fresh_database(db, tmp_path) as fresh:
        first = _cli("restore", str(backup.path), database_url=fresh)
        assert first.returncode == 0, first.stderr

        again = _cli("restore", str(backup.path), database_url=fresh)
        forced = _cli("restore", str(backup.path), "--force", database_url=fresh)

        assert again.returncode == 1
        assert again.stderr.strip() == (
            "waystation: The database already holds data: restore into an empty one, "
            "or add --force."
        )
        assert forced.returncode == 0, forced.stderr
        assert await _rows(fresh, "SELECT code FROM supply_item") == {("water",)}


async def test_backup_into_a_folder_keeps_only_the_newest(db, tmp_path):
    names = []
    for minute in range(4):
        result = await back_up_database(
            db.url, tmp_path, now=NOW + dt.timedelta(minutes=minute), keep=2
        )
        names.append(result.path.name)

    assert sorted(path.name for path in tmp_path.iterdir()) == names[2:]
    assert [r.path.name for r in [result]] == [names[3]]


async def test_backup_refuses_bad_targets_with_clear_messages(db, tmp_path):
    with pytest.raises(BackupError) as missing_folder:
        await back_up_database(db.url, tmp_path / "nowhere" / "x.dump", now=NOW)
    with pytest.raises(BackupError) as keep_on_file:
        await back_up_database(db.url, tmp_path / "x.dump", now=NOW, keep=3)
    with pytest.raises(BackupError) as keep_zero:
        await back_up_database(db.url, tmp_path, now=NOW, keep=0)

    assert missing_folder.value.translated("en") == (
        f"The folder {tmp_path / 'nowhere'} does not exist."
    )
    assert keep_on_file.value.translated("vi").startswith(str(tmp_path / "x.dump"))
    assert keep_zero.value.translated("en") == "Keep at least one backup."
    assert list(tmp_path.iterdir()) == []
    assert await BackupRecord.all().count() == 0


async def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")

    with pytest.raises(BackupError) as not_backup:
        await restore_database(db.url, junk)
    with pytest.raises(BackupError) as absent:
        await restore_database(db.url, tmp_path / "absent.dump")

    assert "is not a Waystation backup" in not_backup.value.translated("en")
    assert (
        absent.value.translated("en") == f"There is no backup file at {tmp_path / 'absent.dump'}."
    )


async def test_restore_refuses_a_backup_of_the_other_engine(db, tmp_path):
    other = tmp_path / "other.bak"
    other.write_bytes(b"PGDMP" if not db.is_postgres else b"SQLite format 3\x00" + bytes(100))

    with pytest.raises(BackupError) as wrong_engine:
        await restore_database(db.url, other)

    assert "this database is" in wrong_engine.value.translated("en")


async def test_postgres_backup_without_pg_dump_says_what_to_install(db, tmp_path, monkeypatch):
    if not db.is_postgres:
        pytest.skip("SQLite backups need no external tool")
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(BackupError) as missing:
        await back_up_database(db.url, tmp_path / "x.dump", now=NOW)

    assert missing.value.translated("en").startswith("pg_dump is not installed")
    assert "postgresql-client" in missing.value.translated("en")


async def test_concurrent_migrations_on_one_database_apply_each_once(db, tmp_path):
    async with _fresh_database(db, tmp_path) as fresh:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAYSTATION_")}
        env.update(WAYSTATION_DATABASE_URL=fresh, WAYSTATION_LOG_LEVEL="WARNING")
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "stations.main",
                "migrate",
                env=env,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]
        results = [await asyncio.wait_for(p.communicate(), timeout=180) for p in processes]

        assert [p.returncode for p in processes] == [0, 0, 0], [r[1] for r in results]
        on_disk = sorted(p.stem for p in (ROOT / "stations" / "migrations").glob("0*.py"))
        applied = await _rows(fresh, "SELECT name FROM tortoise_migrations")
        assert sorted(name for (name,) in applied) == on_disk


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(2027, 2, 2, 1, 0), vn(2027, 2, 2, 2, 30)),
        (vn(2027, 2, 2, 2, 30), vn(2027, 2, 3, 2, 30)),
        (vn(2027, 2, 2, 23, 59), vn(2027, 2, 3, 2, 30)),
        (vn(2026, 12, 31, 3, 0), vn(2027, 1, 1, 2, 30)),
    ],
)
def test_nightly_backups_run_at_the_next_vietnam_time_of_day(now, expected):
    assert next_daily_run(now, dt.time(2, 30)) == expected


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (dt.timedelta(hours=25, minutes=59), False),
        (dt.timedelta(hours=26), False),
        (dt.timedelta(hours=26, minutes=1), True),
    ],
)
def test_the_last_backup_is_stale_once_more_than_26_hours_old(clock, age, stale):
    taken_at = clock.now()
    clock.advance(age)

    assert backup_is_stale(taken_at, now=clock.now()) is stale
    assert backup_is_stale(None, now=clock.now()) is True
