"""0012_search_words folds the stored search names again with every form of đ as d."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, _create_postgres_database, _drop_postgres_database

ROOT = Path(__file__).resolve().parents[2]

REFOLD_SCRIPT = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.connection import connections
from tortoise.migrations.api import migrate
from stations import db
from stations.models import Volunteer

async def main(url):
    config = db.tortoise_config(url)
    await migrate(config=config, target="stations.0005_daily_tallies")
    await Tortoise.close_connections()
    await db.init_db(url)
    # As the old fold stored them: the look-alikes of Đ kept, lower-cased; in the columns of
    # the schema at 0005 (the model has grown since).
    await connections.get("default").execute_script(
        "INSERT INTO volunteer (full_name, search_name, phone, organisation, skills,"
        " language, reachable, notes, created_at, updated_at) VALUES"
        " ('Ðặng Văn Ân', 'ðang van an', '+84983681802', '', '[]', 'vi', TRUE, '',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    await connections.get("default").execute_script(
        "INSERT INTO volunteer (full_name, search_name, phone, organisation, skills,"
        " language, reachable, notes, created_at, updated_at) VALUES"
        " ('Ɖỗ Thị Hoa', 'ɖo thi hoa', '+84983681803', '', '[]', 'vi', TRUE, '',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    await connections.get("default").execute_script(
        "INSERT INTO volunteer (full_name, search_name, phone, organisation, skills,"
        " language, reachable, notes, created_at, updated_at) VALUES"
        " ('Đinh Lan', 'dinh lan', '+84983681804', '', '[]', 'vi', TRUE, '',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    await db.close_db()
    await db.migrate(url)
    await db.init_db(url)
    print(await Volunteer.all().order_by("id").values_list("full_name", "search_name"))
    await db.close_db()

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.parametrize("backend", BACKENDS)
async def test_search_words_migration_refolds_names_with_d_look_alikes(tmp_path, backend):
    if backend == "postgres":
        url = await _create_postgres_database()
    else:
        url = f"sqlite://{tmp_path / 'refold.sqlite3'}"
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", REFOLD_SCRIPT, url],
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
            ("Ðặng Văn Ân", "dang van an"),
            ("Ɖỗ Thị Hoa", "do thi hoa"),
            ("Đinh Lan", "dinh lan"),
        ]
    )
