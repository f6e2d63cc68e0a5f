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


BACKFILL_SCRIPT = """
import asyncio, datetime as dt, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from stations import db
from stations.enums import MovementKind, Source
from stations.models import DailyStockTally, StockMovement
from tortoise.connection import connections
from tests.factories import vn

# The rows a 0004 database can hold, written in SQL: today's models have columns it lacks.
ROWS_OF_0004 = '''
INSERT INTO "unit" (code, name, kind, created_at) VALUES ('U1', 'Unit', 'commune_police', '2027-01-01 00:00:00+00:00');
INSERT INTO "campaign" (name, kind, year, starts_on, ends_on, status, created_at, updated_at)
 VALUES ('Tet', 'tet', 2027, '2027-01-30', '2027-02-11', 'open', '2027-01-01 00:00:00+00:00', '2027-01-01 00:00:00+00:00');
INSERT INTO "station" (campaign_id, unit_id, code, name, address, checkin_radius_m, is_active, created_at, updated_at)
 VALUES (1, 1, 'S1', 'Station', '', 300, TRUE, '2027-01-01 00:00:00+00:00', '2027-01-01 00:00:00+00:00');
INSERT INTO "supply_item" (code, name_vi, name_en, unit_vi, unit_en, category, aliases, unit_cost_vnd, default_low_stock, is_active)
 VALUES ('water', 'Nuoc', 'Water', 'chai', 'bottle', 'water', '[]', 0, 0, TRUE);
'''

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0004_signin_attempts")
    await Tortoise.close_connections()
    await db.init_db(url)
    await connections.get("default").execute_script(ROWS_OF_0004)
    station_id, item_id = 1, 1
    for kind, quantity, delta, at in [
        (MovementKind.RECEIPT, 500, 500, vn(2027, 2, 1, 23, 59)),
        (MovementKind.HANDOUT, 30, -30, vn(2027, 2, 2, 0, 0)),
        (MovementKind.HANDOUT, 12, -12, vn(2027, 2, 2, 6, 59)),
        (MovementKind.HANDOUT, 5, -5, vn(2027, 2, 2, 7, 0)),
    ]:
        await StockMovement.create(
            station_id=station_id, item_id=item_id, kind=kind, quantity=quantity, delta=delta,
            source=Source.IMPORT, occurred_at=at, recorded_at=at,
        )
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


@pytest.mark.parametrize("backend", BACKENDS)
async def test_daily_tallies_migration_fills_the_rollup_from_the_ledger(tmp_path, backend):
    if backend == "postgres":
        url = await _create_postgres_database()
    else:
        url = f"sqlite://{tmp_path / 'backfill.sqlite3'}"
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", BACKFILL_SCRIPT, url],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    finally:
        if backend == "postgres":
            await _drop_postgres_database(url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        [
            ("handout", "2027-02-02", 47, -47, 3),
            ("receipt", "2027-02-01", 500, 500, 1),
        ]
    )
