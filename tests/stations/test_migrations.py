"""The committed migrations describe exactly the models."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, _create_postgres_database, _drop_postgres_database

ROOT = Path(__file__).resolve().parents[2]


def test_models_have_no_changes_missing_from_migrations(tmp_path):
    # In a child process: the autodetector builds its own tortoise context.
    script = textwrap.dedent(
        f"""
        import asyncio
        from tortoise.cli.cli import tortoise_cli_context
        from tortoise.migrations.autodetector import MigrationAutodetector
        from stations.db import tortoise_config

        async def main():
            config = tortoise_config("sqlite://{tmp_path / "drift.sqlite3"}")
            async with tortoise_cli_context(config) as ctx:
                writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
            print(len(writers), [op for w in writers for op in w.operations])

        asyncio.run(main())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 []"


#: One unit, campaign, station and supply item as the schema of 0004 holds them, in plain
#: SQL (today's models have columns later migrations add): the data the backfills start from.
OLD_SCHEMA_ROWS = """
INSERT INTO "unit" (id, code, name, kind, created_at)
  VALUES (1, 'U1', 'Công an xã 1', 'commune_police', '2027-01-01 00:00:00+00:00');
INSERT INTO "campaign" (id, name, kind, year, starts_on, ends_on, status, created_at, updated_at)
  VALUES (1, 'Tết Đinh Mùi 2027', 'tet', 2027, '2027-01-30', '2027-02-11', 'open',
          '2027-01-01 00:00:00+00:00', '2027-01-01 00:00:00+00:00');
INSERT INTO "station" (id, code, name, address, checkin_radius_m, is_active, created_at,
                       updated_at, campaign_id, unit_id)
  VALUES (1, 'S1', 'Trạm 1', '', 300, TRUE, '2027-01-01 00:00:00+00:00',
          '2027-01-01 00:00:00+00:00', 1, 1);
INSERT INTO "supply_item" (id, code, name_vi, name_en, unit_vi, unit_en, category, aliases,
                           unit_cost_vnd, default_low_stock, is_active)
  VALUES (1, 'water', 'Nước suối', 'Bottled water', 'chai', 'bottle', 'water', '[]', 4000, 0,
          TRUE);
"""

BACKFILL_SCRIPT = (
    """
import asyncio, sys
from tortoise import Tortoise
from tortoise.connection import connections
from tortoise.migrations.api import migrate
from stations import db
from stations.models import DailyStockTally

# Rows as the schema of 0004 holds them, in plain SQL: today's models have columns that
# later migrations add.
ROWS = '''
"""
    + OLD_SCHEMA_ROWS
    + """'''
LINES = [  # kind, quantity, delta, occurred_at in UTC (Vietnam is seven hours ahead)
    ("receipt", 500, 500, "2027-02-01 16:59:00+00:00"),  # 23:59 on 01/02 in Vietnam
    ("handout", 30, -30, "2027-02-01 17:00:00+00:00"),  # 00:00 on 02/02
    ("handout", 12, -12, "2027-02-01 23:59:00+00:00"),  # 06:59
    ("handout", 5, -5, "2027-02-02 00:00:00+00:00"),  # 07:00
]

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0004_signin_attempts")
    await Tortoise.close_connections()
    await db.init_db(url)
    script = ROWS + "".join(
        'INSERT INTO "stock_movement" (kind, quantity, delta, discrepancy, source, note,'
        f" occurred_at, recorded_at, item_id, station_id) VALUES ('{kind}', {quantity},"
        f" {delta}, FALSE, 'import', '', '{at}', '{at}', 1, 1);"
        for kind, quantity, delta, at in LINES
    )
    await connections.get("default").execute_script(script)
    await db.close_db()
    await db.migrate(url)
    await db.init_db(url)
    rows = await DailyStockTally.all().order_by("kind", "day").values_list(
        "kind", "day", "quantity", "delta", "lines"
    )
    print([(str(k.value if hasattr(k, "value") else k), str(d), q, de, n) for k, d, q, de, n in rows])
    await db.close_db()

asyncio.run(main(sys.argv[1]))
"""
)


async def _run_on_a_fresh_database(
    script: str, backend: str, sqlite_path: Path
) -> subprocess.CompletedProcess[str]:
    """``script`` in a child process against a new database of ``backend`` (dropped after)."""
    if backend == "postgres":
        url = await _create_postgres_database()
    else:
        url = f"sqlite://{sqlite_path}"
    try:
        return await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", script, url],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=ROOT,
        )
    finally:
        if backend == "postgres":
            await _drop_postgres_database(url)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_daily_tallies_migration_fills_the_rollup_from_the_ledger(tmp_path, backend):
    result = await _run_on_a_fresh_database(BACKFILL_SCRIPT, backend, tmp_path / "backfill.sqlite3")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        [
            ("handout", "2027-02-02", 47, -47, 3),
            ("receipt", "2027-02-01", 500, 500, 1),
        ]
    )


CALENDAR_KEYS_SCRIPT = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.connection import connections
from tortoise.migrations.api import migrate
from stations import db

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0005_daily_tallies")
    await Tortoise.close_connections()
    await db.init_db(url)
    for n, phone in enumerate(["+84983000001", "+84983000002"]):
        await connections.get("default").execute_script(
            "INSERT INTO volunteer (full_name, search_name, phone, organisation, skills,"
            " language, reachable, notes, created_at, updated_at) VALUES"
            f" ('V{n}', 'v{n}', '{phone}', '', '[]', 'vi', TRUE, '',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    await db.close_db()
    await db.migrate(url)
    await db.init_db(url)
    rows = await connections.get("default").execute_query_dict(
        "SELECT calendar_key FROM volunteer"
    )
    keys = [row["calendar_key"] for row in rows]
    print(len(keys), len(set(keys)), sorted(len(key) for key in keys))
    await db.close_db()

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.parametrize("backend", BACKENDS)
async def test_sessions_and_feed_keys_migration_gives_each_volunteer_a_key(tmp_path, backend):
    result = await _run_on_a_fresh_database(
        CALENDAR_KEYS_SCRIPT, backend, tmp_path / "keys.sqlite3"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 2 [43, 43]"


FUNDS_BACKFILL_SCRIPT = (
    """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from stations import db
from stations.models import StockMovement, Volunteer
from tortoise.connection import connections

ROWS = '''
"""
    + OLD_SCHEMA_ROWS
    + """'''

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0005_daily_tallies")
    await Tortoise.close_connections()
    await db.init_db(url)
    # Rows in the columns of the schema at 0005 (the models have grown since).
    await connections.get("default").execute_script(ROWS)
    # The columns of the schema at 0005: the models have grown since.
    await StockMovement.raw(
        "INSERT INTO unit (id, code, name, kind, created_at) VALUES"
        " (2, 'DTN', 'Doan Thanh nien', 'youth_union', '2027-01-01T00:00:00+00:00')"
    )
    for n, unit in ((1, "(SELECT id FROM unit WHERE code = 'DTN')"), (2, "NULL")):
        await StockMovement.raw(
            "INSERT INTO volunteer (full_name, search_name, phone, unit_id, organisation,"
            " skills, language, reachable, notes, created_at, updated_at) VALUES"
            f" ('A {n}', 'a {n}', '+8490000000{n}', {unit}, '', '[]', 'vi', TRUE, '',"
            " '2027-01-01T00:00:00+00:00', '2027-01-01T00:00:00+00:00')"
        )
    for kind, delta in (("receipt", 500), ("handout", -30)):
        await StockMovement.raw(
            "INSERT INTO stock_movement (station_id, item_id, kind, quantity, delta,"
            " discrepancy, source, note, occurred_at, recorded_at) VALUES"
            f" (1, 1, '{kind}', {abs(delta)}, {delta}, FALSE, 'web', '',"
            " '2027-02-01T00:00:00+00:00', '2027-02-01T00:00:00+00:00')"
        )
    await db.close_db()
    await db.migrate(url)
    await db.init_db(url)
    costs = await StockMovement.all().order_by("id").values_list("kind", "unit_cost_vnd")
    forces = await Volunteer.all().order_by("phone").values_list("force", flat=True)
    print([(str(k.value if hasattr(k, "value") else k), c) for k, c in costs], [str(f) for f in forces])
    await db.close_db()

asyncio.run(main(sys.argv[1]))
"""
)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_funds_migration_freezes_receipt_costs_and_reads_forces_from_units(tmp_path, backend):
    result = await _run_on_a_fresh_database(
        FUNDS_BACKFILL_SCRIPT, backend, tmp_path / "funds.sqlite3"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[('receipt', 4000), ('handout', None)] ['youth_union', 'other']"
    )


DAILY_FIGURES_SCRIPT = """
import asyncio, datetime as dt, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from stations import clock, db
from stations.enums import AssignmentStatus, MovementKind, ServiceKind, Source
from stations.models import ServiceRecord, StaleStationDay, StationDayFigures
from stations.services import inventory
from stations.services.actor import Actor
from stations.services.daily_figures import refresh_daily_figures
from tests.factories import make_assignment, make_item, make_shift, make_station, vn

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0017_report_indexes")
    await Tortoise.close_connections()
    await db.init_db(url)
    # Written before the triggers exist: the migration must find these days itself.
    station = await make_station()
    await make_assignment(await make_shift(station), status=AssignmentStatus.CHECKED_OUT,
                          worked_minutes=240)
    item = await make_item("water")
    by = Actor.system("test")
    await inventory.record_movement(MovementKind.RECEIPT, station, item, 100, by=by,
                                    occurred_at=vn(2027, 2, 1, 8), outside_reason="early")
    await inventory.record_movement(MovementKind.HANDOUT, station, item, 30, by=by,
                                    occurred_at=vn(2027, 2, 2, 9))
    await ServiceRecord.create(station=station, kind=ServiceKind.FIRST_AID, quantity=2,
                               source=Source.WEB, occurred_at=vn(2027, 2, 3, 10),
                               recorded_at=vn(2027, 2, 3, 10))
    await db.close_db()
    await db.migrate(url)
    await db.init_db(url)
    stale = await StaleStationDay.all().count()
    await refresh_daily_figures()
    rows = await StationDayFigures.all().order_by("day").values_list(
        "day", "received", "water", "first_aid", "turns_other", "minutes_other", "cost_vnd")
    print(stale, [tuple(str(v) for v in row) for row in rows])
    await db.close_db()

with clock.use_clock(clock.FrozenClock(vn(2027, 2, 5, 12))):
    asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.parametrize("backend", BACKENDS)
async def test_daily_figures_migration_marks_the_days_already_written(tmp_path, backend):
    result = await _run_on_a_fresh_database(
        DAILY_FIGURES_SCRIPT, backend, tmp_path / "figures.sqlite3"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3 " + str(
        [
            ("2027-02-01", "1", "0", "0", "0", "0", "400000"),
            ("2027-02-02", "0", "30", "0", "1", "240", "0"),
            ("2027-02-03", "0", "0", "2", "0", "0", "0"),
        ]
    )
