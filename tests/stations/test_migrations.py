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
from tests.factories import make_item, make_station, vn

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0004_signin_attempts")
    await Tortoise.close_connections()
    await db.init_db(url)
    station, item = await make_station(), await make_item("water")
    for kind, quantity, delta, at in [
        (MovementKind.RECEIPT, 500, 500, vn(2027, 2, 1, 23, 59)),
        (MovementKind.HANDOUT, 30, -30, vn(2027, 2, 2, 0, 0)),
        (MovementKind.HANDOUT, 12, -12, vn(2027, 2, 2, 6, 59)),
        (MovementKind.HANDOUT, 5, -5, vn(2027, 2, 2, 7, 0)),
    ]:
        # The columns of the schema at 0004: the model may have grown since.
        await StockMovement.raw(
            "INSERT INTO stock_movement (station_id, item_id, kind, quantity, delta,"
            " discrepancy, source, note, occurred_at, recorded_at) VALUES"
            f" ({station.id}, {item.id}, '{kind.value}', {quantity}, {delta}, FALSE,"
            f" '{Source.IMPORT.value}', '', '{at.astimezone(dt.UTC).isoformat()}',"
            f" '{at.astimezone(dt.UTC).isoformat()}')"
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


FUNDS_BACKFILL_SCRIPT = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from stations import db
from stations.models import StockMovement, Volunteer
from tests.factories import make_item, make_station

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0005_daily_tallies")
    await Tortoise.close_connections()
    await db.init_db(url)
    station, item = await make_station(), await make_item("water", unit_cost_vnd=4000)
    # The columns of the schema at 0005: the models have grown since.
    await StockMovement.raw(
        "INSERT INTO unit (code, name, kind, created_at) VALUES"
        " ('DTN', 'Doan Thanh nien', 'youth_union', '2027-01-01T00:00:00+00:00')"
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
            f" ({station.id}, {item.id}, '{kind}', {abs(delta)}, {delta}, FALSE, 'web', '',"
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


@pytest.mark.parametrize("backend", BACKENDS)
async def test_funds_migration_freezes_receipt_costs_and_reads_forces_from_units(tmp_path, backend):
    if backend == "postgres":
        url = await _create_postgres_database()
    else:
        url = f"sqlite://{tmp_path / 'funds.sqlite3'}"
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", FUNDS_BACKFILL_SCRIPT, url],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=ROOT,
        )
    finally:
        if backend == "postgres":
            await _drop_postgres_database(url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[('receipt', 4000), ('handout', None)] ['youth_union', 'other']"
    )
